// What both watches share: the long poll's timeout and following the endpoint changes.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string_view>

#include "tools/ctl/client.h"

namespace paxoskv::ctl {

// How long one long poll waits on the server; the request's deadline adds the client's
// timeout to it.
inline constexpr std::chrono::milliseconds poll_timeout{30'000};
inline constexpr std::string_view poll_timeout_text = "30s";

// Follows which endpoint a watch is on, telling on stderr when it moves.
class EndpointSwitch {
 public:
  EndpointSwitch(Client& client, std::ostream& err) : client_(client), err_(err) {}

  // Notes who answered; returns whether it is another endpoint than the last one.
  bool answered(const Answer& answer);
  // The same for an endpoint that answered a listing.
  bool arrived_at(std::size_t endpoint);

  // A 503 (a replica shutting down): moves on to the next endpoint. Throws the 503's
  // CtlError once every endpoint has refused in a row.
  void refused(const Answer& answer);

  // The watch's endpoint did not answer: moves on to the next one.
  void failed(std::size_t endpoint, const Failure& failure);

 private:
  Client& client_;
  std::ostream& err_;
  std::optional<std::size_t> endpoint_;
  std::size_t refusals_in_a_row_ = 0;
};

}  // namespace paxoskv::ctl
