#pragma once
// The in-memory Raft log: the latest snapshot (or none) followed by the entries after it.
//
// Payloads: with an EntrySource (engine.h) the engine drops the data of old, durable, applied
// command entries; `payloads_from_` is the first index whose data is still in memory. Index,
// term and kind stay for every entry (the log's shape; membership entries keep their data).
//
// Durability is tracked with one cursor: entries at or after `unstable_from_` have not yet been
// handed out in a Ready; entries before it have been (and are on disk once that Ready is
// advanced, which the engine requires before it hands out the next one).
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "consensus/engine.h"

namespace synod::consensus::raft {

class RaftLog {
 public:
  // Restart: `entries` must follow the snapshot without a gap; all of it is already durable.
  void restore(std::optional<Snapshot> snapshot, std::vector<Entry> entries);

  uint64_t snapshot_index() const { return snapshot_ ? snapshot_->meta.index : 0; }
  uint64_t snapshot_term() const { return snapshot_ ? snapshot_->meta.term : 0; }
  // Its data is empty once dropped (drop_snapshot_data); the meta stays.
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  // Frees the snapshot's data (kept on disk by the driver); until the next compact() or reset().
  void drop_snapshot_data();
  bool snapshot_data_dropped() const { return snapshot_data_dropped_; }
  uint64_t first_index() const { return snapshot_index() + 1; }
  uint64_t last_index() const { return snapshot_index() + entries_.size(); }
  uint64_t last_term() const { return entries_.empty() ? snapshot_term() : entries_.back().term; }
  // The term of the entry at `index`; nullopt when compacted away or beyond the last index.
  std::optional<uint64_t> term(uint64_t index) const;
  bool match_term(uint64_t index, uint64_t term) const;
  // Raft §5.4.1: a candidate's log is at least as up to date as ours.
  bool is_up_to_date(uint64_t last_index, uint64_t last_term) const;
  // The largest index <= `index` whose term is <= `term` (or the snapshot index below which
  // terms are unknown): the fast back-off hint of etcd-io/raft.
  uint64_t find_conflict_by_term(uint64_t index, uint64_t term) const;
  // The first entry of `entries` whose term differs from ours (0 if all match or are new).
  uint64_t find_conflict(const std::vector<Entry>& entries) const;

  // The entry at `index`; its data is empty if has_payload(index) is false.
  const Entry& at(uint64_t index) const;
  // Entries [from, to], all with their payload (from >= payloads_from()); stops before the total
  // data size exceeds max_bytes, but returns at least one entry when the range is not empty.
  std::vector<Entry> slice(uint64_t from, uint64_t to, uint64_t max_bytes) const;

  uint64_t payloads_from() const { return payloads_from_; }
  bool has_payload(uint64_t index) const {
    return index >= payloads_from_ || at(index).kind != EntryKind::kCommand;
  }
  // Frees the data of the command entries up to `index` (which must be durable and applied:
  // nothing truncates or hands them out again; the driver reads them back from its log).
  void drop_payloads_through(uint64_t index);

  void append(Entry entry);
  // Replaces everything from entries.front().index on (which must be in [first, last + 1]).
  void truncate_and_append(std::vector<Entry> entries);
  // Drops entries up to snapshot.meta.index, which must be in the log.
  void compact(Snapshot snapshot);
  // Replaces the whole log by `snapshot` (received from a leader, not yet durable).
  void reset(Snapshot snapshot);

  bool has_unstable() const { return unstable_from_ <= last_index(); }
  // Entries not yet handed out; they count as handed out from now on.
  std::vector<Entry> take_unstable();

 private:
  std::optional<Snapshot> snapshot_;
  bool snapshot_data_dropped_ = false;  // Invariant: implies snapshot_ with empty data
  // Invariant: entries_[i].index == snapshot_index() + 1 + i; terms never decrease.
  // A deque: compaction frees the front, where a vector would keep its peak capacity resident.
  std::deque<Entry> entries_;
  // Invariant: first_index() <= payloads_from_; the command entries before it have empty data.
  uint64_t payloads_from_ = 1;
  // Invariant: first_index() <= unstable_from_ <= last_index() + 1.
  uint64_t unstable_from_ = 1;
};

}  // namespace synod::consensus::raft
