#include "consensus/raft/raft_log.h"

#include <algorithm>
#include <iterator>

#include "core/check.h"

namespace synod::consensus::raft {

void RaftLog::restore(std::optional<Snapshot> snapshot, std::vector<Entry> entries) {
  snapshot_ = std::move(snapshot);
  snapshot_data_dropped_ = false;
  entries_.assign(std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  for (size_t i = 0; i < entries_.size(); ++i)
    SYNOD_CHECK(entries_[i].index == snapshot_index() + 1 + i, "durable entries have a gap");
  unstable_from_ = last_index() + 1;
  payloads_from_ = first_index();
}

std::optional<uint64_t> RaftLog::term(uint64_t index) const {
  if (index == snapshot_index()) return snapshot_term();
  if (index < snapshot_index() || index > last_index()) return std::nullopt;
  return at(index).term;
}

bool RaftLog::match_term(uint64_t index, uint64_t term) const {
  auto ours = this->term(index);
  return ours && *ours == term;
}

bool RaftLog::is_up_to_date(uint64_t index, uint64_t term) const {
  return term > last_term() || (term == last_term() && index >= last_index());
}

uint64_t RaftLog::find_conflict_by_term(uint64_t index, uint64_t term) const {
  index = std::min(index, last_index());
  while (index > snapshot_index() && at(index).term > term) --index;
  return index;
}

uint64_t RaftLog::find_conflict(const std::vector<Entry>& entries) const {
  for (const auto& entry : entries)
    if (!match_term(entry.index, entry.term)) return entry.index;
  return 0;
}

const Entry& RaftLog::at(uint64_t index) const {
  SYNOD_CHECK(index > snapshot_index() && index <= last_index(), "log index out of range");
  return entries_[index - snapshot_index() - 1];
}

std::vector<Entry> RaftLog::slice(uint64_t from, uint64_t to, uint64_t max_bytes) const {
  SYNOD_CHECK(from >= payloads_from_, "slice of dropped payloads");
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (uint64_t index = from; index <= to; ++index) {
    const Entry& entry = at(index);
    if (!out.empty() && bytes + entry.data.size() > max_bytes) break;
    bytes += entry.data.size();
    out.push_back(entry);
  }
  return out;
}

void RaftLog::append(Entry entry) {
  SYNOD_CHECK(entry.index == last_index() + 1, "append must extend the log");
  SYNOD_CHECK(entry.term >= last_term(), "log terms must not decrease");
  entries_.push_back(std::move(entry));
}

void RaftLog::truncate_and_append(std::vector<Entry> entries) {
  if (entries.empty()) return;
  const uint64_t from = entries.front().index;
  SYNOD_CHECK(from >= first_index() && from <= last_index() + 1, "truncation out of range");
  SYNOD_CHECK(from >= payloads_from_, "truncation of dropped payloads");
  entries_.resize(from - first_index());
  unstable_from_ = std::min(unstable_from_, from);
  for (auto& entry : entries) append(std::move(entry));
}

void RaftLog::compact(Snapshot snapshot) {
  const uint64_t index = snapshot.meta.index;
  SYNOD_CHECK(index > snapshot_index() && index <= last_index(), "compaction out of range");
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(index - snapshot_index()));
  snapshot_ = std::move(snapshot);
  snapshot_data_dropped_ = false;
  unstable_from_ = std::max(unstable_from_, index + 1);
  payloads_from_ = std::max(payloads_from_, index + 1);
}

void RaftLog::drop_payloads_through(uint64_t index) {
  SYNOD_CHECK(index < unstable_from_, "dropping the payload of an unstable entry");
  for (; payloads_from_ <= index; ++payloads_from_) {
    Entry& entry = entries_[payloads_from_ - first_index()];
    if (entry.kind == EntryKind::kCommand) std::string().swap(entry.data);
  }
}

void RaftLog::drop_snapshot_data() {
  if (!snapshot_) return;
  std::string().swap(snapshot_->data);
  snapshot_data_dropped_ = true;
}

void RaftLog::reset(Snapshot snapshot) {
  entries_.clear();
  snapshot_ = std::move(snapshot);
  snapshot_data_dropped_ = false;
  unstable_from_ = last_index() + 1;
  payloads_from_ = first_index();
}

std::vector<Entry> RaftLog::take_unstable() {
  std::vector<Entry> out;
  if (has_unstable()) out.assign(entries_.begin() + static_cast<long>(unstable_from_ - first_index()),
                                 entries_.end());
  unstable_from_ = last_index() + 1;
  return out;
}

}  // namespace synod::consensus::raft
