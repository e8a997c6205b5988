#pragma once
// A node's durable state on disk: the WAL and the snapshot files under one data directory, with
// the ordering rules that tie them together. Layout: <data>/wal/ (wal.h), <data>/snap/
// (snapshot_file.h).
//
// Ordering:
//   - a snapshot is saved as a file (atomic, fsynced) BEFORE its marker is appended to the WAL,
//     so a durable marker always names a file that exists;
//   - before saving another snapshot, a marker not yet durable is synced first;
//   - WAL segments and older snapshot files below a snapshot are removed only after its marker
//     is durable (in sync()), so the file the durable marker names is never removed, even when
//     a crash left newer files without markers.
// Recovery: the WAL is recovered (wal.h); if it ends with a snapshot marker, the snapshot file it
// names is loaded — missing, corrupt or with different metadata, that is kCorruption naming the
// file. Snapshot files newer than the marker (a crash between a save and the marker's sync) are
// ignored. The result is the engine's DurableState.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/log_types.h"
#include "storage/file_system.h"
#include "storage/snapshot_file.h"
#include "storage/wal.h"

namespace synod::storage {

struct StorageOptions {
  WalOptions wal;
  size_t snapshots_kept = 2;  // at least 2 (see the ordering rules)
};

class DurableStorage {
 public:
  static Status open(FileSystem& fs, const std::string& data_directory,
                     const StorageOptions& options, std::unique_ptr<DurableStorage>& storage,
                     consensus::DurableState& state, std::vector<std::string>& repairs);

  // Step 1 of the Ready loop, in its order: the snapshot, the entries, the hard state.
  // Durable once sync() returns.
  Status persist(const std::optional<consensus::Snapshot>& snapshot,
                 const std::vector<consensus::Entry>& entries,
                 const std::optional<consensus::HardState>& hard_state);
  // Saves a snapshot (received, or the state machine's own after Engine::compact).
  Status save_snapshot(const consensus::Snapshot& snapshot);
  // One fdatasync for everything persisted; then releases the WAL below the newest snapshot.
  Status sync();

  // A saved snapshot read back (for an engine that dropped its data): the one at (term, index)
  // while its file is kept, else the newest file; nullopt when there is none.
  Status load_snapshot(uint64_t term, uint64_t index, std::optional<consensus::Snapshot>& snapshot);
  // The newest saved snapshot; nullopt when there is none.
  Status load_newest_snapshot(std::optional<consensus::Snapshot>& snapshot) {
    return snapshots_->load_newest(snapshot);
  }

  Wal& wal() { return *wal_; }

 private:
  DurableStorage(std::unique_ptr<Wal> wal, std::unique_ptr<SnapshotStore> snapshots)
      : wal_(std::move(wal)), snapshots_(std::move(snapshots)) {}

  std::unique_ptr<Wal> wal_;
  std::unique_ptr<SnapshotStore> snapshots_;
  bool marker_pending_ = false;  // a snapshot marker appended since the last sync
  uint64_t released_index_ = 0;
};

}  // namespace synod::storage
