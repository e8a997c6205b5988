// Each checker catches a synthetic bad input and passes the matching good one.
#include <gtest/gtest.h>

#include "kv/command.h"
#include "replica/replica_messages.h"
#include "sim/checkers/at_most_once.h"
#include "sim/checkers/durable_vote.h"
#include "sim/checkers/election_safety.h"
#include "sim/checkers/leader_completeness.h"
#include "sim/checkers/linearizability_check.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/log_matching.h"
#include "sim/checkers/persisted_logs.h"
#include "sim/checkers/state_machine_safety.h"

namespace synod::sim {
namespace {

using consensus::Entry;
using consensus::EngineStatus;
using consensus::Role;

Entry entry(uint64_t index, uint64_t term, std::string data) {
  return Entry{index, term, consensus::EntryKind::kCommand, std::move(data)};
}

EngineStatus leader(consensus::NodeId id, uint64_t term) {
  EngineStatus status;
  status.id = id;
  status.role = Role::kLeader;
  status.term = term;
  return status;
}

TEST(ElectionSafety, TwoLeadersInOneTermAreCaught) {
  Violations violations;
  ElectionSafetyChecker checker(violations);
  checker.observe(leader(1, 3), 0);
  checker.observe(leader(1, 3), 1);
  checker.observe(leader(2, 4), 2);  // another term: fine
  EXPECT_FALSE(violations.any());
  checker.observe(leader(3, 4), 3);
  ASSERT_TRUE(violations.any());
  EXPECT_EQ(violations.all()[0].checker, "election-safety");
}

TEST(LogMatching, SameIndexAndTermWithDifferentDataIsCaught) {
  Violations violations;
  LogMatchingChecker checker(violations);
  PersistedLogs logs;
  for (consensus::NodeId node : {1, 2}) {
    checker.on_durable_entry(node, entry(1, 1, "a"), logs.on_entry(node, entry(1, 1, "a")), 0);
    checker.on_durable_entry(node, entry(2, 2, "b"), logs.on_entry(node, entry(2, 2, "b")), 0);
  }
  EXPECT_FALSE(violations.any());
  checker.on_durable_entry(3, entry(2, 2, "c"), std::nullopt, 0);
  ASSERT_TRUE(violations.any());
  EXPECT_EQ(violations.all()[0].checker, "log-matching");
}

TEST(LogMatching, SameEntryAfterADifferentPreviousTermIsCaught) {
  Violations violations;
  LogMatchingChecker checker(violations);
  PersistedLogs logs;
  checker.on_durable_entry(1, entry(1, 1, "a"), logs.on_entry(1, entry(1, 1, "a")), 0);
  checker.on_durable_entry(1, entry(2, 3, "x"), logs.on_entry(1, entry(2, 3, "x")), 0);
  checker.on_durable_entry(2, entry(1, 2, "z"), logs.on_entry(2, entry(1, 2, "z")), 0);
  EXPECT_FALSE(violations.any());
  checker.on_durable_entry(2, entry(2, 3, "x"), logs.on_entry(2, entry(2, 3, "x")), 0);
  ASSERT_TRUE(violations.any());
  EXPECT_NE(violations.all()[0].message.find("different terms"), std::string::npos);
}

TEST(PersistedLogs, OverwriteAndSnapshotFollowTheDiskRules) {
  PersistedLogs logs;
  for (uint64_t index = 1; index <= 4; ++index) logs.on_entry(1, entry(index, 1, "e"));
  EXPECT_EQ(logs.on_entry(1, entry(3, 2, "f")), 1u);  // previous term of the overwrite
  EXPECT_EQ(logs.log(1).last_index(), 3u);
  logs.on_snapshot(1, consensus::SnapshotMeta{2, 1, {}});
  EXPECT_EQ(logs.log(1).term_at(3), 2u);
  logs.on_snapshot(1, consensus::SnapshotMeta{5, 4, {}});  // does not match: replaces the log
  EXPECT_EQ(logs.log(1).last_index(), 5u);
  EXPECT_FALSE(logs.log(1).term_at(3));
}

TEST(StateMachineSafety, ADifferentEntryAtAnAppliedIndexIsCaught) {
  Violations violations;
  StateMachineSafetyChecker checker(violations);
  for (consensus::NodeId node : {1, 2}) {
    checker.on_start(node, 0);
    checker.on_applied(node, entry(1, 1, "a"), 1, 0);
    checker.on_applied(node, entry(2, 1, "b"), 1, 0);
  }
  EXPECT_FALSE(violations.any());
  checker.on_start(3, 1);  // restarted from a snapshot at 1
  checker.on_applied(3, entry(2, 2, "lost"), 2, 0);
  ASSERT_TRUE(violations.any());
  EXPECT_NE(violations.all()[0].message.find("committed entry was lost"), std::string::npos);
}

TEST(StateMachineSafety, AGapInTheAppliedSequenceIsCaught) {
  Violations violations;
  StateMachineSafetyChecker checker(violations);
  checker.on_start(1, 0);
  checker.on_applied(1, entry(1, 1, "a"), 1, 0);
  checker.on_applied(1, entry(3, 1, "c"), 1, 0);
  EXPECT_TRUE(violations.any());
}

TEST(LeaderCompleteness, ALeaderWithoutACommittedEntryIsCaught) {
  Violations violations;
  StateMachineSafetyChecker committed(violations);
  committed.on_start(1, 0);
  committed.on_applied(1, entry(1, 1, "a"), /*highest_term=*/2, 0);
  committed.on_applied(1, entry(2, 2, "b"), /*highest_term=*/2, 0);
  LeaderCompletenessChecker checker(violations);
  PersistedLogs logs;
  logs.on_entry(2, entry(1, 1, "a"));
  logs.on_entry(2, entry(2, 2, "b"));
  logs.on_entry(2, entry(3, 3, ""));
  checker.on_leader_persisted(2, 3, logs.log(2), committed.committed(), 0);
  EXPECT_FALSE(violations.any());

  logs.on_entry(3, entry(1, 1, "a"));
  logs.on_entry(3, entry(2, 3, "other"));
  checker.on_leader_persisted(3, 4, logs.log(3), committed.committed(), 0);
  ASSERT_TRUE(violations.any());
  EXPECT_EQ(violations.all()[0].checker, "leader-completeness");
}

TEST(LeaderCompleteness, EntriesThatMayBeCommittedLaterAreNotRequired) {
  Violations violations;
  StateMachineSafetyChecker committed(violations);
  committed.on_start(1, 0);
  // Seen applied when term 5 existed already: a leader of term 5 may predate its commit.
  committed.on_applied(1, entry(1, 1, "a"), /*highest_term=*/5, 0);
  LeaderCompletenessChecker checker(violations);
  PersistedLogs logs;
  logs.on_entry(2, entry(1, 4, "z"));
  checker.on_leader_persisted(2, 5, logs.log(2), committed.committed(), 0);
  EXPECT_FALSE(violations.any());
}

TEST(Liveness, NoLeaderAndTimeoutsAfterTheBoundAreCaught) {
  Violations violations;
  LivenessChecker checker(violations, /*healed_tick=*/100, /*bound_ticks=*/50);
  checker.on_committing_leader(90);  // before the heal: does not count
  checker.on_deadline(150);
  EXPECT_EQ(violations.count(), 1u);
  checker.on_operation_end(/*invoked=*/120, /*timed_out=*/true, "early op", 180);  // before the deadline
  EXPECT_EQ(violations.count(), 1u);
  checker.on_operation_end(/*invoked=*/160, /*timed_out=*/true, "late op", 220);
  EXPECT_EQ(violations.count(), 2u);

  Violations fine;
  LivenessChecker healthy(fine, 100, 50);
  healthy.on_committing_leader(130);
  healthy.on_deadline(150);
  healthy.on_operation_end(160, /*timed_out=*/false, "op", 170);
  EXPECT_FALSE(fine.any());
}

check::Event event(int64_t process, check::EventType type, check::Function function,
                   std::optional<std::string> value, int64_t time_ns) {
  check::Event event;
  event.process = process;
  event.type = type;
  event.function = function;
  event.key = "k0";
  event.value = std::move(value);
  event.time_ns = time_ns;
  return event;
}

TEST(Linearizability, AStaleReadIsCaught) {
  using check::EventType;
  using check::Function;
  check::History good = {
      event(0, EventType::kInvoke, Function::kWrite, "1", 10),
      event(0, EventType::kOk, Function::kWrite, "1", 20),
      event(1, EventType::kInvoke, Function::kRead, std::nullopt, 30),
      event(1, EventType::kOk, Function::kRead, "1", 40),
  };
  Violations none;
  check_history(good, none, 0);
  EXPECT_FALSE(none.any());

  check::History stale = good;
  stale[3].value.reset();  // read nothing after the write completed
  Violations caught;
  check_history(stale, caught, 0);
  ASSERT_TRUE(caught.any());
  EXPECT_EQ(caught.all()[0].checker, "linearizability");
}

}  // namespace
}  // namespace synod::sim

namespace synod::sim {
namespace {

TEST(DurableVote, AChangedVoteOrAFallingTermIsCaught) {
  Violations violations;
  DurableVoteChecker checker(violations);
  checker.on_durable(1, consensus::HardState{2, 0, 0, ""}, 0);
  checker.on_durable(1, consensus::HardState{2, 3, 0, ""}, 0);  // first vote in term 2
  checker.on_durable(1, consensus::HardState{2, 3, 5, ""}, 0);  // commit moves: fine
  checker.on_durable(1, consensus::HardState{3, 4, 5, ""}, 0);  // new term, new vote: fine
  EXPECT_FALSE(violations.any());
  checker.on_durable(1, consensus::HardState{3, 2, 5, ""}, 0);
  EXPECT_EQ(violations.count(), 1u);
  checker.on_durable(1, consensus::HardState{1, 0, 5, ""}, 0);
  EXPECT_EQ(violations.count(), 2u);
  EXPECT_EQ(violations.all()[0].checker, "durable-vote");
}

Entry put_entry(uint64_t index, consensus::NodeId origin, uint64_t request_id, std::string value) {
  kv::PutRequest put;
  put.key = "k0";
  put.value = std::move(value);
  return entry(index, 1, replica::encode_envelope({origin, request_id, kv::encode_command(put)}));
}

TEST(AtMostOnce, ARequestOrAValueAppliedAtTwoIndexesIsCaught) {
  Violations violations;
  AtMostOnceChecker checker(violations);
  checker.on_applied(1, put_entry(1, 2, 100, "a"), 0);
  checker.on_applied(2, put_entry(1, 2, 100, "a"), 0);  // another node, the same index: fine
  checker.on_applied(1, put_entry(2, 2, 101, "b"), 0);
  EXPECT_FALSE(violations.any());
  checker.on_applied(1, put_entry(3, 2, 100, "a"), 0);  // a duplicate proposal
  ASSERT_EQ(violations.count(), 1u);
  EXPECT_EQ(violations.all()[0].checker, "at-most-once");
  checker.on_applied(1, put_entry(4, 3, 7, "b"), 0);  // the value again, as a new request
  EXPECT_EQ(violations.count(), 2u);
}

}  // namespace
}  // namespace synod::sim
