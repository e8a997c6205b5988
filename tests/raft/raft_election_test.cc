// Elections: Raft §5.2, PreVote and CheckQuorum (Ongaro's thesis §9.6 and §6.2).
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

size_t count_leaders(Cluster& cluster, uint64_t term) {
  size_t leaders = 0;
  for (NodeId id : cluster.ids())
    if (cluster.node(id).up && cluster.status(id).role == Role::kLeader &&
        cluster.status(id).term == term)
      ++leaders;
  return leaders;
}

NodeId wait_for_leader(Cluster& cluster, int max_ticks = 500) {
  for (int i = 0; i < max_ticks && cluster.leader() == kNoNode; ++i) cluster.tick_all();
  return cluster.leader();
}

class ElectionBySize : public ::testing::TestWithParam<int> {};

TEST_P(ElectionBySize, ElectsExactlyOneLeaderThatEveryoneFollows) {
  std::vector<NodeId> voters;
  for (int i = 1; i <= GetParam(); ++i) voters.push_back(static_cast<NodeId>(i));
  Cluster cluster(voters);
  const NodeId leader = wait_for_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const uint64_t term = cluster.status(leader).term;
  EXPECT_EQ(count_leaders(cluster, term), 1u);
  cluster.tick_all(3);
  for (NodeId id : voters) {
    EXPECT_EQ(cluster.status(id).leader, leader) << "node " << id;
    EXPECT_EQ(cluster.status(id).term, term) << "node " << id;
  }
  // The new leader's no-op commits everywhere.
  for (NodeId id : voters) EXPECT_EQ(cluster.status(id).commit, cluster.status(leader).last_index);
  EXPECT_TRUE(cluster.step_errors().empty());
}

INSTANTIATE_TEST_SUITE_P(Sizes, ElectionBySize, ::testing::Values(1, 2, 3, 5, 7));

TEST(Election, SplitVoteResolvesInALaterTerm) {
  Cluster cluster({1, 2, 3, 4}, [](EngineConfig& c) { c.pre_vote = false; });
  // Nodes 1 and 2 time out together; 3 hears only 1 and 4 hears only 2: 2 votes each of 4.
  while (cluster.status(1).role != Role::kCandidate) cluster.tick(1);
  while (cluster.status(2).role != Role::kCandidate) cluster.tick(2);
  cluster.cut(1, 4);
  cluster.cut(2, 3);
  cluster.cut(1, 2);
  cluster.deliver_all();
  EXPECT_EQ(cluster.status(1).role, Role::kCandidate);
  EXPECT_EQ(cluster.status(2).role, Role::kCandidate);
  const uint64_t split_term = cluster.status(1).term;
  cluster.heal();
  const NodeId leader = wait_for_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  EXPECT_GT(cluster.status(leader).term, split_term);
  EXPECT_EQ(count_leaders(cluster, cluster.status(leader).term), 1u);
}

TEST(Election, LeaderStepsDownOnHigherTerm) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  const uint64_t term = cluster.status(1).term;
  RaftMessage heartbeat;
  heartbeat.type = MessageType::kHeartbeat;
  heartbeat.term = term + 5;
  ASSERT_TRUE(cluster.step(make_message(2, 1, heartbeat)).ok());
  EXPECT_EQ(cluster.status(1).role, Role::kFollower);
  EXPECT_EQ(cluster.status(1).term, term + 5);
  EXPECT_EQ(cluster.status(1).leader, 2u);
}

TEST(Election, VoteRulesFollowSection5_4_1) {
  // "If the logs have last entries with different terms, then the log with the later term is
  // more up-to-date. If the logs end with the same term, then whichever log is longer is more
  // up-to-date." (Raft §5.4.1). Node 1 has 3 bootstrap entries of term 1 and a no-op.
  struct Case {
    const char* name;
    uint64_t last_index;
    uint64_t last_term;
    bool granted;
  };
  const Case cases[] = {
      {"older last term", 100, 1, false},
      {"same term, shorter", 3, 2, false},
      {"same term, same length", 4, 2, true},
      {"same term, longer", 9, 2, true},
      {"later term, shorter", 1, 3, true},
  };
  for (const Case& c : cases) {
    Cluster cluster({1, 2, 3}, [](EngineConfig& config) { config.check_quorum = false; });
    cluster.elect(1);
    ASSERT_EQ(cluster.status(1).last_index, 4u);
    ASSERT_EQ(cluster.status(1).term, 2u);
    cluster.engine(1).tick();  // any
    RaftMessage request;
    request.type = MessageType::kVoteRequest;
    request.term = 7;
    request.index = c.last_index;
    request.log_term = c.last_term;
    cluster.clear_sent();
    ASSERT_TRUE(cluster.step(make_message(3, 2, request)).ok()) << c.name;
    ASSERT_EQ(cluster.sent().size(), 1u) << c.name;
    RaftMessage response = cluster.decode(cluster.sent()[0]);
    EXPECT_EQ(response.type, MessageType::kVoteResponse) << c.name;
    EXPECT_EQ(!response.reject, c.granted) << c.name;
    EXPECT_EQ(cluster.status(2).term, 7u) << c.name;
  }
}

TEST(Election, OneVotePerTerm) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.pre_vote = false; });
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = 5;
  request.index = 3;
  request.log_term = 1;
  cluster.clear_sent();
  cluster.step(make_message(1, 2, request));
  cluster.step(make_message(3, 2, request));
  cluster.step(make_message(1, 2, request));  // a duplicate is granted again
  ASSERT_EQ(cluster.sent().size(), 3u);
  EXPECT_FALSE(cluster.decode(cluster.sent()[0]).reject);
  EXPECT_TRUE(cluster.decode(cluster.sent()[1]).reject);
  EXPECT_FALSE(cluster.decode(cluster.sent()[2]).reject);
  EXPECT_EQ(cluster.node(2).disk.hard_state.vote, 1u) << "the vote is persisted";
}

TEST(PreVote, PartitionedNodeDoesNotDisruptTheLeaderOnRejoin) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  const uint64_t term = cluster.status(1).term;
  cluster.isolate(3);
  cluster.tick_all(200);  // node 3 keeps timing out, but PreVote never bumps its term
  EXPECT_EQ(cluster.status(3).term, term);
  EXPECT_EQ(cluster.status(1).role, Role::kLeader);
  cluster.heal();
  cluster.tick_all(50);
  EXPECT_EQ(cluster.leader(), 1u);
  EXPECT_EQ(cluster.status(1).term, term);
  EXPECT_EQ(cluster.status(3).leader, 1u);
}

TEST(PreVote, WithoutPreVoteTheRejoiningNodeDisruptsTheLeader) {
  // The control for the test above: the same scenario with PreVote off does disrupt.
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) {
    c.pre_vote = false;
    c.check_quorum = false;
  });
  cluster.elect(1);
  const uint64_t term = cluster.status(1).term;
  cluster.isolate(3);
  cluster.tick_all(200);
  EXPECT_GT(cluster.status(3).term, term + 5);
  cluster.heal();
  cluster.tick_all(50);
  EXPECT_GT(cluster.status(cluster.leader()).term, term);
}

TEST(CheckQuorum, IsolatedLeaderStepsDown) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(1);
  cluster.tick(1, 2 * 10);
  EXPECT_NE(cluster.status(1).role, Role::kLeader);
  EXPECT_EQ(cluster.status(1).leader, kNoNode);
  // The others elect a new leader meanwhile.
  const NodeId leader = wait_for_leader(cluster);
  EXPECT_TRUE(leader == 2 || leader == 3);
}

TEST(CheckQuorum, WithoutCheckQuorumAnIsolatedLeaderStays) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.check_quorum = false; });
  cluster.elect(1);
  cluster.isolate(1);
  cluster.tick(1, 100);
  EXPECT_EQ(cluster.status(1).role, Role::kLeader);
}

TEST(CheckQuorum, FollowerWithALiveLeaderIgnoresVoteRequests) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  const uint64_t term = cluster.status(1).term;
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = term + 1;
  request.index = 100;
  request.log_term = term;
  cluster.clear_sent();
  ASSERT_TRUE(cluster.step(make_message(3, 2, request)).ok());
  EXPECT_TRUE(cluster.sent().empty()) << "leader stickiness: no answer at all";
  EXPECT_EQ(cluster.status(2).term, term);
  // A TimeoutNow-triggered campaign overrides stickiness.
  request.transfer = true;
  ASSERT_TRUE(cluster.step(make_message(3, 2, request)).ok());
  ASSERT_EQ(cluster.sent().size(), 1u);
  EXPECT_FALSE(cluster.decode(cluster.sent()[0]).reject);
  EXPECT_EQ(cluster.status(2).term, term + 1);
}

TEST(Election, LearnersNeverCampaign) {
  Cluster cluster({1}, {}, {2});
  cluster.elect(1);
  cluster.isolate(1);
  cluster.tick(2, 500);
  EXPECT_EQ(cluster.status(2).role, Role::kLearner);
  for (const Message& message : cluster.sent()) {
    if (message.from == 2) {
      EXPECT_NE(cluster.decode(message).type, MessageType::kVoteRequest);
    }
  }
}

}  // namespace
}  // namespace synod::consensus::raft::testing

namespace synod::consensus::raft::testing {
namespace {

// The plain build compiles the mutants out: setting their flags changes nothing.
TEST(PlainBuild, MutantFlagsAreIgnored) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) {
    c.mutants = kMutantVoteIgnoresLog | kMutantStaleRead | kMutantCommitOldTerm;
    c.check_quorum = false;
  });
  cluster.elect(1);
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = 9;
  request.index = 1;
  request.log_term = 1;
  cluster.clear_sent();
  ASSERT_TRUE(cluster.step(make_message(3, 2, request)).ok());
  ASSERT_EQ(cluster.sent().size(), 1u);
  EXPECT_TRUE(cluster.decode(cluster.sent()[0]).reject) << "vote granted to a stale log";
  EXPECT_EQ(cluster.engine(2).read_index(1).code(), StatusCode::kNotLeader);
}

}  // namespace
}  // namespace synod::consensus::raft::testing
