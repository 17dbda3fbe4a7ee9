// The configuration as the roles see it: which configuration's messages this replica's
// acceptor answers, and what changes when a newly chosen configuration is applied.
//
// Why an acceptor answers only messages of the configuration it knows (see README,
// "Design: membership"): a proposer counts the answers of its round under its
// configuration's quorum rule. Once a majority of the configuration C knows the joint
// configuration J, no round of C can gather a majority of C any more, so no value can be
// chosen under C alone behind the carry-over's back. And an acceptor that knows J never
// goes back to answering C: applying a configuration is synced.
#pragma once

#include <cstdint>
#include <string>

#include "consensus/build_variant.h"
#include "consensus/messages.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

class Reconfiguration {
 public:
  Reconfiguration(CoreContext& context, Roles& roles) : context_(context), roles_(roles) {}

  // Whether our acceptor answers a message `from` a sender counting by configuration
  // version `config`. If not, it tells the sender the configuration it knows (if newer),
  // or asks the sender for its own (if older), and the message is dropped: the sender
  // retries.
  bool answers(NodeId from, std::uint64_t config);
  // The learner applied a new state of `key`: if it is kConfigKey's, the configuration it
  // holds comes in force here, and every round under way starts over under it.
  void on_applied(const std::string& key, const KeyState& ks);

 private:
  CoreContext& context_;
  Roles& roles_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD
