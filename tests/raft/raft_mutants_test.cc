// The deliberate bugs of the simulator's build (SYNOD_MUTANTS): each must really misbehave when
// switched on, or the simulator's checkers could never be shown to catch anything. Linked with
// synod_raft_mutants; the plain build ignores the flags (see raft_replication_test's Figure8).
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

// Figure 8 (c) as in raft_replication_test: S1 leads term 4, and S2 and S3 acknowledge the
// term-2 entry at index 6. Returns S1's commit index afterwards.
uint64_t figure8_commit(uint32_t mutants) {
  const std::vector<NodeId> voters = {1, 2, 3, 4, 5};
  std::map<NodeId, DurableState> disks;
  disks[1] = disk_with_terms(voters, {2}, 3);
  disks[2] = disk_with_terms(voters, {2}, 3);
  disks[3] = disk_with_terms(voters, {2}, 3);
  disks[4] = disk_with_terms(voters, {}, 3);
  disks[5] = disk_with_terms(voters, {3}, 3);
  Cluster cluster(disks, [mutants](EngineConfig& c) { c.mutants = mutants; });
  cluster.set_drop_filter([&](const Message& m) {
    return m.from == 1 && cluster.decode(m).type != MessageType::kVoteRequest;
  });
  cluster.elect(1);
  RaftMessage ack;
  ack.type = MessageType::kAppendResponse;
  ack.term = 4;
  ack.index = 6;
  cluster.step(make_message(2, 1, ack));
  cluster.step(make_message(3, 1, ack));
  return cluster.status(1).commit;
}

TEST(Mutants, CommitOldTermCommitsByCountingOldEntries) {
  EXPECT_EQ(figure8_commit(kMutantNone), 5u);
  EXPECT_EQ(figure8_commit(kMutantCommitOldTerm), 6u);
}

bool grants_vote_to_stale_candidate(uint32_t mutants) {
  Cluster cluster({1, 2, 3}, [mutants](EngineConfig& c) {
    c.mutants = mutants;
    c.check_quorum = false;
  });
  cluster.elect(1);
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = 9;
  request.index = 1;
  request.log_term = 1;  // far behind: 3 bootstrap entries and a no-op of term 2
  cluster.clear_sent();
  cluster.step(make_message(3, 2, request));
  return cluster.sent().size() == 1 && !cluster.decode(cluster.sent()[0]).reject;
}

TEST(Mutants, VoteIgnoresLogGrantsStaleCandidates) {
  EXPECT_FALSE(grants_vote_to_stale_candidate(kMutantNone));
  EXPECT_TRUE(grants_vote_to_stale_candidate(kMutantVoteIgnoresLog));
}

// The leader's disk lags and node 3 is cut off: only node 2's acknowledgement is durable.
uint64_t commit_on_one_durable_copy(uint32_t mutants) {
  Cluster cluster({1, 2, 3}, [mutants](EngineConfig& c) { c.mutants = mutants; });
  cluster.elect(1);
  cluster.deliver_all();
  cluster.isolate(3);
  cluster.slow_disk(1);
  const uint64_t before = cluster.status(1).commit;
  EXPECT_TRUE(cluster.propose(1, "a").status.ok());
  cluster.deliver_all();
  return cluster.status(1).commit - before;
}

TEST(Mutants, CountUnsyncedSelfCommitsBeforeTheLeaderIsDurable) {
  EXPECT_EQ(commit_on_one_durable_copy(kMutantNone), 0u);
  EXPECT_EQ(commit_on_one_durable_copy(kMutantCountUnsyncedSelf), 1u);
}

TEST(Mutants, StaleReadServesAnyNodeAtOnce) {
  Cluster plain({1, 2, 3});
  plain.elect(1);
  EXPECT_EQ(plain.engine(2).read_index(1).code(), StatusCode::kNotLeader);

  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.mutants = kMutantStaleRead; });
  cluster.elect(1);
  cluster.isolate(1);
  cluster.isolate(2);
  ASSERT_TRUE(cluster.engine(2).read_index(4).ok());
  ASSERT_TRUE(cluster.engine(1).read_index(5).ok());
  cluster.process(1);
  cluster.process(2);
  ASSERT_EQ(cluster.node(2).reads.size(), 1u);
  EXPECT_EQ(cluster.node(2).reads[0].index, cluster.status(2).commit);
  ASSERT_EQ(cluster.node(1).reads.size(), 1u) << "no heartbeat round, even cut off";
}

}  // namespace
}  // namespace synod::consensus::raft::testing
