// Log replication (Raft §5.3), the commit rule (§5.4.2, Figure 8), flow control and back-off.
#include <gtest/gtest.h>

#include <memory>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

std::vector<uint64_t> terms_on_disk(Cluster& cluster, NodeId id) {
  std::vector<uint64_t> terms;
  for (const Entry& entry : cluster.node(id).disk.entries) terms.push_back(entry.term);
  return terms;
}

TEST(Replication, CommandsCommitAndApplyEverywhereInOrder) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  for (int i = 0; i < 10; ++i) {
    ProposeResult result = cluster.propose(1, "cmd" + std::to_string(i));
    ASSERT_TRUE(result.status.ok());
    EXPECT_EQ(result.term, cluster.status(1).term);
    EXPECT_EQ(result.index, cluster.status(1).last_index);
  }
  cluster.deliver_all();
  cluster.tick_all(2);
  for (NodeId id : {1, 2, 3}) {
    ASSERT_EQ(cluster.applied(id).size(), 10u) << "node " << id;
    EXPECT_EQ(cluster.applied(id)[9], "cmd9");
    EXPECT_EQ(cluster.status(id).commit, cluster.status(1).last_index);
    EXPECT_EQ(cluster.status(id).applied, cluster.status(1).last_index);
  }
  EXPECT_TRUE(cluster.step_errors().empty());
}

TEST(Replication, FollowersRefuseProposalsWithALeaderHint) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  ProposeResult result = cluster.propose(2, "x");
  EXPECT_EQ(result.status.code(), StatusCode::kNotLeader);
  EXPECT_EQ(result.leader_hint, 1u);
}

TEST(Replication, NothingIsAppliedBeforeAQuorumHasIt) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.isolate(2);
  cluster.isolate(3);
  ASSERT_TRUE(cluster.propose(1, "lonely").status.ok());
  cluster.tick_all(3);
  EXPECT_TRUE(cluster.applied(1).empty());
  cluster.heal();
  cluster.tick_all(3);
  EXPECT_EQ(cluster.applied(1), std::vector<std::string>{"lonely"});
}

// Raft Figure 7: "any of scenarios (a)-(f) could occur in follower logs". The leader of term 8
// must make every log identical to its own, overwriting (c)'s, (d)'s and (f)'s extra entries.
TEST(Replication, Figure7DivergentFollowerLogsAreRepairedWithFewRoundTrips) {
  const std::vector<NodeId> voters = {1, 2, 3, 4, 5, 6, 7};
  const std::vector<uint64_t> leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  std::map<NodeId, DurableState> disks;
  disks[1] = disk_with_terms(voters, leader, 7);
  disks[2] = disk_with_terms(voters, {1, 1, 1, 4, 4, 5, 5, 6, 6}, 6);           // (a)
  disks[3] = disk_with_terms(voters, {1, 1, 1, 4}, 4);                          // (b)
  disks[4] = disk_with_terms(voters, {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 6);     // (c)
  disks[5] = disk_with_terms(voters, {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 7);  // (d)
  disks[6] = disk_with_terms(voters, {1, 1, 1, 4, 4, 4, 4}, 4);                 // (e)
  disks[7] = disk_with_terms(voters, {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 3);     // (f)
  Cluster cluster(disks);
  cluster.elect(1);
  ASSERT_EQ(cluster.status(1).term, 8u);
  cluster.tick_all(3);
  const std::vector<uint64_t> expected = terms_on_disk(cluster, 1);
  for (NodeId id : voters) {
    EXPECT_EQ(terms_on_disk(cluster, id), expected) << "node " << id;
    EXPECT_EQ(cluster.status(id).commit, cluster.status(1).last_index) << "node " << id;
  }
  // Fast back-off: (f) diverges over 8 entries of two terms; one rejection per term, not per
  // entry, plus the first probe.
  size_t rejections_from_f = 0;
  for (const Message& message : cluster.sent()) {
    if (message.from != 7) continue;
    RaftMessage decoded = cluster.decode(message);
    if (decoded.type == MessageType::kAppendResponse && decoded.reject) ++rejections_from_f;
  }
  EXPECT_GE(rejections_from_f, 1u);
  EXPECT_LE(rejections_from_f, 3u);
}

// Raft Figure 8 and §5.4.2: "Raft never commits log entries from previous terms by counting
// replicas. Only log entries from the leader's current term are committed by counting replicas."
class Figure8 : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Figure8, OldTermEntryOnAMajorityIsNotCommittedByCounting) {
  const std::vector<NodeId> voters = {1, 2, 3, 4, 5};
  std::map<NodeId, DurableState> disks;
  // (c): S1 (term 2 entry, replicated to S2 and S3 meanwhile) restarts and wins term 4;
  // S5 holds the term-3 entry it accepted as leader of term 3; S4 has neither.
  disks[1] = disk_with_terms(voters, {2}, 3);
  disks[2] = disk_with_terms(voters, {2}, 3);
  disks[3] = disk_with_terms(voters, {2}, 3);
  disks[4] = disk_with_terms(voters, {}, 3);
  disks[5] = disk_with_terms(voters, {3}, 3);
  // GetParam() = the commit-old-term mutant flag, which a plain build must ignore.
  Cluster cluster(disks, [](EngineConfig& c) { c.mutants = GetParam(); });
  // S1's appends never arrive (it "crashes" right after winning); only its vote requests do.
  cluster.set_drop_filter([&](const Message& m) {
    return m.from == 1 && cluster.decode(m).type != MessageType::kVoteRequest;
  });
  cluster.elect(1);
  ASSERT_EQ(cluster.status(1).term, 4u);
  const uint64_t old_entry = 6;  // after 5 bootstrap entries
  // S2 and S3 tell S1 they hold the term-2 entry: a majority (S1, S2, S3) now has it.
  RaftMessage ack;
  ack.type = MessageType::kAppendResponse;
  ack.term = 4;
  ack.index = old_entry;
  ASSERT_TRUE(cluster.step(make_message(2, 1, ack)).ok());
  ASSERT_TRUE(cluster.step(make_message(3, 1, ack)).ok());
  EXPECT_EQ(cluster.engine(1).progress(2)->match, old_entry);
  EXPECT_EQ(cluster.status(1).commit, 5u) << "the term-2 entry must not be committed by counting";
  EXPECT_TRUE(cluster.applied(1).empty());

  // (d): S1 crashes; S5 (last term 3) wins with S2, S3 and S4 and overwrites index 6 — which is
  // only safe because nobody committed it. The harness checks State Machine Safety throughout.
  cluster.crash(1);
  cluster.drop_queue();  // S1's last appends die with it
  cluster.set_drop_filter({});
  cluster.elect(5);
  ASSERT_TRUE(cluster.propose(5, "after").status.ok());
  cluster.tick_all(3);
  for (NodeId id : {2, 3, 4, 5}) {
    EXPECT_EQ(cluster.applied(id), (std::vector<std::string>{"t3@6", "after"})) << "node " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Plain, Figure8, ::testing::Values(kMutantNone, kMutantCommitOldTerm));

TEST(Replication, NewLeaderCommitsOldEntriesThroughItsNoop) {
  const std::vector<NodeId> voters = {1, 2, 3};
  std::map<NodeId, DurableState> disks;
  disks[1] = disk_with_terms(voters, {2, 2}, 2);
  disks[2] = disk_with_terms(voters, {2}, 2);
  disks[3] = disk_with_terms(voters, {}, 2);
  Cluster cluster(disks);
  cluster.elect(1);
  cluster.tick_all(2);
  for (NodeId id : voters) {
    EXPECT_EQ(cluster.applied(id), (std::vector<std::string>{"t2@4", "t2@5"})) << "node " << id;
  }
}

TEST(FlowControl, InflightMessageAndByteLimitsAreRespected) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) {
    c.max_inflight_messages = 3;
    c.max_message_bytes = 100;
    c.max_inflight_bytes = 250;
  });
  cluster.elect(1);
  cluster.tick_all(2);
  ASSERT_EQ(cluster.engine(1).progress(2)->state, ProgressState::kReplicate);
  cluster.cut(1, 2);  // appends to 2 are sent but never acknowledged
  cluster.clear_sent();
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(cluster.propose(1, std::string(40, 'a' + static_cast<char>(i))).status.ok());
  cluster.deliver_all();
  size_t appends = 0;
  uint64_t bytes = 0;
  for (const Message& message : cluster.sent()) {
    if (message.from != 1 || message.to != 2) continue;
    RaftMessage decoded = cluster.decode(message);
    if (decoded.type != MessageType::kAppend || decoded.entries.empty()) continue;
    ++appends;
    uint64_t message_bytes = 0;
    for (const Entry& entry : decoded.entries) message_bytes += entry.data.size();
    EXPECT_LE(message_bytes, 100u);
    bytes += message_bytes;
  }
  EXPECT_EQ(appends, 3u) << "pipelined up to the message limit, then paused";
  EXPECT_LE(bytes, 250u);
  EXPECT_GT(bytes, 100u);
  const Progress* progress = cluster.engine(1).progress(2);
  EXPECT_EQ(progress->inflight_count(), 3u);
  EXPECT_LE(progress->inflight_bytes(), 250u);
  // Node 3 is unaffected, and 2 catches up once the link heals.
  EXPECT_EQ(cluster.applied(3).size(), 20u);
  cluster.heal();
  cluster.tick_all(20);
  EXPECT_EQ(cluster.applied(2), cluster.applied(1));
  EXPECT_EQ(cluster.applied(2).size(), 20u);
}

TEST(FlowControl, ProbeSendsOneAppendAtATime) {
  Cluster cluster({1, 2, 3});
  cluster.isolate(3);
  cluster.elect(1);
  const Progress* progress = cluster.engine(1).progress(3);
  ASSERT_EQ(progress->state, ProgressState::kProbe);
  EXPECT_TRUE(progress->probe_sent);
  cluster.clear_sent();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.propose(1, "x").status.ok());
  cluster.deliver_all();
  for (const Message& message : cluster.sent()) {
    if (message.to == 3) {
      ADD_FAILURE() << "sent to a paused probe: " << cluster.engine(1).describe(message);
    }
  }
  // A heartbeat answer shows 3 is reachable again: probe once more, then replicate.
  cluster.heal();
  cluster.tick_all(3);
  EXPECT_EQ(cluster.engine(1).progress(3)->state, ProgressState::kReplicate);
  EXPECT_EQ(cluster.applied(3).size(), 5u);
}

// An entry bigger than a message waits for the pipeline to drain; if what is in flight was lost,
// the heartbeat must still reach the follower so that its reject restarts replication.
TEST(FlowControl, AnOversizeEntryBehindALostAppendDoesNotStallTheFollower) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.max_message_bytes = 100; });
  cluster.elect(1);
  cluster.tick_all(2);
  ASSERT_EQ(cluster.engine(1).progress(2)->state, ProgressState::kReplicate);
  auto dropped_one = std::make_shared<bool>(false);
  cluster.set_drop_filter([&cluster, dropped_one](const Message& message) {
    if (*dropped_one || message.from != 1 || message.to != 2) return false;
    RaftMessage decoded = cluster.decode(message);
    if (decoded.type != MessageType::kAppend || decoded.entries.empty()) return false;
    *dropped_one = true;
    return true;
  });
  ASSERT_TRUE(cluster.propose(1, "small").status.ok());
  cluster.deliver_all();
  ASSERT_TRUE(*dropped_one);
  ASSERT_TRUE(cluster.propose(1, std::string(150, 'b')).status.ok());
  cluster.tick_all(20);
  EXPECT_EQ(cluster.applied(2), cluster.applied(1));
  EXPECT_EQ(cluster.applied(2).size(), 2u);
}

TEST(FlowControl, UncommittedBytesLimitRefusesProposals) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.max_uncommitted_bytes = 100; });
  cluster.elect(1);
  cluster.isolate(1);
  EXPECT_TRUE(cluster.propose(1, std::string(60, 'x')).status.ok());
  EXPECT_EQ(cluster.propose(1, std::string(60, 'y')).status.code(), StatusCode::kBusy);
  cluster.heal();
  cluster.tick_all(3);
  EXPECT_TRUE(cluster.propose(1, std::string(60, 'z')).status.ok());
}

}  // namespace
}  // namespace synod::consensus::raft::testing
