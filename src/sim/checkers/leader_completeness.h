#pragma once
// Leader completeness (Raft §5.4, Figure 3): if an entry is committed in a term, it is present in
// the logs of the leaders of all higher terms. Checked once per (leader, term), when the leader's
// first entry of its term is durable (its election log is on disk by then), against the global
// committed map: every entry whose commit term bound is below the leader's term must be in the
// leader's persisted log, or under its snapshot.
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "consensus/engine.h"
#include "sim/checkers/persisted_logs.h"
#include "sim/checkers/state_machine_safety.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

class LeaderCompletenessChecker {
 public:
  static constexpr const char* kName = "leader-completeness";

  explicit LeaderCompletenessChecker(Violations& violations) : violations_(violations) {}

  // Called when `leader`, leading `term`, has made an entry of `term` durable.
  void on_leader_persisted(consensus::NodeId leader, uint64_t term, const PersistedLog& log,
                           const std::vector<CommittedEntry>& committed, Tick now);

 private:
  Violations& violations_;
  std::set<std::pair<uint64_t, consensus::NodeId>> checked_;  // (term, leader)
};

}  // namespace synod::sim
