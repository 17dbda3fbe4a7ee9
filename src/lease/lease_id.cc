#include "src/lease/lease_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace paxoskv::lease {

consensus::LeaseId make_lease_id() {
  for (;;) {
    std::array<unsigned char, sizeof(consensus::LeaseId)> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("no random bytes for a lease id");
    }
    consensus::LeaseId id = 0;
    std::memcpy(&id, bytes.data(), bytes.size());
    if (id != 0) return id;
  }
}

}  // namespace paxoskv::lease
