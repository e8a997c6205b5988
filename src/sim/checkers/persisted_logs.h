#pragma once
// What each node's disk holds, as the checkers see it: the term of every durable entry after the
// latest durable snapshot. Fed only with records once they are durable (and reset to the
// recovered state after a crash), never with the engine's memory.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "consensus/engine.h"

namespace synod::sim {

// A stable fingerprint of an entry's kind and data (what "same data" means for log matching).
uint64_t entry_fingerprint(const consensus::Entry& entry);

struct PersistedLog {
  uint64_t base_index = 0;  // the snapshot's last index (0: no snapshot)
  uint64_t base_term = 0;
  std::vector<uint64_t> terms;         // terms[k] is the term of entry base_index + 1 + k
  std::vector<uint64_t> fingerprints;  // same positions

  uint64_t last_index() const { return base_index + terms.size(); }
  // The term at `index`, when the log still knows it (the base counts).
  std::optional<uint64_t> term_at(uint64_t index) const;
};

class PersistedLogs {
 public:
  // Appends (or overwrites from its index) a durable entry; returns the term of the entry before
  // it, when known, for the log matching check.
  std::optional<uint64_t> on_entry(consensus::NodeId node, const consensus::Entry& entry);
  void on_snapshot(consensus::NodeId node, const consensus::SnapshotMeta& meta);
  // After a crash and recovery: the log is what was recovered.
  void reset(consensus::NodeId node, const consensus::DurableState& state);

  const PersistedLog& log(consensus::NodeId node) { return logs_[node]; }

 private:
  std::map<consensus::NodeId, PersistedLog> logs_;
};

}  // namespace synod::sim
