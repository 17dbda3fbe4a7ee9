// The acceptor: promises ballots and accepts proposals for a key's open slot, each made
// durable (synced) before the answer that states it leaves. Its part of a key's state is
// the persisted AcceptorRecord (KeyState::acceptor); it has no volatile part.
#pragma once

#include <string>

#include "consensus/build_variant.h"
#include "consensus/messages.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

class Acceptor {
 public:
  Acceptor(CoreContext& context, Roles& roles) : context_(context), roles_(roles) {}

  void on(NodeId from, Prepare& m);
  void on(NodeId from, Accept& m);

 private:
  bool answered_as_decided(NodeId from, const std::string& key, const KeyState& ks, Slot slot);

  CoreContext& context_;
  Roles& roles_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD
