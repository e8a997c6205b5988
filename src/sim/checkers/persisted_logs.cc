#include "sim/checkers/persisted_logs.h"

#include "sim/fingerprint.h"

namespace synod::sim {

uint64_t entry_fingerprint(const consensus::Entry& entry) {
  return fnv1a(entry.data, fnv1a_u64(static_cast<uint64_t>(entry.kind)));
}

std::optional<uint64_t> PersistedLog::term_at(uint64_t index) const {
  if (index == base_index) return base_term;
  if (index < base_index || index > last_index()) return std::nullopt;
  return terms[index - base_index - 1];
}

std::optional<uint64_t> PersistedLogs::on_entry(consensus::NodeId node, const consensus::Entry& entry) {
  PersistedLog& log = logs_[node];
  if (entry.index <= log.base_index) return std::nullopt;
  std::optional<uint64_t> previous = log.term_at(entry.index - 1);
  if (entry.index > log.last_index() + 1) {
    // A gap: the disk recovery reports it; restart the view from this entry.
    log.terms.clear();
    log.fingerprints.clear();
    log.base_index = entry.index - 1;
    log.base_term = 0;
    previous.reset();
  }
  const size_t keep = entry.index - log.base_index - 1;
  log.terms.resize(keep);
  log.fingerprints.resize(keep);
  log.terms.push_back(entry.term);
  log.fingerprints.push_back(entry_fingerprint(entry));
  return previous;
}

void PersistedLogs::on_snapshot(consensus::NodeId node, const consensus::SnapshotMeta& meta) {
  PersistedLog& log = logs_[node];
  const bool holds_last = log.term_at(meta.index) == meta.term;
  if (holds_last && meta.index >= log.base_index) {
    const size_t drop = meta.index - log.base_index;
    log.terms.erase(log.terms.begin(), log.terms.begin() + static_cast<std::ptrdiff_t>(drop));
    log.fingerprints.erase(log.fingerprints.begin(),
                           log.fingerprints.begin() + static_cast<std::ptrdiff_t>(drop));
  } else {
    log.terms.clear();
    log.fingerprints.clear();
  }
  log.base_index = meta.index;
  log.base_term = meta.term;
}

void PersistedLogs::reset(consensus::NodeId node, const consensus::DurableState& state) {
  PersistedLog& log = logs_[node];
  log = PersistedLog{};
  if (state.snapshot) {
    log.base_index = state.snapshot->meta.index;
    log.base_term = state.snapshot->meta.term;
  }
  for (const consensus::Entry& entry : state.entries) {
    log.terms.push_back(entry.term);
    log.fingerprints.push_back(entry_fingerprint(entry));
  }
}

}  // namespace synod::sim
