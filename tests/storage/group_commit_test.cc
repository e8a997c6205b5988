// Group commit from many threads: every batch is durable when its commit returns, and one
// fdatasync covers many batches.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "storage/group_committer.h"
#include "storage/memory_file_system.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::Entry;

const std::string kDir = "/wal";

// True if the durable bytes of one of the newest segments contain `needle`.
bool durable_somewhere(MemoryFileSystem& fs, const std::string& needle) {
  std::vector<std::string> paths = testing::segment_paths(fs, kDir);
  for (size_t i = paths.size() >= 3 ? paths.size() - 3 : 0; i < paths.size(); ++i) {
    if (fs.durable_contents(paths[i]).find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(GroupCommitTest, EightThreadsAreDurableOnReturnWithFewSyncs) {
  constexpr int kThreads = 8;
  constexpr int kCommitsPerThread = 150;
  MemoryFileSystem memory;
  testing::CountingFileSystem fs(memory, std::chrono::microseconds(500));  // a disk's latency
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  ASSERT_TRUE(Wal::open(fs, kDir, testing::small_wal_options(64 << 10), wal, recovery).ok());
  const uint64_t syncs_before = fs.sync_count();
  GroupCommitter committer(*wal);
  std::atomic<int> not_durable{0};
  std::atomic<int> failed{0};

  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&, thread] {
      for (int i = 0; i < kCommitsPerThread; ++i) {
        std::string data =
            "thread-" + std::to_string(thread) + "-commit-" + std::to_string(i) + ";";
        Status status = committer.commit([&](Wal& log) {
          return log.append({testing::make_entry(log.last_index() + 1, 1, data)}, std::nullopt);
        });
        if (!status.ok()) ++failed;
        if (!durable_somewhere(memory, data)) ++not_durable;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(not_durable.load(), 0) << "a commit returned before its record was durable";

  const uint64_t appends = kThreads * kCommitsPerThread;
  const uint64_t syncs = fs.sync_count() - syncs_before;
  EXPECT_EQ(committer.commit_count(), appends);
  EXPECT_LE(committer.sync_count(), syncs);
  EXPECT_LT(syncs * 3, appends) << syncs << " fdatasyncs for " << appends << " appends";
  std::printf("group commit: %llu appends, %llu fdatasyncs (%.1f appends per fdatasync)\n",
              static_cast<unsigned long long>(appends), static_cast<unsigned long long>(syncs),
              static_cast<double>(appends) / static_cast<double>(syncs));

  // After a crash, every committed record is there, once, at consecutive indices.
  wal.reset();
  Random random(11);
  memory.crash(random, true);
  ASSERT_TRUE(Wal::open(memory, kDir, testing::small_wal_options(64 << 10), wal, recovery).ok());
  ASSERT_EQ(recovery.entries.size(), appends);
  std::set<std::string> seen;
  for (size_t i = 0; i < recovery.entries.size(); ++i) {
    EXPECT_EQ(recovery.entries[i].index, i + 1);
    seen.insert(recovery.entries[i].data);
  }
  EXPECT_EQ(seen.size(), appends);
}

TEST(GroupCommitTest, AFailedSyncFailsEveryWaiterAndEveryLaterCommit) {
  MemoryFileSystem memory;
  testing::CountingFileSystem fs(memory, std::chrono::microseconds(200));
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  ASSERT_TRUE(Wal::open(fs, kDir, testing::small_wal_options(), wal, recovery).ok());
  GroupCommitter committer(*wal);
  ASSERT_TRUE(committer.commit({testing::make_entry(1, 1)}, std::nullopt).ok());
  memory.set_sync_error(EIO);
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Status status = committer.commit([&](Wal& log) {
          return log.append({testing::make_entry(log.last_index() + 1, 1)}, std::nullopt);
        });
        if (status.ok()) ++succeeded;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 0);
  memory.set_sync_error(0);
  Status status = committer.commit({testing::make_entry(2, 1)}, std::nullopt);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("fdatasync"), std::string::npos) << status.message();
}

TEST(GroupCommitTest, ARefusedBatchDoesNotStopTheOthers) {
  MemoryFileSystem fs;
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  ASSERT_TRUE(Wal::open(fs, kDir, testing::small_wal_options(), wal, recovery).ok());
  GroupCommitter committer(*wal);
  EXPECT_EQ(committer.commit({testing::make_entry(5, 1)}, std::nullopt).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(committer.commit({testing::make_entry(1, 1)}, std::nullopt).ok());
}

}  // namespace
}  // namespace synod::storage
