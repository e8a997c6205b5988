#pragma once
// Linearizability of the client history (synod_check, Jepsen's cas-register model per key). A
// refuted history is a violation; a search that runs out of steps is not (it is counted as
// inconclusive, so a slow checker cannot turn into a false alarm).
#include <cstdint>

#include "check/history.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

struct LinearizabilityOutcome {
  bool inconclusive = false;
  uint64_t operations = 0;
};

inline constexpr const char* kLinearizabilityName = "linearizability";

LinearizabilityOutcome check_history(const check::History& history, Violations& violations, Tick now);

}  // namespace synod::sim
