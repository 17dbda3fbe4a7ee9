// New lease ids: 64 random bits from OpenSSL's generator, never 0.
#pragma once

#include "consensus/lease.h"

namespace paxoskv::lease {

// Throws std::runtime_error if the generator fails.
consensus::LeaseId make_lease_id();

}  // namespace paxoskv::lease
