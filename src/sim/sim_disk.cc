#include "sim/sim_disk.h"

#include <algorithm>

#include "core/check.h"

namespace synod::sim {

using consensus::DurableState;
using consensus::Entry;

DiskRecord DiskRecord::of(consensus::Snapshot snapshot) {
  DiskRecord record;
  record.kind = Kind::kSnapshot;
  record.snapshot = std::move(snapshot);
  return record;
}

DiskRecord DiskRecord::of(consensus::Entry entry) {
  DiskRecord record;
  record.kind = Kind::kEntry;
  record.entry = std::move(entry);
  return record;
}

DiskRecord DiskRecord::of(consensus::HardState hard_state) {
  DiskRecord record;
  record.kind = Kind::kHardState;
  record.hard_state = std::move(hard_state);
  return record;
}

namespace {
uint64_t first_log_index(const DurableState& state) {
  return state.snapshot ? state.snapshot->meta.index + 1 : 1;
}

Status apply_snapshot_record(DurableState& state, const consensus::Snapshot& snapshot) {
  const uint64_t first = first_log_index(state);
  const uint64_t index = snapshot.meta.index;
  bool holds_last = false;
  if (state.snapshot && state.snapshot->meta.index == index)
    holds_last = state.snapshot->meta.term == snapshot.meta.term;
  if (index >= first && index - first < state.entries.size())
    holds_last = state.entries[index - first].term == snapshot.meta.term;
  if (holds_last && index >= first) {
    state.entries.erase(state.entries.begin(),
                        state.entries.begin() + static_cast<std::ptrdiff_t>(index - first + 1));
  } else if (!holds_last) {
    state.entries.clear();
  }
  state.snapshot = snapshot;
  return Status::Ok();
}

Status apply_entry_record(DurableState& state, const Entry& entry) {
  const uint64_t first = first_log_index(state);
  if (entry.index < first) return Status::Ok();  // covered by the snapshot already
  const uint64_t next = first + state.entries.size();
  if (entry.index > next)
    return {StatusCode::kCorruption, "gap in the log: entry " + std::to_string(entry.index) +
                                         " after " + std::to_string(next - 1)};
  state.entries.resize(entry.index - first);  // an index that repeats truncates the suffix
  state.entries.push_back(entry);
  return Status::Ok();
}
}  // namespace

Status apply_record(DurableState& state, const DiskRecord& record) {
  switch (record.kind) {
    case DiskRecord::Kind::kSnapshot: return apply_snapshot_record(state, record.snapshot);
    case DiskRecord::Kind::kEntry: return apply_entry_record(state, record.entry);
    case DiskRecord::Kind::kHardState: state.hard_state = record.hard_state; return Status::Ok();
  }
  return {StatusCode::kCorruption, "unknown record kind"};
}

void SimDisk::sync_prefix(uint64_t count) {
  SYNOD_CHECK(count <= records_.size(), "sync beyond the end of the disk");
  if (count <= durable_) return;
  bool snapshot_became_durable = false;
  for (uint64_t i = durable_; i < count; ++i)
    snapshot_became_durable |= records_[i].kind == DiskRecord::Kind::kSnapshot;
  durable_ = count;
  if (snapshot_became_durable) collect_garbage();
}

uint64_t SimDisk::crash(Random& random, bool torn) {
  const uint64_t pending = pending_size();
  const uint64_t survivors = torn && pending > 0 ? random.between(0, pending) : 0;
  records_.resize(durable_ + survivors);
  durable_ = records_.size();
  return survivors;
}

Status SimDisk::recover(DurableState& state) const {
  state = DurableState{};
  for (uint64_t i = 0; i < durable_; ++i) {
    Status status = apply_record(state, records_[i]);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

void SimDisk::collect_garbage() {
  uint64_t last_snapshot = durable_;
  for (uint64_t i = durable_; i-- > 0;)
    if (records_[i].kind == DiskRecord::Kind::kSnapshot) {
      last_snapshot = i;
      break;
    }
  if (last_snapshot == durable_) return;
  // Replaying up to the snapshot gives the last hard state, the snapshot and the entries it kept:
  // writing exactly those in place of the prefix leaves recovery unchanged.
  DurableState prefix;
  for (uint64_t i = 0; i <= last_snapshot; ++i)
    if (!apply_record(prefix, records_[i]).ok()) return;  // leave it for recover() to report
  std::vector<DiskRecord> kept;
  if (prefix.hard_state != consensus::HardState{}) kept.push_back(DiskRecord::of(prefix.hard_state));
  kept.push_back(DiskRecord::of(*prefix.snapshot));
  for (const Entry& entry : prefix.entries) kept.push_back(DiskRecord::of(entry));
  const uint64_t removed = last_snapshot + 1;
  const uint64_t kept_count = kept.size();
  if (kept_count >= removed) return;  // nothing to gain
  kept.insert(kept.end(),
              std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(removed)),
              std::make_move_iterator(records_.end()));
  records_ = std::move(kept);
  durable_ = durable_ - removed + kept_count;
}

}  // namespace synod::sim
