#include "sim/checkers/leader_completeness.h"

#include <string>

namespace synod::sim {

void LeaderCompletenessChecker::on_leader_persisted(consensus::NodeId leader, uint64_t term,
                                                    const PersistedLog& log,
                                                    const std::vector<CommittedEntry>& committed,
                                                    Tick now) {
  if (!checked_.insert({term, leader}).second) return;
  for (uint64_t index = log.base_index; index <= committed.size(); ++index) {
    if (index == 0) continue;
    const CommittedEntry& entry = committed[index - 1];
    if (entry.term == 0 || entry.commit_term_bound >= term) continue;
    const std::optional<uint64_t> held = log.term_at(index);
    const bool same = held == entry.term &&
                      (index == log.base_index ||
                       log.fingerprints[index - log.base_index - 1] == entry.fingerprint);
    if (same) continue;
    violations_.report(kName,
                       "leader n" + std::to_string(leader) + " of term " + std::to_string(term) +
                           " lacks committed entry (index " + std::to_string(index) + ", term " +
                           std::to_string(entry.term) + "); its log " +
                           (held ? "has term " + std::to_string(*held) + " there"
                                 : "ends at " + std::to_string(log.last_index())),
                       now);
    return;
  }
}

}  // namespace synod::sim
