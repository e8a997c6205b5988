#pragma once
// Group commit over a Wal for callers on many threads: each caller appends its batch under one
// mutex and waits until a sync covers it; whichever waiting caller finds no sync in progress
// does the fdatasync for everyone who appended before it started, without holding the mutex, so
// that more batches pile up meanwhile and the next sync covers them all. With N callers and an
// fdatasync of latency L, the number of fdatasyncs is about appends / (batches arriving per L).
//
// Invariant: durable_batches_ <= appended_batches_; batch number n (1-based) is durable once
// durable_batches_ >= n. A failed append or sync stops the committer: every later call, and
// every caller whose batch was not yet durable, gets that error (the Wal is stopped too).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "consensus/log_types.h"
#include "storage/wal.h"

namespace synod::storage {

class GroupCommitter {
 public:
  explicit GroupCommitter(Wal& wal) : wal_(wal) {}

  // Appends the batch and returns once it is durable (or the error that stopped the log).
  Status commit(const std::vector<consensus::Entry>& entries,
                const std::optional<consensus::HardState>& hard_state);
  // The same with the append done by `append`, under the mutex: for callers that choose their
  // entries' indices only once they hold it (wal.last_index() + 1).
  Status commit(const std::function<Status(Wal& wal)>& append);

  uint64_t sync_count() const;
  uint64_t commit_count() const;

 private:
  Wal& wal_;
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  uint64_t appended_batches_ = 0;
  uint64_t durable_batches_ = 0;
  uint64_t sync_count_ = 0;
  bool syncing_ = false;
  Status failure_;
};

}  // namespace synod::storage
