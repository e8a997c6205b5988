#include "sim/checkers/state_machine_safety.h"

#include <string>

#include "sim/checkers/persisted_logs.h"

namespace synod::sim {

void StateMachineSafetyChecker::on_start(consensus::NodeId node, uint64_t snapshot_index) {
  applied_[node] = snapshot_index;
}

void StateMachineSafetyChecker::on_snapshot_applied(consensus::NodeId node,
                                                    const consensus::SnapshotMeta& meta, Tick now) {
  if (meta.index < applied_[node])
    violations_.report(kName,
                       "n" + std::to_string(node) + " restored a snapshot at index " +
                           std::to_string(meta.index) + " below its applied index " +
                           std::to_string(applied_[node]),
                       now);
  if (meta.index >= 1 && meta.index <= committed_.size()) {
    const CommittedEntry& known = committed_[meta.index - 1];
    if (known.term != 0 && known.term != meta.term)
      violations_.report(kName,
                         "n" + std::to_string(node) + " restored a snapshot ending at index " +
                             std::to_string(meta.index) + " term " + std::to_string(meta.term) +
                             " but term " + std::to_string(known.term) + " was applied there",
                         now);
  }
  applied_[node] = meta.index;
}

void StateMachineSafetyChecker::on_applied(consensus::NodeId node, const consensus::Entry& entry,
                                           uint64_t highest_term, Tick now) {
  uint64_t& applied = applied_[node];
  const std::string who = "n" + std::to_string(node);
  if (entry.index != applied + 1) {
    violations_.report(kName,
                       who + " applied index " + std::to_string(entry.index) + " after " +
                           std::to_string(applied),
                       now);
    return;
  }
  applied = entry.index;
  if (committed_.size() < entry.index) committed_.resize(entry.index);
  CommittedEntry& known = committed_[entry.index - 1];
  const uint64_t fingerprint = entry_fingerprint(entry);
  if (known.term == 0) {
    known = CommittedEntry{entry.term, fingerprint, highest_term};
    return;
  }
  if (known.term != entry.term || known.fingerprint != fingerprint)
    violations_.report(kName,
                       who + " applied (index " + std::to_string(entry.index) + ", term " +
                           std::to_string(entry.term) + ") where (index " +
                           std::to_string(entry.index) + ", term " + std::to_string(known.term) +
                           ") with " + (known.fingerprint == fingerprint ? "the same" : "different") +
                           " data was applied before: a committed entry was lost",
                       now);
}

}  // namespace synod::sim
