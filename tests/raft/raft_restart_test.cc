// Restart from DurableState: hard state, snapshot and log are all a node keeps.
#include <gtest/gtest.h>

#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

TEST(Restart, NewClusterBootstrapsItsMembershipIntoTheLog) {
  EngineConfig config;
  config.id = 2;
  config.initial_membership = {{1, 2, 3}, {4}};
  RaftEngine engine(config, DurableState{});
  EXPECT_EQ(engine.status().membership, config.initial_membership);
  EXPECT_EQ(engine.status().term, 1u);
  EXPECT_EQ(engine.status().commit, 4u);
  Ready ready = engine.ready();
  ASSERT_EQ(ready.entries.size(), 4u);
  EXPECT_EQ(ready.committed, ready.entries);
  for (const Entry& entry : ready.entries) EXPECT_EQ(entry.kind, EntryKind::kMembership);
  const std::vector<Entry> bootstrap_entries = ready.entries;
  // The commit written with a Ready covers only entries durable before it (see durable_commit).
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(*ready.hard_state, (HardState{1, kNoNode, 0, {}}));
  engine.advance();
  ASSERT_TRUE(engine.has_ready());
  ready = engine.ready();
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(*ready.hard_state, (HardState{1, kNoNode, 4, {}}));
  EXPECT_TRUE(ready.entries.empty());
  EXPECT_TRUE(ready.committed.empty());
  engine.advance();
  EXPECT_FALSE(engine.has_ready());
  // A crash during the first Ready leaves a fragment of the bootstrap: it starts over.
  for (const DurableState& torn : {DurableState{{1, kNoNode, 4, {}}, {}, {}},
                                   DurableState{{}, {}, bootstrap_entries}}) {
    RaftEngine again(config, torn);
    EXPECT_EQ(again.status().membership, config.initial_membership);
    EXPECT_EQ(again.status().commit, 4u);
  }
}

TEST(Restart, FollowerRecoversHardStateAndReappliesCommittedEntries) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(cluster.propose(1, "c" + std::to_string(i)).status.ok());
  cluster.tick_all(2);
  const EngineStatus before = cluster.status(2);
  const HardState hard_state = cluster.node(2).disk.hard_state;
  EXPECT_EQ(hard_state.term, before.term);
  EXPECT_EQ(hard_state.vote, 1u);
  EXPECT_EQ(hard_state.commit, before.commit);
  cluster.crash(2);
  cluster.restart(2);
  const EngineStatus after = cluster.status(2);
  EXPECT_EQ(after.term, before.term);
  EXPECT_EQ(after.commit, before.commit);
  EXPECT_EQ(after.applied, before.commit);
  EXPECT_EQ(after.last_index, before.last_index);
  EXPECT_EQ(after.membership, before.membership);
  EXPECT_EQ(after.leader, kNoNode);
  EXPECT_EQ(cluster.applied(2), (std::vector<std::string>{"c0", "c1", "c2", "c3"}));
  cluster.tick_all(3);
  EXPECT_EQ(cluster.status(2).leader, 1u);
}

TEST(Restart, VoteSurvivesARestart) {
  Cluster cluster({1, 2, 3}, [](EngineConfig& c) { c.pre_vote = false; });
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = 5;
  request.index = 3;
  request.log_term = 1;
  ASSERT_TRUE(cluster.step(make_message(1, 2, request)).ok());
  cluster.crash(2);
  cluster.restart(2);
  cluster.clear_sent();
  ASSERT_TRUE(cluster.step(make_message(3, 2, request)).ok());
  ASSERT_EQ(cluster.sent().size(), 1u);
  EXPECT_TRUE(cluster.decode(cluster.sent()[0]).reject) << "voted twice in term 5";
}

TEST(Restart, WholeClusterRestartKeepsEverythingCommitted) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster.propose(1, "c" + std::to_string(i)).status.ok());
  cluster.tick_all(2);
  for (NodeId id : {1, 2, 3}) cluster.crash(id);
  cluster.drop_queue();
  for (NodeId id : {1, 2, 3}) cluster.restart(id);
  NodeId leader = kNoNode;
  for (int i = 0; i < 300 && (leader = cluster.leader()) == kNoNode; ++i) cluster.tick_all();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(cluster.propose(leader, "after").status.ok());
  cluster.tick_all(2);
  for (NodeId id : {1, 2, 3}) {
    EXPECT_EQ(cluster.applied(id), (std::vector<std::string>{"c0", "c1", "c2", "after"}));
  }
}

TEST(Restart, UncommittedTailSurvivesAndIsCommittedByTheNextLeader) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  // The entry reaches 2 (so it is durable on a majority) but 1 crashes before committing.
  cluster.set_drop_filter([&](const Message& m) {
    return m.to == 1 && cluster.decode(m).type == MessageType::kAppendResponse;
  });
  ASSERT_TRUE(cluster.propose(1, "maybe").status.ok());
  cluster.deliver_all();
  EXPECT_TRUE(cluster.applied(1).empty());
  cluster.crash(1);
  cluster.set_drop_filter({});
  cluster.restart(1);
  NodeId leader = kNoNode;
  for (int i = 0; i < 300 && (leader = cluster.leader()) == kNoNode; ++i) cluster.tick_all();
  ASSERT_NE(leader, kNoNode);
  cluster.tick_all(3);
  for (NodeId id : {1, 2, 3}) EXPECT_EQ(cluster.applied(id), std::vector<std::string>{"maybe"});
}

TEST(ReadyContract, OneReadyAtATimeAndNothingNewUntilAdvance) {
  EngineConfig config;
  config.id = 1;
  config.initial_membership = {{1}, {}};
  RaftEngine engine(config, DurableState{});
  Ready first = engine.ready();
  EXPECT_FALSE(engine.has_ready());
  engine.advance();
  for (int i = 0; i < 30 && engine.status().role != Role::kLeader; ++i) engine.tick();
  ASSERT_EQ(engine.status().role, Role::kLeader);
  Ready election = engine.ready();
  ASSERT_TRUE(election.hard_state.has_value());
  EXPECT_EQ(election.hard_state->vote, 1u);
  ASSERT_EQ(election.entries.size(), 1u);  // the no-op
  EXPECT_EQ(election.entries[0].kind, EntryKind::kNoop);
  // While a Ready is outstanding the engine keeps going; the next Ready carries it.
  ProposeResult result = engine.propose("x");
  ASSERT_TRUE(result.status.ok());
  EXPECT_FALSE(engine.has_ready());
  engine.advance();
  ASSERT_TRUE(engine.has_ready());
  Ready next = engine.ready();
  ASSERT_EQ(next.entries.size(), 1u);
  EXPECT_EQ(next.entries[0].index, result.index);
  EXPECT_FALSE(next.hard_state.has_value() && next.hard_state->term != election.hard_state->term);
  EXPECT_TRUE(next.must_sync);
  // Only what was durable before this Ready commits: the no-op, not "x" (a leader counts itself
  // only for entries it has synced).
  ASSERT_FALSE(next.committed.empty());
  EXPECT_EQ(next.committed.back().index, result.index - 1);
  engine.advance();
  // "x" is durable now: it commits, in a Ready whose only persisted change is the commit index,
  // which needs no sync.
  ASSERT_TRUE(engine.has_ready());
  Ready commit_only = engine.ready();
  ASSERT_TRUE(commit_only.hard_state.has_value());
  EXPECT_EQ(commit_only.hard_state->commit, result.index);
  EXPECT_FALSE(commit_only.must_sync);
  EXPECT_TRUE(commit_only.entries.empty());
  ASSERT_EQ(commit_only.committed.size(), 1u);
  EXPECT_EQ(commit_only.committed.back().data, "x");
  engine.advance();
  EXPECT_EQ(engine.status().applied, result.index);
  EXPECT_FALSE(engine.has_ready());
}

}  // namespace
}  // namespace synod::consensus::raft::testing

namespace synod::consensus::raft::testing {
namespace {

// A crash while persisting a Ready may keep its entries but lose the hard state after them (or
// the reverse); nothing of that Ready was sent or applied, so the engine reconciles the two.
TEST(Restart, TornReadyIsReconciled) {
  EngineConfig config;
  config.id = 2;
  DurableState entries_without_hard_state = disk_with_terms({1, 2, 3}, {2, 5}, 2);
  RaftEngine raised(config, entries_without_hard_state);
  EXPECT_EQ(raised.status().term, 5u);
  EXPECT_TRUE(raised.check_invariants().ok());
  Ready ready = raised.ready();
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(*ready.hard_state, (HardState{5, kNoNode, 3, {}}));

  DurableState hard_state_without_entries = disk_with_terms({1, 2, 3}, {2}, 2);
  hard_state_without_entries.hard_state.commit = 9;
  RaftEngine clamped(config, hard_state_without_entries);
  EXPECT_EQ(clamped.status().commit, 4u);
  EXPECT_TRUE(clamped.check_invariants().ok());
}

}  // namespace
}  // namespace synod::consensus::raft::testing
