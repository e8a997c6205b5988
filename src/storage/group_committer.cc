#include "storage/group_committer.h"

#include <algorithm>

namespace synod::storage {

Status GroupCommitter::commit(const std::vector<consensus::Entry>& entries,
                              const std::optional<consensus::HardState>& hard_state) {
  return commit([&](Wal& wal) { return wal.append(entries, hard_state); });
}

Status GroupCommitter::commit(const std::function<Status(Wal& wal)>& append) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!failure_.ok()) return failure_;
  if (Status status = append(wal_); !status.ok()) {
    if (!wal_.failure().ok()) {  // an I/O error, not a refused argument: stop everyone
      failure_ = status;
      synced_.notify_all();
    }
    return status;
  }
  const uint64_t batch = ++appended_batches_;
  while (durable_batches_ < batch) {
    if (!failure_.ok()) return failure_;
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    // Lead a sync for every batch appended so far.
    syncing_ = true;
    const uint64_t covered = appended_batches_;
    Wal::SyncTicket ticket = wal_.begin_sync();
    lock.unlock();
    Status status = ticket.file ? ticket.file->sync_data() : Status::Ok();
    lock.lock();
    syncing_ = false;
    if (ticket.file) ++sync_count_;
    wal_.end_sync(ticket, status);
    if (!wal_.failure().ok()) {
      failure_ = wal_.failure();
    } else {
      durable_batches_ = std::max(durable_batches_, covered);
    }
    synced_.notify_all();
  }
  return Status::Ok();
}

uint64_t GroupCommitter::sync_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sync_count_;
}

uint64_t GroupCommitter::commit_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return appended_batches_;
}

}  // namespace synod::storage
