#include "sim/checkers/election_safety.h"

#include <string>

namespace synod::sim {

void ElectionSafetyChecker::observe(const consensus::EngineStatus& status, Tick now) {
  if (status.role != consensus::Role::kLeader) return;
  auto [it, inserted] = leader_by_term_.emplace(status.term, status.id);
  if (!inserted && it->second != status.id)
    violations_.report(kName,
                       "two leaders in term " + std::to_string(status.term) + ": n" +
                           std::to_string(it->second) + " and n" + std::to_string(status.id),
                       now);
}

}  // namespace synod::sim
