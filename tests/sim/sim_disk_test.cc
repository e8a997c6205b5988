#include "sim/sim_disk.h"

#include <gtest/gtest.h>

namespace synod::sim {
namespace {

using consensus::DurableState;
using consensus::Entry;
using consensus::HardState;
using consensus::Snapshot;

Entry entry(uint64_t index, uint64_t term, std::string data = "") {
  return Entry{index, term, consensus::EntryKind::kCommand, data.empty() ? "e" + std::to_string(index) : data};
}

Snapshot snapshot(uint64_t index, uint64_t term) {
  Snapshot snapshot;
  snapshot.meta.index = index;
  snapshot.meta.term = term;
  snapshot.meta.membership.voters = {1, 2, 3};
  snapshot.data = "state@" + std::to_string(index);
  return snapshot;
}

DurableState recovered(const SimDisk& disk) {
  DurableState state;
  EXPECT_TRUE(disk.recover(state).ok());
  return state;
}

TEST(SimDisk, CrashLosesWhatWasNotSynced) {
  SimDisk disk;
  Random random(1);
  disk.append(DiskRecord::of(entry(1, 1)));
  disk.append(DiskRecord::of(HardState{1, 1, 0, ""}));
  disk.sync_prefix(disk.size());
  disk.append(DiskRecord::of(entry(2, 1)));
  disk.append(DiskRecord::of(HardState{2, 0, 1, ""}));
  EXPECT_EQ(disk.pending_size(), 2u);
  EXPECT_EQ(disk.crash(random, /*torn=*/false), 0u);
  const DurableState state = recovered(disk);
  ASSERT_EQ(state.entries.size(), 1u);
  EXPECT_EQ(state.hard_state.term, 1u);
  EXPECT_EQ(state.hard_state.vote, 1u);
}

TEST(SimDisk, TornWriteKeepsAPrefixOfThePendingRecords) {
  bool saw_partial = false;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SimDisk disk;
    Random random(seed);
    disk.append(DiskRecord::of(entry(1, 1)));
    disk.sync_prefix(1);
    for (uint64_t index = 2; index <= 5; ++index) disk.append(DiskRecord::of(entry(index, 1)));
    const uint64_t survivors = disk.crash(random, /*torn=*/true);
    EXPECT_LE(survivors, 4u);
    saw_partial |= survivors > 0 && survivors < 4;
    const DurableState state = recovered(disk);
    ASSERT_EQ(state.entries.size(), 1 + survivors);
    for (size_t i = 0; i < state.entries.size(); ++i) EXPECT_EQ(state.entries[i].index, i + 1);  // a prefix
  }
  EXPECT_TRUE(saw_partial);
}

TEST(SimDisk, ARepeatedIndexTruncatesTheSuffix) {
  SimDisk disk;
  for (uint64_t index = 1; index <= 4; ++index) disk.append(DiskRecord::of(entry(index, 1)));
  disk.append(DiskRecord::of(entry(3, 2, "new3")));
  disk.sync_prefix(disk.size());
  const DurableState state = recovered(disk);
  ASSERT_EQ(state.entries.size(), 3u);
  EXPECT_EQ(state.entries[2].term, 2u);
  EXPECT_EQ(state.entries[2].data, "new3");
}

TEST(SimDisk, ASnapshotKeepsAMatchingSuffixAndReplacesADivergentLog) {
  SimDisk matching;
  for (uint64_t index = 1; index <= 5; ++index) matching.append(DiskRecord::of(entry(index, 1)));
  matching.append(DiskRecord::of(snapshot(3, 1)));  // a local compaction at index 3
  matching.sync_prefix(matching.size());
  DurableState state = recovered(matching);
  ASSERT_TRUE(state.snapshot);
  EXPECT_EQ(state.snapshot->meta.index, 3u);
  ASSERT_EQ(state.entries.size(), 2u);
  EXPECT_EQ(state.entries[0].index, 4u);

  SimDisk divergent;
  for (uint64_t index = 1; index <= 5; ++index) divergent.append(DiskRecord::of(entry(index, 1)));
  divergent.append(DiskRecord::of(snapshot(4, 3)));  // from a leader: index 4 has another term
  divergent.append(DiskRecord::of(entry(5, 3)));
  divergent.sync_prefix(divergent.size());
  state = recovered(divergent);
  ASSERT_TRUE(state.snapshot);
  EXPECT_EQ(state.snapshot->meta.term, 3u);
  ASSERT_EQ(state.entries.size(), 1u);
  EXPECT_EQ(state.entries[0].term, 3u);
}

TEST(SimDisk, GarbageCollectionDoesNotChangeRecovery) {
  SimDisk disk;
  SimDisk reference;
  auto both = [&](DiskRecord record) {
    disk.append(record);
    reference.append(std::move(record));
  };
  both(DiskRecord::of(HardState{3, 2, 0, ""}));
  for (uint64_t index = 1; index <= 10; ++index) both(DiskRecord::of(entry(index, 3)));
  disk.sync_prefix(disk.size());
  both(DiskRecord::of(snapshot(7, 3)));
  disk.sync_prefix(disk.size());  // the snapshot becomes durable: older records are collected
  EXPECT_LT(disk.size(), reference.size());
  reference.sync_prefix(reference.size());
  DurableState collected, full;
  ASSERT_TRUE(disk.recover(collected).ok());
  ASSERT_TRUE(reference.recover(full).ok());
  EXPECT_EQ(collected.hard_state, full.hard_state);
  EXPECT_EQ(collected.snapshot, full.snapshot);
  EXPECT_EQ(collected.entries, full.entries);
}

TEST(SimDisk, AGapIsReportedAsCorruption) {
  SimDisk disk;
  disk.append(DiskRecord::of(entry(1, 1)));
  disk.append(DiskRecord::of(entry(3, 1)));
  disk.sync_prefix(disk.size());
  DurableState state;
  EXPECT_EQ(disk.recover(state).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace synod::sim
