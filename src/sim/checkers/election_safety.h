#pragma once
// Election safety (Raft §5.2, Figure 3): at most one leader can be elected in a given term.
// Fed with every node's status() after each event that touched the node; it remembers the first
// leader seen in each term and reports a second one.
#include <cstdint>
#include <map>

#include "consensus/engine.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

class ElectionSafetyChecker {
 public:
  static constexpr const char* kName = "election-safety";

  explicit ElectionSafetyChecker(Violations& violations) : violations_(violations) {}
  void observe(const consensus::EngineStatus& status, Tick now);

 private:
  Violations& violations_;
  std::map<uint64_t, consensus::NodeId> leader_by_term_;
};

}  // namespace synod::sim
