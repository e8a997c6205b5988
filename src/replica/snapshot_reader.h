#pragma once
// The engine's SnapshotSource over the replica's DurableStorage: the engine keeps only the meta
// of the snapshot its log starts from, and a follower that needs it gets it read back from the
// snapshot files (storage keeps the newest two, so the one the engine compacted to is there while
// snapshot_catch_up_entries < snapshot_count; otherwise a newer one serves).
#include <functional>
#include <optional>
#include <utility>

#include "consensus/engine.h"
#include "storage/durable_storage.h"

namespace synod::replica {

class SnapshotReader final : public consensus::SnapshotSource {
 public:
  // `report` hears of every failed read (a missing file is not one: the newest serves).
  SnapshotReader(storage::DurableStorage& storage, std::function<void(const Status&)> report)
      : storage_(storage), report_(std::move(report)) {}

  std::optional<consensus::Snapshot> load_snapshot(const consensus::SnapshotMeta& meta) override {
    std::optional<consensus::Snapshot> snapshot;
    Status status = storage_.load_snapshot(meta.term, meta.index, snapshot);
    return checked(status, std::move(snapshot));
  }
  std::optional<consensus::Snapshot> load_newest_snapshot() override {
    std::optional<consensus::Snapshot> snapshot;
    Status status = storage_.load_newest_snapshot(snapshot);
    return checked(status, std::move(snapshot));
  }

 private:
  std::optional<consensus::Snapshot> checked(const Status& status,
                                             std::optional<consensus::Snapshot> snapshot) {
    if (status.ok()) return snapshot;
    report_(status);
    return std::nullopt;
  }

  storage::DurableStorage& storage_;
  std::function<void(const Status&)> report_;
};

}  // namespace synod::replica
