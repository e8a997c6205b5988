// Log compaction and InstallSnapshot (Raft §7).
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

size_t count_sent(Cluster& cluster, NodeId to, MessageType type) {
  size_t count = 0;
  for (const Message& message : cluster.sent())
    if (message.to == to && cluster.decode(message).type == type) ++count;
  return count;
}

void propose_many(Cluster& cluster, NodeId leader, int count, const std::string& prefix) {
  for (int i = 0; i < count; ++i)
    ASSERT_TRUE(cluster.propose(leader, prefix + std::to_string(i)).status.ok());
  cluster.deliver_all();
}

TEST(Snapshot, CompactionDropsTheLogUpToTheAppliedIndex) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  propose_many(cluster, 1, 10, "c");
  const uint64_t applied = cluster.status(1).applied;
  ASSERT_TRUE(cluster.compact(1).ok());
  EXPECT_EQ(cluster.status(1).first_index, applied + 1);
  const Snapshot& snapshot = *cluster.engine(1).snapshot();
  EXPECT_EQ(snapshot.meta.index, applied);
  EXPECT_EQ(snapshot.meta.term, cluster.status(1).term);
  EXPECT_EQ(snapshot.meta.membership, (Membership{{1, 2, 3}, {}}));
  EXPECT_EQ(cluster.engine(1).compact(applied, "again").code(), StatusCode::kCompacted);
  EXPECT_EQ(cluster.engine(1).compact(applied + 100, "x").code(), StatusCode::kInvalidArgument);
}

TEST(Snapshot, LaggingFollowerIsCaughtUpByInstallSnapshot) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(3);
  propose_many(cluster, 1, 20, "a");
  cluster.tick_all(2);
  ASSERT_TRUE(cluster.compact(1).ok());
  const uint64_t snapshot_index = cluster.engine(1).snapshot()->meta.index;
  propose_many(cluster, 1, 5, "b");
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
  EXPECT_EQ(cluster.applied(3).size(), 25u);
  // The follower's log now starts at the snapshot, which it persisted.
  EXPECT_EQ(cluster.status(3).first_index, snapshot_index + 1);
  ASSERT_TRUE(cluster.node(3).disk.snapshot.has_value());
  EXPECT_EQ(cluster.node(3).disk.snapshot->meta.index, snapshot_index);
  EXPECT_EQ(cluster.status(3).commit, cluster.status(1).commit);
  EXPECT_EQ(cluster.engine(1).progress(3)->state, ProgressState::kReplicate);
}

TEST(Snapshot, LostSnapshotIsRetriedAfterAnElectionTimeout) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(3);
  propose_many(cluster, 1, 5, "a");
  ASSERT_TRUE(cluster.compact(1).ok());
  cluster.heal();
  bool dropped_one = false;
  cluster.set_drop_filter([&](const Message& m) {
    if (dropped_one || cluster.decode(m).type != MessageType::kInstallSnapshot) return false;
    return dropped_one = true;
  });
  cluster.tick_all(40);
  EXPECT_TRUE(dropped_one);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
}

TEST(Snapshot, RestartFromSnapshotAndLogReplaysOnlyEntriesAfterTheSnapshot) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  propose_many(cluster, 1, 10, "a");
  cluster.tick_all(2);
  ASSERT_TRUE(cluster.compact(2).ok());
  const uint64_t snapshot_index = cluster.engine(2).snapshot()->meta.index;
  propose_many(cluster, 1, 3, "b");
  cluster.tick_all(2);
  const std::vector<std::string> before = cluster.applied(2);
  cluster.crash(2);
  // Watch the first Ready after restart: it re-delivers only what follows the snapshot.
  TestNode& node = cluster.node(2);
  auto engine = std::make_unique<RaftEngine>(node.config, node.disk);
  EXPECT_EQ(engine->status().applied, snapshot_index);
  EXPECT_EQ(engine->status().first_index, snapshot_index + 1);
  EXPECT_EQ(engine->status().membership, (Membership{{1, 2, 3}, {}}));
  ASSERT_TRUE(engine->has_ready());
  Ready ready = engine->ready();
  EXPECT_FALSE(ready.snapshot.has_value());
  EXPECT_FALSE(ready.hard_state.has_value());
  ASSERT_EQ(ready.committed.size(), 3u);
  EXPECT_EQ(ready.committed.front().index, snapshot_index + 1);
  cluster.restart(2);
  EXPECT_EQ(cluster.applied(2), before);
  cluster.tick_all(3);
  EXPECT_EQ(cluster.applied(2), cluster.applied(1));
}

TEST(Snapshot, SnapshotOlderThanTheCommitIsIgnored) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  propose_many(cluster, 1, 5, "a");
  cluster.tick_all(2);
  const EngineStatus before = cluster.status(2);
  RaftMessage install;
  install.type = MessageType::kInstallSnapshot;
  install.term = before.term;
  install.snapshot = Snapshot{{3, 1, Membership{{1, 2, 3}, {}}}, "stale"};
  cluster.clear_sent();
  ASSERT_TRUE(cluster.step(make_message(1, 2, install)).ok());
  EXPECT_EQ(cluster.status(2).first_index, before.first_index);
  EXPECT_EQ(cluster.status(2).last_index, before.last_index);
  EXPECT_FALSE(cluster.node(2).disk.snapshot.has_value());
  ASSERT_EQ(cluster.sent().size(), 1u);
  RaftMessage response = cluster.decode(cluster.sent()[0]);
  EXPECT_EQ(response.type, MessageType::kAppendResponse);
  EXPECT_EQ(response.index, before.commit);
}

TEST(Snapshot, SnapshotReplacesADivergentLog) {
  const std::vector<NodeId> voters = {1, 2, 3};
  std::map<NodeId, DurableState> disks;
  disks[1] = disk_with_terms(voters, {2, 2}, 3);
  disks[2] = disk_with_terms(voters, {2, 2}, 3);
  disks[3] = disk_with_terms(voters, {3, 3, 3}, 3);  // never committed, to be discarded
  disks[1].hard_state.commit = disks[2].hard_state.commit = 5;
  Cluster cluster(disks);
  cluster.isolate(3);
  cluster.elect(1);
  propose_many(cluster, 1, 3, "a");
  cluster.tick_all(2);
  ASSERT_TRUE(cluster.compact(1).ok());
  cluster.heal();
  cluster.tick_all(5);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
  EXPECT_EQ(cluster.status(3).last_index, cluster.status(1).last_index);
  for (const Entry& entry : cluster.node(3).disk.entries) EXPECT_NE(entry.data, "t3@4");
}

// The driver's snapshot files, as the engine's SnapshotSource sees them.
class SavedSnapshots : public SnapshotSource {
 public:
  std::optional<Snapshot> load_snapshot(const SnapshotMeta& meta) override {
    ++loads;
    if (!readable) return std::nullopt;
    for (const Snapshot& snapshot : saved)
      if (snapshot.meta.index == meta.index && snapshot.meta.term == meta.term) return snapshot;
    return saved.empty() ? std::nullopt : std::optional<Snapshot>(saved.back());
  }
  std::optional<Snapshot> load_newest_snapshot() override {
    ++loads;
    if (!readable || saved.empty()) return std::nullopt;
    return saved.back();
  }
  std::vector<Snapshot> saved;
  bool readable = true;
  int loads = 0;
};

// Saves node `id`'s state machine, then compacts with no data, as the replica does with a source.
void compact_through(Cluster& cluster, NodeId id, SavedSnapshots& files) {
  const AppState& app = cluster.node(id).app;
  Snapshot snapshot;
  snapshot.data = app.encode();
  ASSERT_TRUE(cluster.engine(id).compact(app.applied_index, "").ok());
  snapshot.meta = cluster.engine(id).snapshot()->meta;
  files.saved.push_back(std::move(snapshot));
}

TEST(SnapshotSource, TheLeaderKeepsOnlyTheMetaAndReadsTheSnapshotBackForALaggingFollower) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  SavedSnapshots files;
  cluster.engine(1).set_snapshot_source(&files);
  cluster.isolate(3);
  propose_many(cluster, 1, 20, "a");
  cluster.tick_all(2);
  compact_through(cluster, 1, files);
  EXPECT_TRUE(cluster.engine(1).snapshot()->data.empty()) << "the data is dropped from memory";
  EXPECT_EQ(files.loads, 0);
  propose_many(cluster, 1, 5, "b");
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(files.loads, 1);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
  EXPECT_EQ(cluster.applied(3).size(), 25u);
  EXPECT_EQ(cluster.engine(1).progress(3)->state, ProgressState::kReplicate);
}

TEST(SnapshotSource, AnUnreadableSnapshotIsNotSentAndIsReadAgainOnTheNextAppend) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  SavedSnapshots files;
  cluster.engine(1).set_snapshot_source(&files);
  cluster.isolate(3);
  propose_many(cluster, 1, 10, "a");
  compact_through(cluster, 1, files);
  files.readable = false;
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 0u);
  EXPECT_GT(files.loads, 0);
  EXPECT_TRUE(cluster.applied(3).empty());
  files.readable = true;
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
}

TEST(SnapshotSource, ANewerSavedSnapshotOfTheSameLogServesWhenTheCompactedOneIsGone) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  SavedSnapshots files;
  cluster.engine(1).set_snapshot_source(&files);
  cluster.isolate(3);
  propose_many(cluster, 1, 10, "a");
  compact_through(cluster, 1, files);
  propose_many(cluster, 1, 10, "b");
  // A newer snapshot saved but not yet compacted to; the compacted one's file was removed.
  const AppState& app = cluster.node(1).app;
  Snapshot newer;
  newer.meta.index = app.applied_index;
  newer.meta.term = cluster.status(1).term;
  newer.meta.membership = Membership{{9}, {}};  // the engine's own view is what gets sent
  newer.data = app.encode();
  files.saved = {newer};
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(cluster.node(3).disk.snapshot->meta.index, newer.meta.index);
  EXPECT_EQ(cluster.node(3).disk.snapshot->meta.membership, (Membership{{1, 2, 3}, {}}));
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
  EXPECT_EQ(cluster.applied(3).size(), 20u);
}

// The driver's WAL, as the engine's EntrySource sees it: node `id`'s persisted entries.
class PersistedEntries : public EntrySource {
 public:
  PersistedEntries(Cluster& cluster, NodeId id) : cluster_(cluster), id_(id) {}
  Status load_entry(uint64_t index, Entry& entry) override {
    ++loads;
    if (!readable) return {StatusCode::kCorruption, "checksum mismatch"};
    for (const Entry& persisted : cluster_.node(id_).disk.entries) {
      if (persisted.index != index) continue;
      entry = persisted;
      if (wrong_term) ++entry.term;
      return Status::Ok();
    }
    return {StatusCode::kCompacted, "released"};
  }
  int loads = 0;
  bool readable = true;
  bool wrong_term = false;  // what a read of another record, or a stale one, would return

 private:
  Cluster& cluster_;
  NodeId id_;
};

// Node 1 leads, reading payloads back through `wal` (and snapshots through `files`, if given), and
// keeps only the newest `recent` payloads; node 3 was cut off for 20 proposals and two
// CheckQuorum windows (no longer recently active).
void leave_follower_3_far_behind(Cluster& cluster, PersistedEntries& wal, uint64_t recent,
                                 SavedSnapshots* files = nullptr) {
  cluster.elect(1);
  if (files != nullptr) cluster.engine(1).set_snapshot_source(files);
  cluster.engine(1).set_entry_source(&wal, recent);
  cluster.isolate(3);
  propose_many(cluster, 1, 20, "a");
  cluster.tick_all(25);
}

TEST(EntrySource, TheLeaderKeepsRecentPayloadsAndReadsOlderOnesBackForAFarBehindFollower) {
  Cluster cluster({1, 2, 3});
  PersistedEntries wal(cluster, 1);
  leave_follower_3_far_behind(cluster, wal, 3);
  const uint64_t applied = cluster.status(1).applied;
  // Node 3 is down: only the newest 3 applied entries keep their payloads.
  EXPECT_EQ(cluster.engine(1).payloads_from(), applied - 2);
  EXPECT_EQ(wal.loads, 0);
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_GT(wal.loads, 0);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 0u);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1)) << "the read-back entries, in order";
  EXPECT_EQ(cluster.applied(3).size(), 20u);
  EXPECT_EQ(cluster.engine(1).progress(3)->state, ProgressState::kReplicate);
  // Everyone replicating: new payloads are dropped once applied everywhere, minus the window.
  propose_many(cluster, 1, 10, "b");
  cluster.tick_all(2);
  EXPECT_EQ(cluster.engine(1).payloads_from(), cluster.status(1).applied - 2);
}

// A payload that cannot be read back exactly (released, corrupt, another record) is never sent:
// the leader sends a snapshot that covers it.
void expect_snapshot_instead_of_unreadable_entries(bool wrong_term) {
  Cluster cluster({1, 2, 3});
  SavedSnapshots files;
  PersistedEntries wal(cluster, 1);
  leave_follower_3_far_behind(cluster, wal, 0, &files);
  // A snapshot saved but not compacted to yet (the replica compacts catch-up entries later):
  // the log still holds every entry, with its payloads dropped.
  const AppState& app = cluster.node(1).app;
  Snapshot saved;
  saved.meta = {app.applied_index, cluster.status(1).term, Membership{{1, 2, 3}, {}}};
  saved.data = app.encode();
  files.saved = {saved};
  ASSERT_EQ(cluster.status(1).first_index, 1u);
  ASSERT_GT(cluster.engine(1).payloads_from(), 10u);
  wal.readable = wrong_term;
  wal.wrong_term = wrong_term;
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_GT(wal.loads, 0);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(cluster.node(3).disk.snapshot->meta.index, saved.meta.index);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
  EXPECT_EQ(cluster.applied(3).size(), 20u);
  for (const Entry& entry : cluster.node(3).disk.entries) EXPECT_FALSE(entry.data.empty());
}

TEST(EntrySource, AnUnreadablePayloadMakesTheLeaderSendASnapshotInstead) {
  expect_snapshot_instead_of_unreadable_entries(false);
}

TEST(EntrySource, APayloadThatReadsBackWithAnotherTermIsNotSent) {
  expect_snapshot_instead_of_unreadable_entries(true);
}

TEST(EntrySource, WithoutANewEnoughSnapshotNothingIsSentUntilOneIsSaved) {
  Cluster cluster({1, 2, 3});
  SavedSnapshots files;
  PersistedEntries wal(cluster, 1);
  leave_follower_3_far_behind(cluster, wal, 0, &files);
  wal.readable = false;
  cluster.heal();
  cluster.clear_sent();
  cluster.tick_all(5);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 0u);
  EXPECT_TRUE(cluster.applied(3).empty()) << "no wrong or empty entry reached it";
  compact_through(cluster, 1, files);
  cluster.tick_all(30);
  EXPECT_EQ(count_sent(cluster, 3, MessageType::kInstallSnapshot), 1u);
  EXPECT_EQ(cluster.applied(3), cluster.applied(1));
}

}  // namespace
}  // namespace synod::consensus::raft::testing
