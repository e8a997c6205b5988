#include "sim/checkers/durable_vote.h"

#include <string>

namespace synod::sim {

void DurableVoteChecker::on_durable(consensus::NodeId node, const consensus::HardState& hard_state,
                                    Tick now) {
  auto [it, inserted] = last_.emplace(node, hard_state);
  if (inserted) return;
  const consensus::HardState previous = it->second;
  it->second = hard_state;
  const std::string who = "n" + std::to_string(node);
  if (hard_state.term < previous.term) {
    violations_.report(kName,
                       who + " persisted term " + std::to_string(hard_state.term) + " after term " +
                           std::to_string(previous.term),
                       now);
  } else if (hard_state.term == previous.term && previous.vote != consensus::kNoNode &&
             hard_state.vote != previous.vote) {
    violations_.report(kName,
                       who + " changed its durable vote in term " + std::to_string(hard_state.term) +
                           " from n" + std::to_string(previous.vote) + " to n" +
                           std::to_string(hard_state.vote),
                       now);
  }
}

}  // namespace synod::sim
