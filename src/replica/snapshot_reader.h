#pragma once
// The engine's SnapshotSource over the replica's DurableStorage: the engine keeps only the meta
// of the snapshot its log starts from, and a follower that needs it gets it read back from the
// snapshot files (storage keeps the newest two, so the one the engine compacted to is there while
// snapshot_catch_up_entries < snapshot_count; otherwise a newer one serves).
#include <optional>

#include "consensus/engine.h"
#include "storage/durable_storage.h"

namespace synod::replica {

class SnapshotReader final : public consensus::SnapshotSource {
 public:
  explicit SnapshotReader(storage::DurableStorage& storage) : storage_(storage) {}

  std::optional<consensus::Snapshot> load_snapshot(const consensus::SnapshotMeta& meta) override {
    std::optional<consensus::Snapshot> snapshot;
    last_status_ = storage_.load_snapshot(meta.term, meta.index, snapshot);
    if (!last_status_.ok()) return std::nullopt;
    return snapshot;
  }
  std::optional<consensus::Snapshot> load_newest_snapshot() override {
    std::optional<consensus::Snapshot> snapshot;
    last_status_ = storage_.load_newest_snapshot(snapshot);
    if (!last_status_.ok()) return std::nullopt;
    return snapshot;
  }
  // Why the last read failed (ok when it did not).
  const Status& last_status() const { return last_status_; }

 private:
  storage::DurableStorage& storage_;
  Status last_status_ = Status::Ok();
};

}  // namespace synod::replica
