#pragma once
// A node's simulated disk: an append-only list of records (snapshot, entry, hard state), the log a
// real WAL would hold, with a durable prefix.
//
// Fault model (see docs/simulator.md):
//   - append() puts a record in the page cache: it is lost by a crash until a sync covers it.
//   - sync is requested by the driver; sync_prefix() marks the records appended before the request
//     durable once the simulated latency has passed (the latency itself is the driver's choice).
//   - crash() drops every record that is not durable. With a torn write, a random prefix of the
//     pending records survives instead: the disk wrote some of them before power went out. Tearing
//     is at record granularity, because a partially written record is exactly what a real WAL
//     detects by checksum and truncates on recovery.
//   - Records that were durable are never lost or corrupted: recovery must stay possible.
// Recovery rule (recover()): the latest snapshot, then the entries after it, where an entry whose
// index repeats truncates the suffix from that index (a leader overwrote a conflicting tail), and
// the last hard state. A snapshot keeps the entries after it only when the log holds the entry the
// snapshot ends with (same index and term): then the suffix is consistent with it; otherwise the
// snapshot replaces the whole log.
#include <cstdint>
#include <string>
#include <vector>

#include "consensus/engine.h"
#include "core/random.h"
#include "core/status.h"

namespace synod::sim {

struct DiskRecord {
  enum class Kind : uint8_t { kSnapshot, kEntry, kHardState };
  Kind kind = Kind::kEntry;
  consensus::Snapshot snapshot;    // kSnapshot
  consensus::Entry entry;          // kEntry
  consensus::HardState hard_state; // kHardState

  static DiskRecord of(consensus::Snapshot snapshot);
  static DiskRecord of(consensus::Entry entry);
  static DiskRecord of(consensus::HardState hard_state);
};

// Applies one record to a DurableState by the recovery rule above. Fails on a gap in the log.
Status apply_record(consensus::DurableState& state, const DiskRecord& record);

class SimDisk {
 public:
  void append(DiskRecord record) { records_.push_back(std::move(record)); }

  // How many records exist; a sync requested now covers exactly these.
  uint64_t size() const { return records_.size(); }
  uint64_t durable_size() const { return durable_; }
  uint64_t pending_size() const { return records_.size() - durable_; }
  const std::vector<DiskRecord>& records() const { return records_; }

  // Makes the first `count` records durable (a sync requested when size() was `count` completed).
  void sync_prefix(uint64_t count);
  // Loses the records not yet durable; with `torn`, a random prefix of them survives.
  // Returns how many pending records survived.
  uint64_t crash(Random& random, bool torn);
  // Rebuilds what a restarting node finds on disk; only durable records count.
  Status recover(consensus::DurableState& state) const;

 private:
  // Drops records wholly superseded by the latest durable snapshot (like deleting old WAL
  // segments), keeping the last hard state before it. Recovery gives the same result.
  void collect_garbage();

  std::vector<DiskRecord> records_;
  uint64_t durable_ = 0;  // Invariant: durable_ <= records_.size(); records_[0, durable_) survive crashes.
};

}  // namespace synod::sim
