// The write path's durability rules: a leader sends its appends while it persists them but counts
// itself towards a quorum only once they are durable (Raft thesis §10.2.1), and a Ready that only
// moves the commit index needs no sync (etcd's MustSync).
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

bool is_append_from(Cluster& cluster, const Message& message, NodeId from, NodeId to) {
  return message.from == from && message.to == to &&
         cluster.decode(message).type == MessageType::kAppend &&
         !cluster.decode(message).entries.empty();
}

// Thesis §10.2.1: "the leader can write to its disk in parallel with replicating to the
// followers" — and a majority must still hold the entry durably before it commits: with node 3
// cut off, the follower's acknowledgement alone is not a majority while the leader's disk lags.
TEST(WritePath, LeaderAppendsBeforeItsSyncButCountsItselfOnlyOnceDurable) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.deliver_all();
  cluster.isolate(3);
  cluster.slow_disk(1);
  const uint64_t commit_before = cluster.status(1).commit;
  cluster.clear_sent();
  const ProposeResult proposed = cluster.propose(1, "a");
  ASSERT_TRUE(proposed.status.ok());
  ASSERT_TRUE(cluster.node(1).syncing.has_value()) << "the leader is still syncing";
  bool append_left = false;
  for (const Message& message : cluster.sent()) append_left |= is_append_from(cluster, message, 1, 2);
  EXPECT_TRUE(append_left) << "the append left before the leader's sync";

  cluster.deliver_all();  // node 2 persists, acknowledges; the leader steps the acknowledgement
  EXPECT_EQ(cluster.node(2).disk.entries.back().index, proposed.index);
  EXPECT_EQ(cluster.status(1).commit, commit_before) << "committed on one durable copy of three";
  EXPECT_TRUE(cluster.applied(1).empty());
  EXPECT_TRUE(cluster.applied(2).empty());

  cluster.finish_sync(1);  // now leader + node 2 hold it durably
  EXPECT_EQ(cluster.status(1).commit, proposed.index);
  cluster.deliver_all();   // the commit reaches node 2 at once, without waiting for a heartbeat
  EXPECT_EQ(cluster.applied(1), (std::vector<std::string>{"a"}));
  EXPECT_EQ(cluster.applied(2), (std::vector<std::string>{"a"}));
}

// The other order: the leader's own sync finishes first and the follower's acknowledgement
// commits; either way exactly one durable copy besides the leader's is needed.
TEST(WritePath, FollowerAcknowledgementAfterTheLeadersSyncCommits) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.deliver_all();
  cluster.isolate(3);
  cluster.slow_disk(1);
  const ProposeResult proposed = cluster.propose(1, "a");
  ASSERT_TRUE(proposed.status.ok());
  cluster.finish_sync(1);
  EXPECT_LT(cluster.status(1).commit, proposed.index);
  cluster.deliver_all();
  EXPECT_EQ(cluster.status(1).commit, proposed.index);
  EXPECT_EQ(cluster.applied(1), (std::vector<std::string>{"a"}));
}

// A lone voter has no one to send to: it commits once its own sync is done.
TEST(WritePath, SingleVoterCommitsOnlyAfterItsSync) {
  Cluster cluster({1});
  cluster.elect(1);
  cluster.slow_disk(1);
  const ProposeResult proposed = cluster.propose(1, "a");
  ASSERT_TRUE(proposed.status.ok());
  EXPECT_LT(cluster.status(1).commit, proposed.index);
  cluster.finish_sync(1);
  EXPECT_EQ(cluster.status(1).commit, proposed.index);
  EXPECT_EQ(cluster.applied(1), (std::vector<std::string>{"a"}));
}

// Counting fsyncs: one write costs each member exactly one sync (its append); the commit index
// that follows is written without one.
TEST(WritePath, OneWriteCostsEachMemberOneSync) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.tick_all(3);
  std::map<NodeId, uint64_t> syncs_before;
  for (NodeId id : {1, 2, 3}) syncs_before[id] = cluster.node(id).syncs;
  ASSERT_TRUE(cluster.propose(1, "a").status.ok());
  cluster.deliver_all();
  for (NodeId id : {1, 2, 3}) {
    EXPECT_EQ(cluster.applied(id), (std::vector<std::string>{"a"})) << "node " << id;
    EXPECT_EQ(cluster.node(id).syncs - syncs_before[id], 1u) << "node " << id;
    EXPECT_GE(cluster.node(id).unsynced_writes, 1u) << "node " << id << ": the commit index";
  }
}

// Proposals made between two Readies (one turn of the driver's loop) go out together: one append
// per follower carrying all of them, one acknowledgement back, rather than one of each per write.
TEST(WritePath, ProposalsOfOneTurnTravelInOneAppendPerFollower) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.tick_all(2);
  cluster.clear_sent();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(cluster.engine(1).propose("c" + std::to_string(i)).status.ok());
  cluster.process(1);
  for (NodeId follower : {2, 3}) {
    size_t appends = 0;
    for (const Message& message : cluster.sent()) {
      if (!is_append_from(cluster, message, 1, follower)) continue;
      ++appends;
      EXPECT_EQ(cluster.decode(message).entries.size(), 10u);
    }
    EXPECT_EQ(appends, 1u) << "follower " << follower;
  }
  cluster.deliver_all();
  for (NodeId id : {1, 2, 3}) EXPECT_EQ(cluster.applied(id).size(), 10u) << "node " << id;
}

// What needs a sync: entries, a new term or vote; not a commit index alone.
TEST(WritePath, MustSyncOnlyForEntriesTermOrVote) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.deliver_all();
  cluster.slow_disk(2);
  ASSERT_TRUE(cluster.propose(1, "a").status.ok());
  // Node 2 holds its append Ready (entries: must sync); the leader commits with node 3.
  cluster.deliver_all();
  ASSERT_TRUE(cluster.node(2).syncing.has_value());
  EXPECT_TRUE(cluster.node(2).syncing->must_sync);
  EXPECT_FALSE(cluster.node(2).syncing->entries.empty());
  const uint64_t unsynced_before = cluster.node(2).unsynced_writes;
  cluster.finish_sync(2);
  cluster.deliver_all();  // the commit index arrives: written without a sync
  EXPECT_FALSE(cluster.node(2).syncing.has_value());
  EXPECT_GT(cluster.node(2).unsynced_writes, unsynced_before);
  EXPECT_EQ(cluster.applied(2), (std::vector<std::string>{"a"}));
}

// A leader that crashes before its sync loses its copy; the entry was not committed (the
// follower's copy alone is no majority), so nothing acknowledged is lost, and the cluster goes on.
TEST(WritePath, LeaderCrashBeforeItsSyncLosesNothingCommitted) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.deliver_all();
  cluster.isolate(3);
  cluster.slow_disk(1);
  const ProposeResult proposed = cluster.propose(1, "a");
  cluster.deliver_all();
  EXPECT_LT(cluster.status(1).commit, proposed.index);
  cluster.crash(1);
  cluster.heal();
  cluster.restart(1);
  cluster.slow_disk(1, false);
  cluster.tick_all(60);
  const NodeId leader = cluster.leader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(cluster.propose(leader, "b").status.ok());
  cluster.deliver_all();
  cluster.tick_all(3);
  for (NodeId id : {1, 2, 3}) EXPECT_EQ(cluster.applied(id), cluster.applied(leader)) << id;
  EXPECT_EQ(cluster.applied(leader).back(), "b");
}

}  // namespace
}  // namespace synod::consensus::raft::testing
