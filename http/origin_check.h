// Requests a page of another web site makes a browser send: they must change nothing.
//
// A browser sends a cross-site POST, PUT or DELETE with an Origin header, and a plain-text
// POST needs no CORS preflight, so without this any page a user opens could write keys,
// grant leases or change the members of a replica on the user's network while
// authentication is off. Clients outside a browser (curl, paxoskvctl, the embedded
// clients) send no Origin; the web console is served by the replica itself, so its
// requests come from the same origin.
#pragma once

#include "http/message.h"

namespace paxoskv::http {

// Whether `request` would change something (any method but GET, HEAD and OPTIONS) and
// carries an Origin that is not the replica it was sent to (scheme aside, its host and
// port must be the Host header's).
bool is_cross_origin_change(const Request& request);

}  // namespace paxoskv::http
