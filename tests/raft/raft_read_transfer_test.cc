// ReadIndex (Ongaro's thesis §6.4) and leadership transfer (thesis §3.10).
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

Status read(Cluster& cluster, NodeId id, uint64_t request_id) {
  Status status = cluster.engine(id).read_index(request_id);
  cluster.process(id);
  return status;
}

TEST(ReadIndex, ReleasedOnlyAfterAQuorumAcknowledgesLeadership) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(cluster.propose(1, "w").status.ok());
  cluster.tick_all(2);
  const uint64_t commit = cluster.status(1).commit;
  cluster.isolate(2);
  cluster.isolate(3);
  ASSERT_TRUE(read(cluster, 1, 7).ok());
  cluster.deliver_all();
  cluster.tick(1, 3);
  cluster.deliver_all();
  EXPECT_TRUE(cluster.node(1).reads.empty()) << "no quorum has confirmed the leadership yet";
  cluster.heal();
  cluster.isolate(3);  // one follower's acknowledgement is a quorum with the leader
  cluster.tick(1);
  cluster.deliver_all();
  ASSERT_EQ(cluster.node(1).reads.size(), 1u);
  EXPECT_EQ(cluster.node(1).reads[0].request_id, 7u);
  EXPECT_EQ(cluster.node(1).reads[0].index, commit);
}

TEST(ReadIndex, ReadsAreReleasedInOrderWithTheCommitIndexAtArrival) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(read(cluster, 1, 1).ok());
  const uint64_t first_commit = cluster.status(1).commit;
  cluster.deliver_all();
  ASSERT_TRUE(cluster.propose(1, "w").status.ok());
  cluster.deliver_all();
  ASSERT_TRUE(read(cluster, 1, 2).ok());
  cluster.deliver_all();
  ASSERT_EQ(cluster.node(1).reads.size(), 2u);
  EXPECT_EQ(cluster.node(1).reads[0].index, first_commit);
  EXPECT_EQ(cluster.node(1).reads[1].request_id, 2u);
  EXPECT_EQ(cluster.node(1).reads[1].index, first_commit + 1);
}

TEST(ReadIndex, FollowersRefuse) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  EXPECT_EQ(read(cluster, 2, 1).code(), StatusCode::kNotLeader);
  EXPECT_TRUE(cluster.node(2).reads.empty());
}

TEST(ReadIndex, SingleVoterReleasesImmediately) {
  Cluster cluster({1});
  cluster.elect(1);
  ASSERT_TRUE(read(cluster, 1, 5).ok());
  ASSERT_EQ(cluster.node(1).reads.size(), 1u);
  EXPECT_EQ(cluster.node(1).reads[0].index, cluster.status(1).commit);
}

TEST(ReadIndex, WaitsUntilTheLeaderCommitsInItsTerm) {
  Cluster cluster({1, 2, 3});
  // The new leader's no-op does not get through, but heartbeats do.
  cluster.set_drop_filter([&](const Message& m) {
    return m.from == 1 && cluster.decode(m).type == MessageType::kAppend;
  });
  cluster.elect(1);
  ASSERT_TRUE(read(cluster, 1, 3).ok());
  cluster.tick_all(3);
  EXPECT_TRUE(cluster.node(1).reads.empty()) << "the commit index may still trail the last leader's";
  cluster.set_drop_filter({});
  cluster.tick_all(3);
  ASSERT_EQ(cluster.node(1).reads.size(), 1u);
  EXPECT_EQ(cluster.node(1).reads[0].index, cluster.status(1).last_index);  // includes the no-op
}

TEST(ReadIndex, ADeposedLeaderNeverReleasesItsPendingReads) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(1);
  ASSERT_TRUE(read(cluster, 1, 9).ok());
  // The others elect a new leader and write; the old leader hears of the new term.
  NodeId leader = kNoNode;
  for (int i = 0; i < 300 && (leader = cluster.leader()) == 1; ++i) {
    cluster.tick(2);
    cluster.tick(3);
    cluster.deliver_all();
  }
  ASSERT_NE(leader, 1u);
  ASSERT_TRUE(cluster.propose(leader, "new").status.ok());
  cluster.heal();
  cluster.tick_all(5);
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
  EXPECT_TRUE(cluster.node(1).reads.empty());
  EXPECT_EQ(read(cluster, 1, 10).code(), StatusCode::kNotLeader);
}

TEST(Transfer, TargetBecomesLeaderAtOnce) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  const uint64_t term = cluster.status(1).term;
  ASSERT_TRUE(cluster.engine(1).transfer_leadership(2).ok());
  EXPECT_EQ(cluster.status(1).transfer_target, std::optional<NodeId>(2));
  EXPECT_EQ(cluster.propose(1, "x").status.code(), StatusCode::kProposalDropped);
  cluster.process(1);
  cluster.deliver_all();
  EXPECT_EQ(cluster.leader(), 2u);
  EXPECT_EQ(cluster.status(2).term, term + 1);
  EXPECT_EQ(cluster.status(1).role, Role::kFollower);
  EXPECT_FALSE(cluster.status(1).transfer_target.has_value());
}

TEST(Transfer, LaggingTargetIsCaughtUpFirst) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.propose(1, "c" + std::to_string(i)).status.ok());
  cluster.deliver_all();
  cluster.heal();
  ASSERT_TRUE(cluster.engine(1).transfer_leadership(3).ok());
  cluster.process(1);
  cluster.deliver_all();
  cluster.tick_all(2);
  EXPECT_EQ(cluster.leader(), 3u);
  EXPECT_EQ(cluster.applied(3).size(), 5u);
}

TEST(Transfer, AbortedAfterAnElectionTimeout) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(3);
  ASSERT_TRUE(cluster.engine(1).transfer_leadership(3).ok());
  cluster.tick(1, 9);
  EXPECT_TRUE(cluster.status(1).transfer_target.has_value());
  cluster.tick(1, 1);
  cluster.deliver_all();
  EXPECT_FALSE(cluster.status(1).transfer_target.has_value());
  EXPECT_EQ(cluster.status(1).role, Role::kLeader);
  EXPECT_TRUE(cluster.propose(1, "after").status.ok());
}

TEST(Transfer, RefusedWhereItMakesNoSense) {
  Cluster cluster({1, 2}, {}, {3});
  cluster.elect(1);
  EXPECT_EQ(cluster.engine(2).transfer_leadership(1).code(), StatusCode::kNotLeader);
  EXPECT_EQ(cluster.engine(1).transfer_leadership(3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cluster.engine(1).transfer_leadership(7).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(cluster.engine(1).transfer_leadership(1).ok());
  EXPECT_FALSE(cluster.status(1).transfer_target.has_value());
}

}  // namespace
}  // namespace synod::consensus::raft::testing
