#pragma once
// The rules that turn a sequence of WAL records into a log, shared by recovery (which keeps the
// entries) and by the writer (which keeps only index and term, to validate appends).
//
//   entry e       appended after the last item; if e.index <= last, everything from e.index on
//                 is dropped first (a leader overwrote a conflicting suffix).
//   snapshot S    if the items hold S.index with S.term, the items up to S.index are dropped and
//                 the rest kept (they extend the snapshot); if they hold S.index with another
//                 term, or end before it, they are all dropped (the snapshot replaces the log);
//                 items that all lie after S.index are kept.
// Invariant: items are contiguous (item[i + 1].index == item[i].index + 1) and all lie after
// the snapshot's index. When the log is consistent, the first item is at snapshot index + 1.
#include <cstdint>
#include <deque>
#include <optional>

#include "consensus/log_types.h"

namespace synod::storage {

template <typename Item>  // has uint64_t index, term
class LogShape {
 public:
  const std::optional<consensus::SnapshotMeta>& snapshot() const { return snapshot_; }
  const std::deque<Item>& items() const { return items_; }
  std::deque<Item>& items() { return items_; }
  uint64_t snapshot_index() const { return snapshot_ ? snapshot_->index : 0; }
  uint64_t last_index() const { return items_.empty() ? snapshot_index() : items_.back().index; }

  // Whether an entry at `index` keeps the items contiguous and after the snapshot.
  bool accepts(uint64_t index) const {
    if (index <= snapshot_index()) return false;
    return items_.empty() || index <= items_.back().index + 1;
  }
  // Whether the items start right after the snapshot (or at 1 without one).
  bool follows_snapshot() const {
    return items_.empty() || items_.front().index == snapshot_index() + 1;
  }

  // Requires accepts(item.index).
  void add(Item item) {
    if (!items_.empty() && item.index <= items_.back().index) {
      if (item.index < items_.front().index) {
        items_.clear();
      } else {
        items_.erase(items_.begin() + static_cast<long>(item.index - items_.front().index),
                     items_.end());
      }
    }
    items_.push_back(std::move(item));
  }

  // Requires meta.index >= snapshot_index().
  void apply_snapshot(const consensus::SnapshotMeta& meta) {
    if (!items_.empty() && items_.front().index <= meta.index) {
      uint64_t position = meta.index - items_.front().index;
      if (meta.index <= items_.back().index && items_[position].term == meta.term) {
        items_.erase(items_.begin(), items_.begin() + static_cast<long>(position + 1));
      } else {
        items_.clear();
      }
    }
    snapshot_ = meta;
  }

 private:
  std::optional<consensus::SnapshotMeta> snapshot_;
  std::deque<Item> items_;
};

}  // namespace synod::storage
