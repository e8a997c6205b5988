// wal_bench [directory] [threads] [seconds]: appends of one 100-byte entry per commit through
// GroupCommitter on the real file system; prints appends/s and fdatasyncs/s.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "storage/group_committer.h"
#include "storage_test_util.h"

using namespace synod;
using namespace synod::storage;

int main(int argc, char** argv) {
  testing::TempDirectory temp;
  std::string dir = (argc > 1 ? std::string(argv[1]) : temp.path()) + "/wal-bench";
  int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  PosixFileSystem posix;
  testing::CountingFileSystem fs(posix);
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  WalOptions options;
  options.segment_bytes = 64ull << 20;
  if (Status status = Wal::open(fs, dir, options, wal, recovery); !status.ok()) {
    std::fprintf(stderr, "%s\n", status.message().c_str());
    return 1;
  }
  GroupCommitter committer(*wal);
  const uint64_t syncs_before = fs.sync_count();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commits{0};
  std::vector<std::thread> workers;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] {
      std::string data(100, 'b');
      while (!stop.load()) {
        Status status = committer.commit([&](Wal& log) {
          return log.append({testing::make_entry(log.last_index() + 1, 1, data)}, std::nullopt);
        });
        if (!status.ok()) {
          std::fprintf(stderr, "%s\n", status.message().c_str());
          std::exit(1);
        }
        ++commits;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t syncs = fs.sync_count() - syncs_before;
  std::printf(
      "%d threads: %.0f appends/s, %.0f fdatasyncs/s, %.1f appends per fdatasync (%s)\n", threads,
      static_cast<double>(commits.load()) / elapsed, static_cast<double>(syncs) / elapsed,
      static_cast<double>(commits.load()) / static_cast<double>(syncs ? syncs : 1), dir.c_str());
  return 0;
}
