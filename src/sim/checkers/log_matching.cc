#include "sim/checkers/log_matching.h"

#include <string>

#include "sim/checkers/persisted_logs.h"

namespace synod::sim {

void LogMatchingChecker::on_durable_entry(consensus::NodeId node, const consensus::Entry& entry,
                                          std::optional<uint64_t> previous_term, Tick now) {
  const uint64_t fingerprint = entry_fingerprint(entry);
  auto [it, inserted] = seen_.emplace(std::make_pair(entry.index, entry.term),
                                      Seen{fingerprint, previous_term, node});
  if (inserted) return;
  Seen& seen = it->second;
  const std::string where = "entry (index " + std::to_string(entry.index) + ", term " +
                            std::to_string(entry.term) + ") on n" + std::to_string(node) +
                            " and n" + std::to_string(seen.node);
  if (seen.fingerprint != fingerprint) {
    violations_.report(kName, where + " carry different data", now);
    return;
  }
  if (!previous_term) return;
  if (!seen.previous_term) {
    seen.previous_term = previous_term;
  } else if (*seen.previous_term != *previous_term) {
    violations_.report(kName,
                       where + " follow different terms (" + std::to_string(*previous_term) +
                           " and " + std::to_string(*seen.previous_term) + ")",
                       now);
  }
}

}  // namespace synod::sim
