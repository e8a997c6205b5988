#pragma once
// One simulated world for one seed: nodes, network, clients, nemesis and checkers on a virtual
// clock. Everything random comes from one generator seeded by the seed, from which each node's
// engine seed and each client's generator are derived, so the same seed gives a bit-identical
// run (the digest proves it).
//
// Timeline: ticks [0, safety_ticks) run the workload under the nemesis (the safety phase). At
// safety_ticks every fault is undone (the liveness phase): within liveness_bound_ticks() a
// committing leader must exist, and every operation invoked after that deadline must complete.
// Clients stop issuing at deadline + client_tail_ticks; the run ends once their last operations
// have completed or timed out. The history is then checked for linearizability.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/checkers/violations.h"
#include "sim/sim_client.h"
#include "sim/sim_time.h"

namespace synod::sim {

struct WorldOptions {
  std::string engine = "raft";
  uint32_t nodes = 5;
  uint32_t mutants = 0;               // consensus::Mutant bits
  uint32_t faults = 0;                // FaultKind bits
  Tick safety_ticks = 2000;
  // The liveness bound, in election timeouts: elections are randomised, so a few split votes in
  // a row are normal; 15 timeouts make a miss a real bug, not bad luck.
  uint32_t liveness_bound_election_timeouts = 15;
  Tick liveness_bound_ticks() const {
    return static_cast<Tick>(liveness_bound_election_timeouts) * election_ticks;
  }
  Tick client_tail_ticks = 100;
  // Raft needs broadcast time << election timeout; messages take 1-5 ticks and a sync 1-3, so a
  // timeout of 20-39 ticks keeps elections converging while faults still cost real failovers.
  uint32_t election_ticks = 20;
  uint32_t heartbeat_ticks = 2;
  uint64_t snapshot_interval = 32;
  // Entries kept in the engine's log below the newest snapshot (ReplicaOptions; the engine
  // compacts to the newest snapshot at least this old, so it keeps 32-64 entries here): a follower
  // a little behind catches up from the log, one further behind needs InstallSnapshot. Without a
  // margin, a follower one entry behind at a compaction gets a snapshot, and the writes it
  // forwarded that the snapshot covers time out even in a healthy cluster.
  uint64_t snapshot_catch_up_entries = 8;
  // Small appends (one or two entries each) and a short in-flight window make followers hold
  // partial logs: that is what gives Figure 8 (commit-old-term) a chance to happen at all, because
  // a new leader's no-op otherwise rides in the same append as the old entries. Every workload
  // entry fits (a write is 27 bytes, a cas 48): with entries larger than this, the Raft engine
  // stops replicating to a follower whose one in-flight append was lost (see docs/simulator.md).
  uint64_t max_message_bytes = 64;
  uint32_t max_inflight_messages = 16;
  // A seed that runs more actions than this many per simulated tick is stopped with an
  // "event-budget" violation: a correct run takes ~15 per tick, so only a livelock or a message
  // storm gets there.
  uint64_t max_events_per_tick = 1000;
  ClientOptions clients;
  std::ostream* trace = nullptr;      // a readable line per event when set
  std::ostream* history = nullptr;    // the client history as JSON lines (for synod-lincheck)
};

struct WorldResult {
  uint64_t seed = 0;
  uint64_t operations = 0;          // client operations completed (ok, fail or info)
  uint64_t events = 0;              // actions the event queue ran
  std::vector<Violation> violations;
  Tick max_failover_ticks = 0;
  uint64_t failovers = 0;
  uint64_t step_refusals = 0;       // messages refused as unexpected (allowed, see sim_node.cc)
  bool linearizability_inconclusive = false;
  uint64_t digest = 0;              // of the trace: equal digests mean identical runs
  Tick end_tick = 0;
};

// Validates the options; empty when fine, else what is wrong.
std::string validate(const WorldOptions& options);
WorldResult run_world(const WorldOptions& options, uint64_t seed);

}  // namespace synod::sim
