// Whether a replica is fit to take client traffic (GET /readyz): what a load balancer or
// an orchestrator asks before it sends requests to it.
#pragma once

namespace paxoskv {

struct Readiness {
  // It heard within the last few seconds from enough members that, with itself, they
  // make a majority of its configuration (of each configuration while a change runs):
  // writes and linearizable reads can succeed through it.
  bool reaches_majority = false;
  // Since it started, it pulled every change of enough members that, with itself, they
  // make a majority: its local reads are no longer those of a replica that was down.
  // Once true, it stays true until the process stops.
  bool caught_up = false;

  bool ready() const { return reaches_majority && caught_up; }
};

}  // namespace paxoskv
