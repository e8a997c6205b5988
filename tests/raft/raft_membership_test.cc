// Single-server membership changes (Ongaro's thesis §4.1), applied when committed.
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

using Type = MembershipChange::Type;

void settle(Cluster& cluster, int ticks = 5) { cluster.tick_all(ticks); }

ProposeResult change(Cluster& cluster, NodeId leader, Type type, NodeId node) {
  ProposeResult result = cluster.engine(leader).change_membership({type, node});
  cluster.process(leader);
  return result;
}

TEST(Membership, JoiningNodeAddedAsLearnerCatchesUpButDoesNotVote) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(cluster.propose(1, "before").status.ok());
  cluster.add_joining_node(4);
  EXPECT_EQ(cluster.status(4).membership, Membership{});
  ASSERT_TRUE(change(cluster, 1, Type::kAddLearner, 4).status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3}, {4}}));
  EXPECT_EQ(cluster.status(4).membership, (Membership{{1, 2, 3}, {4}}));
  EXPECT_EQ(cluster.status(4).role, Role::kLearner);
  EXPECT_EQ(cluster.applied(4), std::vector<std::string>{"before"});
  // A learner's acknowledgement does not make a quorum.
  cluster.isolate(2);
  cluster.isolate(3);
  ASSERT_TRUE(cluster.propose(1, "needs a voter").status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(4).last_index, cluster.status(1).last_index);
  EXPECT_LT(cluster.status(1).commit, cluster.status(1).last_index);
}

TEST(Membership, PromotedLearnerVotesAndCounts) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.add_joining_node(4);
  ASSERT_TRUE(change(cluster, 1, Type::kAddLearner, 4).status.ok());
  settle(cluster);
  ASSERT_TRUE(change(cluster, 1, Type::kPromoteLearner, 4).status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(4).role, Role::kFollower);
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3, 4}, {}}));
  // Quorum is now 3 of 4: leader + 4 is not enough, leader + 4 + 2 is.
  cluster.isolate(2);
  cluster.isolate(3);
  ASSERT_TRUE(cluster.propose(1, "x").status.ok());
  settle(cluster);
  EXPECT_TRUE(cluster.applied(1).empty());
  cluster.heal();
  cluster.isolate(3);
  settle(cluster);
  EXPECT_EQ(cluster.applied(1), std::vector<std::string>{"x"});
}

TEST(Membership, AddVoterDirectlyAndElectIt) {
  Cluster cluster({1});
  cluster.elect(1);
  cluster.add_joining_node(2);
  ASSERT_TRUE(change(cluster, 1, Type::kAddVoter, 2).status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(2).membership, (Membership{{1, 2}, {}}));
  ASSERT_TRUE(cluster.engine(1).transfer_leadership(2).ok());
  cluster.process(1);
  settle(cluster);
  EXPECT_EQ(cluster.leader(), 2u);
}

TEST(Membership, RemovedFollowerStopsCampaigning) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(change(cluster, 1, Type::kRemoveNode, 3).status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2}, {}}));
  EXPECT_EQ(cluster.status(3).membership, (Membership{{1, 2}, {}}));
  EXPECT_EQ(cluster.engine(1).progress(3), nullptr);
  cluster.clear_sent();
  cluster.tick_all(100);
  for (const Message& message : cluster.sent()) {
    if (message.from == 3) ADD_FAILURE() << "removed node sent " << cluster.engine(3).describe(message);
  }
  EXPECT_EQ(cluster.leader(), 1u);
}

TEST(Membership, LeaderThatRemovesItselfStepsDownOnceCommitted) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(cluster.propose(1, "a").status.ok());
  settle(cluster);
  ASSERT_TRUE(change(cluster, 1, Type::kRemoveNode, 1).status.ok());
  cluster.deliver_all();
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
  EXPECT_EQ(cluster.status(1).membership, (Membership{{2, 3}, {}}));
  cluster.tick_all(60);
  const NodeId leader = cluster.leader();
  EXPECT_TRUE(leader == 2 || leader == 3);
  ASSERT_TRUE(cluster.propose(leader, "b").status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.applied(2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(cluster.applied(3), (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
}

// A leader whose removal commits hands over with TimeoutNow (thesis §3.10) rather than leaving
// the others to wait for an election timeout, or to need its vote while they have not yet learnt
// that the removal committed.
TEST(Membership, RemovedLeaderHandsOverToACaughtUpVoter) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ASSERT_TRUE(cluster.propose(1, "a").status.ok());
  settle(cluster);
  ASSERT_TRUE(change(cluster, 1, Type::kRemoveNode, 1).status.ok());
  cluster.deliver_all();  // no ticks: only the hand-over can produce a new leader
  const NodeId successor = cluster.leader();
  EXPECT_TRUE(successor == 2 || successor == 3) << "leader " << successor;
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
  ASSERT_TRUE(cluster.propose(successor, "b").status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.applied(2), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(cluster.applied(3), (std::vector<std::string>{"a", "b"}));
}

TEST(Membership, OneChangeAtATimeAndOnlyAfterCommittingInTheTerm) {
  Cluster cluster({1, 2, 3});
  cluster.isolate(2);
  cluster.isolate(3);
  // Elected with votes, but its no-op is not yet committed: no change yet (Ongaro's fix).
  cluster.set_drop_filter([&](const Message& m) {
    return m.from == 1 && cluster.decode(m).type != MessageType::kVoteRequest;
  });
  cluster.heal();
  cluster.elect(1);
  EXPECT_EQ(change(cluster, 1, Type::kAddLearner, 4).status.code(), StatusCode::kProposalDropped);
  cluster.set_drop_filter({});
  settle(cluster);
  cluster.isolate(2);
  cluster.isolate(3);
  ASSERT_TRUE(change(cluster, 1, Type::kAddLearner, 4).status.ok());
  EXPECT_EQ(change(cluster, 1, Type::kAddLearner, 5).status.code(), StatusCode::kProposalDropped);
  // The change is not in force until it commits.
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3}, {}}));
  cluster.heal();
  settle(cluster);
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3}, {4}}));
  EXPECT_TRUE(change(cluster, 1, Type::kAddLearner, 5).status.ok());
}

TEST(Membership, InvalidChangesAreRefused) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  EXPECT_EQ(change(cluster, 1, Type::kAddVoter, 2).status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(change(cluster, 1, Type::kPromoteLearner, 2).status.code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(change(cluster, 1, Type::kRemoveNode, 9).status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(change(cluster, 2, Type::kAddLearner, 9).status.code(), StatusCode::kNotLeader);
}

TEST(Membership, JoiningNodeBehindACompactedLogGetsTheSnapshotMembership) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.propose(1, "c" + std::to_string(i)).status.ok());
  settle(cluster);
  ASSERT_TRUE(change(cluster, 1, Type::kAddLearner, 5).status.ok());
  settle(cluster);
  ASSERT_TRUE(cluster.compact(1).ok());
  cluster.add_joining_node(4);
  ASSERT_TRUE(change(cluster, 1, Type::kAddVoter, 4).status.ok());
  settle(cluster);
  EXPECT_EQ(cluster.status(4).membership, (Membership{{1, 2, 3, 4}, {5}}));
  EXPECT_EQ(cluster.status(4).role, Role::kFollower);
  EXPECT_EQ(cluster.applied(4).size(), 5u);
  EXPECT_TRUE(cluster.node(4).disk.snapshot.has_value());
}

TEST(Membership, JoiningNodeNeverCampaigns) {
  Cluster cluster({1, 2, 3});
  cluster.add_joining_node(9);
  cluster.clear_sent();
  cluster.tick(9, 500);
  EXPECT_TRUE(cluster.sent().empty());
  EXPECT_EQ(cluster.status(9).term, 0u);
}

}  // namespace
}  // namespace synod::consensus::raft::testing

namespace synod::consensus::raft::testing {
namespace {

// Changes are in force when committed, so a node whose commit lags its log (here node 1, which
// crashed after persisting entries 4-6 but before the hard state recording their commit) can be
// two changes behind: it believes in {1,2,3} while the others run {1,2,3,4,5}. Majorities of the
// two need not intersect ({1,2} and {3,4,5}); without the latest-membership quorum of quorum.cc
// both sides would elect a leader in the same term.
TEST(Membership, NodeTwoChangesBehindCannotWinWithAStaleMajority) {
  std::vector<Entry> log = log_with_terms({1, 2, 3}, {});
  log.push_back({4, 2, EntryKind::kNoop, ""});
  log.push_back({5, 2, EntryKind::kMembership, encode_membership_change({Type::kAddVoter, 4})});
  log.push_back({6, 2, EntryKind::kMembership, encode_membership_change({Type::kAddVoter, 5})});
  std::map<NodeId, DurableState> disks;
  for (NodeId id : {1, 2, 3, 4, 5}) {
    disks[id].entries = log;
    disks[id].hard_state = {2, kNoNode, id == 1 ? 3u : 6u, {}};
  }
  Cluster cluster(disks, [](EngineConfig& c) { c.pre_vote = false; });
  ASSERT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3}, {}}));
  ASSERT_EQ(cluster.status(2).membership, (Membership{{1, 2, 3, 4, 5}, {}}));
  for (NodeId a : {1, 2})
    for (NodeId b : {3, 4, 5}) cluster.cut(a, b);
  // Node 1 wins 2 votes of 3 in its committed membership, but not a majority of the latest.
  for (int i = 0; i < 200; ++i) {
    cluster.tick(1);
    cluster.deliver_all();
  }
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
  // The majority side elects a leader and, once healed, everyone follows it.
  cluster.elect(3);
  cluster.heal();
  cluster.tick_all(200);  // node 1's campaigns raised its term: one more election follows
  EXPECT_EQ(cluster.status(1).membership, (Membership{{1, 2, 3, 4, 5}, {}}));
  EXPECT_EQ(cluster.status(1).leader, cluster.leader());
}

}  // namespace
}  // namespace synod::consensus::raft::testing
