// WAL: one 100-byte entry appended per commit through GroupCommitter on the real disk, from 1 to
// 8 threads (concurrent commits share an fdatasync), and appends without a sync for the cost of
// the encoding and write alone. The counters report fdatasyncs per second and entries per sync.
#include <benchmark/benchmark.h>

#include <memory>

#include "storage/group_committer.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

constexpr size_t kEntryBytes = 100;

// One WAL shared by the threads of a benchmark run, opened by thread 0.
struct SharedWal {
  testing::TempDirectory directory;
  PosixFileSystem posix;
  std::unique_ptr<testing::CountingFileSystem> fs;
  std::unique_ptr<Wal> wal;
  std::unique_ptr<GroupCommitter> committer;

  SharedWal() {
    fs = std::make_unique<testing::CountingFileSystem>(posix);
    WalRecovery recovery;
    const Status status = Wal::open(*fs, directory.path() + "/wal", WalOptions{}, wal, recovery);
    if (!status.ok()) std::abort();
    committer = std::make_unique<GroupCommitter>(*wal);
  }
};

std::unique_ptr<SharedWal> shared_wal;
uint64_t syncs_at_start = 0;

void BM_WalGroupCommit(benchmark::State& state) {
  // Thread 0 sets up before the loop; the loop's start is a barrier for all threads.
  if (state.thread_index() == 0) {
    shared_wal = std::make_unique<SharedWal>();
    syncs_at_start = shared_wal->fs->sync_count();
  }
  const std::string data(kEntryBytes, 'b');
  for (auto _ : state) {
    const Status status = shared_wal->committer->commit([&](Wal& log) {
      return log.append({testing::make_entry(log.last_index() + 1, 1, data)}, std::nullopt);
    });
    if (!status.ok()) state.SkipWithError(status.message().c_str());
  }
  if (state.thread_index() == 0) {
    const double syncs = static_cast<double>(shared_wal->fs->sync_count() - syncs_at_start);
    state.counters["fdatasyncs"] = benchmark::Counter(syncs, benchmark::Counter::kIsRate);
    state.counters["entries_per_sync"] =
        static_cast<double>(state.iterations()) * state.threads() / (syncs > 0 ? syncs : 1);
  }
}
BENCHMARK(BM_WalGroupCommit)->Threads(1)->Threads(4)->Threads(8)->UseRealTime();

void BM_WalAppendWithoutSync(benchmark::State& state) {
  SharedWal wal;
  const std::string data(kEntryBytes, 'b');
  for (auto _ : state) {
    const Status status = wal.wal->append(
        {testing::make_entry(wal.wal->last_index() + 1, 1, data)}, std::nullopt);
    if (!status.ok()) state.SkipWithError(status.message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kEntryBytes));
}
BENCHMARK(BM_WalAppendWithoutSync);

}  // namespace
}  // namespace synod::storage
