#include "storage/durable_storage.h"

namespace synod::storage {

Status DurableStorage::open(FileSystem& fs, const std::string& data_directory,
                            const StorageOptions& options, std::unique_ptr<DurableStorage>& storage,
                            consensus::DurableState& state, std::vector<std::string>& repairs) {
  if (options.snapshots_kept < 2)
    return Status(StatusCode::kInvalidArgument, "storage: snapshots_kept must be at least 2");
  auto snapshots = std::make_unique<SnapshotStore>(fs, join_path(data_directory, "snap"),
                                                   options.snapshots_kept);
  if (Status status = snapshots->open(); !status.ok()) return status;
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  Status status = Wal::open(fs, join_path(data_directory, "wal"), options.wal, wal, recovery);
  if (!status.ok()) return status;

  state = consensus::DurableState{};
  if (recovery.snapshot) {
    const consensus::SnapshotMeta& meta = *recovery.snapshot;
    std::string path =
        join_path(join_path(data_directory, "snap"), snapshot_file_name(meta.term, meta.index));
    consensus::Snapshot snapshot;
    status = snapshots->load(meta.term, meta.index, snapshot);
    if (!status.ok()) {
      if (status.code() == StatusCode::kCorruption) return status;
      return Status(StatusCode::kCorruption, "storage: the WAL's snapshot marker names " + path +
                                                 ", which cannot be read: " + status.message());
    }
    if (!(snapshot.meta == meta)) {
      return Status(StatusCode::kCorruption,
                    "storage: " + path + " holds a membership other than the WAL's marker");
    }
    state.snapshot = std::move(snapshot);
  }
  state.hard_state = std::move(recovery.hard_state);
  state.entries = std::move(recovery.entries);
  repairs = std::move(recovery.repairs);
  storage.reset(new DurableStorage(std::move(wal), std::move(snapshots)));
  storage->released_index_ = state.snapshot ? state.snapshot->meta.index : 0;
  return Status::Ok();
}

Status DurableStorage::save_snapshot(const consensus::Snapshot& snapshot) {
  if (marker_pending_) {
    if (Status status = sync(); !status.ok()) return status;
  }
  if (Status status = snapshots_->save(snapshot); !status.ok()) return status;
  if (Status status = wal_->append_snapshot(snapshot.meta); !status.ok()) return status;
  marker_pending_ = true;
  return Status::Ok();
}

Status DurableStorage::persist(const std::optional<consensus::Snapshot>& snapshot,
                               const std::vector<consensus::Entry>& entries,
                               const std::optional<consensus::HardState>& hard_state) {
  if (snapshot) {
    if (Status status = save_snapshot(*snapshot); !status.ok()) return status;
  }
  if (entries.empty() && !hard_state) return Status::Ok();
  return wal_->append(entries, hard_state);
}

Status DurableStorage::sync() {
  if (Status status = wal_->sync(); !status.ok()) return status;
  marker_pending_ = false;
  if (wal_->snapshot_index() > released_index_) {
    if (Status status = wal_->release(wal_->snapshot_index()); !status.ok()) return status;
    released_index_ = wal_->snapshot_index();
    // Only now may older files go: until the marker is durable a restart needs the older one.
    if (Status status = snapshots_->remove_older_than(released_index_); !status.ok()) return status;
  }
  return Status::Ok();
}

Status DurableStorage::load_snapshot(uint64_t term, uint64_t index,
                                     std::optional<consensus::Snapshot>& snapshot) {
  consensus::Snapshot exact;
  if (snapshots_->load(term, index, exact).ok()) {
    snapshot = std::move(exact);
    return Status::Ok();
  }
  return load_newest_snapshot(snapshot);
}

}  // namespace synod::storage
