#pragma once
// Durable hard state (Raft Figure 2, "persistent state on all servers"): on each node's disk the
// term never goes down and, within a term, a vote once durable never changes. A node that could
// vote twice in a term after a restart would break election safety one step later; this names
// the cause. Fed with hard-state records as they become durable.
#include <cstdint>
#include <map>

#include "consensus/engine.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

class DurableVoteChecker {
 public:
  static constexpr const char* kName = "durable-vote";

  explicit DurableVoteChecker(Violations& violations) : violations_(violations) {}
  void on_durable(consensus::NodeId node, const consensus::HardState& hard_state, Tick now);

 private:
  Violations& violations_;
  std::map<consensus::NodeId, consensus::HardState> last_;  // per node: last durable hard state
};

}  // namespace synod::sim
