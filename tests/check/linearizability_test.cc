// Known histories, linearizable and not, and the shape of the report.
#include "check/linearizability.h"

#include <gtest/gtest.h>

#include "history_builder.h"
#include "history_generator.h"

namespace synod::check {
namespace {

using testing::HistoryBuilder;
constexpr EventType kFail = EventType::kFail;
constexpr EventType kInfo = EventType::kInfo;

LinearizabilityReport check(const HistoryBuilder& builder) {
  LinearizabilityReport report = check_linearizability(builder.build());
  EXPECT_TRUE(report.status.ok()) << report.status.message();
  return report;
}

void expect_linearizable(const HistoryBuilder& builder) {
  LinearizabilityReport report = check(builder);
  EXPECT_TRUE(report.complete);
  EXPECT_TRUE(report.linearizable) << report.explanation;
}

void expect_not_linearizable(const HistoryBuilder& builder) {
  LinearizabilityReport report = check(builder);
  EXPECT_TRUE(report.complete);
  EXPECT_FALSE(report.linearizable);
  EXPECT_FALSE(report.counter_example.empty());
}

TEST(Linearizable, EmptyHistory) {
  LinearizabilityReport report = check(HistoryBuilder());
  EXPECT_TRUE(report.linearizable && report.complete);
  EXPECT_EQ(report.operation_count, 0);
  EXPECT_EQ(report.key_count, 0);
}

TEST(Linearizable, SequentialOperationsAndTheInitialAbsentValue) {
  expect_linearizable(HistoryBuilder().read(1, "x", std::nullopt, 0, 5).write(1, "x", "a", 10, 20).read(2, "x", "a", 30, 40));
}

TEST(Linearizable, ReadAfterConcurrentWritesSeesEitherValue) {
  for (const char* seen : {"a", "b"}) {
    expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).write(2, "x", "b", 0, 10).read(3, "x", seen, 20, 30));
  }
}

TEST(Linearizable, ReadConcurrentWithAWriteSeesOldOrNew) {
  for (const char* seen : {"a", "b"}) {
    expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).write(2, "x", "b", 20, 40).read(3, "x", seen, 25, 30));
  }
}

TEST(Linearizable, OperationsTouchingAtOneInstantCountAsConcurrent) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).read(2, "x", std::nullopt, 10, 20));
}

TEST(Linearizable, InfoWriteMayHaveTakenEffectOrNot) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 5, kInfo).read(2, "x", "a", 10, 20));
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 5, kInfo).read(2, "x", std::nullopt, 10, 20));
}

TEST(Linearizable, InfoWriteMayTakeEffectLongAfterItsInvocation) {
  expect_linearizable(HistoryBuilder()
                          .write(1, "x", "a", 0, 5, kInfo)
                          .read(2, "x", std::nullopt, 10, 20)
                          .write(2, "x", "b", 30, 40)
                          .read(2, "x", "a", 50, 60));
}

TEST(Linearizable, InvocationNeverCompletedCountsAsInfo) {
  expect_linearizable(HistoryBuilder().pending_write(1, "x", "a", 0).read(2, "x", std::nullopt, 10, 20).read(2, "x", "a", 30, 40));
}

TEST(Linearizable, CasOkAndCasFail) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(1, "x", "a", "b", 20, 30).read(1, "x", "b", 40, 50));
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(1, "x", "b", "c", 20, 30, kFail).read(1, "x", "a", 40, 50));
}

TEST(Linearizable, CasFailExplainedByAConcurrentWrite) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).write(2, "x", "b", 15, 40).cas(1, "x", "a", "c", 20, 30, kFail));
}

TEST(Linearizable, CasFailExplainedByAnInfoWrite) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).write(2, "x", "b", 12, 14, kInfo).cas(1, "x", "a", "c", 20, 30, kFail));
}

TEST(Linearizable, InfoCasThatTookEffect) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(2, "x", "a", "b", 20, 25, kInfo).read(1, "x", "b", 40, 50));
}

TEST(Linearizable, FailedReadsAndWritesDidNotHappen) {
  expect_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10, kFail).read(2, "x", std::nullopt, 20, 30).read(2, "x", std::nullopt, 40, 50, kFail));
}

TEST(Linearizable, KeysAreIndependentRegisters) {
  LinearizabilityReport report = check(HistoryBuilder().write(1, "x", "a", 0, 10).write(1, "y", "b", 20, 30).read(2, "x", "a", 40, 50).read(3, "y", "b", 40, 50));
  EXPECT_TRUE(report.linearizable);
  EXPECT_EQ(report.operation_count, 4);
  EXPECT_EQ(report.key_count, 2);
}

TEST(NotLinearizable, StaleReadAfterACompletedWrite) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).write(1, "x", "b", 20, 30).read(2, "x", "a", 40, 50));
}

TEST(NotLinearizable, ReadOfAValueNeverWritten) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).read(2, "x", "z", 20, 30));
}

TEST(NotLinearizable, ReadOfAFailedWrite) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10, kFail).read(2, "x", "a", 20, 30));
}

TEST(NotLinearizable, LostWrite) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).read(2, "x", std::nullopt, 20, 30));
  expect_not_linearizable(HistoryBuilder()
                              .write(1, "x", "a", 0, 10)
                              .write(2, "x", "b", 0, 10)
                              .read(3, "x", "a", 20, 30)
                              .read(3, "x", "b", 40, 50));
}

TEST(NotLinearizable, InfoWriteCannotBeUndone) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 5, kInfo).read(2, "x", "a", 10, 20).read(2, "x", std::nullopt, 30, 40));
}

TEST(NotLinearizable, CasSucceededAgainstAWrongValue) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(2, "x", "b", "c", 20, 30));
}

TEST(NotLinearizable, TwoCasSucceededFromTheSameExpectedValue) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(1, "x", "a", "b", 20, 30).cas(2, "x", "a", "c", 20, 30));
}

TEST(NotLinearizable, CasFailedThoughTheValueMatched) {
  expect_not_linearizable(HistoryBuilder().write(1, "x", "a", 0, 10).cas(2, "x", "a", "c", 20, 30, kFail));
}

TEST(NotLinearizable, RealTimeOrderViolation) {
  expect_not_linearizable(HistoryBuilder().read(1, "x", "a", 0, 10).write(2, "x", "a", 20, 30));
  expect_not_linearizable(HistoryBuilder()
                              .write(1, "x", "a", 0, 10)
                              .write(2, "x", "b", 20, 60)
                              .read(3, "x", "b", 25, 30)
                              .read(3, "x", "a", 35, 40));
}

TEST(NotLinearizable, OneBadKeyAmongGoodOnes) {
  LinearizabilityReport report = check(HistoryBuilder()
                                           .write(1, "a", "1", 0, 10)
                                           .read(1, "a", "1", 20, 30)
                                           .write(2, "m", "1", 0, 10)
                                           .read(2, "m", std::nullopt, 20, 30)
                                           .write(3, "z", "1", 0, 10));
  EXPECT_FALSE(report.linearizable);
  EXPECT_EQ(report.failed_key, "m");
}

// A long linearizable run, then one stale read: the counter-example is a handful of operations
// around it, names it, and explains it.
TEST(CounterExample, IsSmallAndNamesTheCulprit) {
  HistoryBuilder builder;
  for (int i = 0; i < 200; ++i) {
    builder.write(1, "x", "v" + std::to_string(i), i * 100, i * 100 + 10);
    builder.read(2, "x", "v" + std::to_string(i), i * 100 + 20, i * 100 + 30);
  }
  builder.read(2, "x", "v150", 20000, 20010);
  LinearizabilityReport report = check(builder);
  ASSERT_FALSE(report.linearizable);
  ASSERT_TRUE(report.complete);
  ASSERT_EQ(report.counter_example.size(), 3u) << report.explanation;
  EXPECT_EQ(report.counter_example[0].role, "wrote the value it needs");
  EXPECT_EQ(report.counter_example[0].invoke.value, "v150");
  EXPECT_EQ(report.counter_example[1].role, "set the register it found");
  EXPECT_EQ(report.counter_example[1].invoke.value, "v199");
  EXPECT_EQ(report.counter_example[2].role, "cannot be placed");
  EXPECT_EQ(report.counter_example[2].invoke.time_ns, 20000);
  ASSERT_TRUE(report.counter_example[2].completion.has_value());
  EXPECT_EQ(report.counter_example[2].completion->value, "v150");
  EXPECT_NE(report.explanation.find("process 2's read returning \"v150\""), std::string::npos) << report.explanation;
  EXPECT_NE(report.explanation.find("\"v199\""), std::string::npos) << report.explanation;
}

TEST(CounterExample, ShowsConcurrentOperations) {
  LinearizabilityReport report = check(
      HistoryBuilder().write(1, "x", "a", 0, 10).write(2, "x", "b", 20, 60).read(3, "x", "b", 25, 30).read(3, "x", "a", 35, 40));
  ASSERT_FALSE(report.linearizable);
  bool shows_concurrent_write = false;
  for (const ReportedOperation& operation : report.counter_example) {
    shows_concurrent_write |= operation.invoke.value == "b" && operation.invoke.function == Function::kWrite;
  }
  EXPECT_TRUE(shows_concurrent_write) << report.explanation;
  EXPECT_EQ(report.counter_example.back().role, "cannot be placed");
  EXPECT_EQ(report.counter_example.back().invoke.time_ns, 35);
}

TEST(Budget, RunningOutOfStepsIsUnknownNotAVerdict) {
  HistoryBuilder builder;
  for (int i = 0; i < 20; ++i) builder.write(i, "x", std::to_string(i), 0, 100);
  builder.read(99, "x", "never", 200, 300);
  LinearizabilityReport report = check_linearizability(builder.build(), {.max_steps_per_key = 5});
  EXPECT_TRUE(report.status.ok());
  EXPECT_FALSE(report.complete);
  EXPECT_FALSE(report.linearizable);
  EXPECT_NE(report.explanation.find("ran out"), std::string::npos);
}

// The size the brief asks for: 50,000 operations over 5 keys from 10 clients, 2% info. A step
// budget far below the default turns a performance regression into a failure without timing.
TEST(Scale, FiftyThousandOperationsCheckWithinASmallBudget) {
  testing::RegisterHistoryOptions options{.operation_count = 50'000, .key_count = 5, .client_count = 10,
                                          .info_per_mille = 20, .seed = 7};
  History history = testing::generate_register_history(options);
  LinearizabilityReport report = check_linearizability(history, {.max_steps_per_key = 200'000});
  EXPECT_TRUE(report.complete && report.linearizable) << report.explanation;
  EXPECT_EQ(report.operation_count, 50'000);
  for (Event& event : history) {
    if (event.type == EventType::kOk && event.function == Function::kRead && event.time_ns > 600'000) {
      event.value = "never-written";
      break;
    }
  }
  report = check_linearizability(history, {.max_steps_per_key = 200'000});
  EXPECT_TRUE(report.complete) << report.explanation;
  EXPECT_FALSE(report.linearizable);
}

Status malformed(const History& history) {
  LinearizabilityReport report = check_linearizability(history);
  EXPECT_FALSE(report.status.ok());
  EXPECT_FALSE(report.linearizable);
  return report.status;
}

Event event(int64_t process, EventType type, Function function, std::optional<std::string> value, int64_t time_ns,
            std::string key = "x") {
  return {process, type, function, std::move(key), std::move(value), std::nullopt, time_ns};
}

TEST(Malformed, HistoriesAreErrorsNotVerdicts) {
  const auto kInvoke = EventType::kInvoke;
  const auto kOk = EventType::kOk;
  const auto kRead = Function::kRead;
  const auto kWrite = Function::kWrite;
  EXPECT_EQ(malformed({event(1, kInvoke, kRead, {}, 0), event(1, kInvoke, kRead, {}, 1)}).message(),
            "event 2: process 1 invoked while its operation from event 1 is outstanding");
  EXPECT_EQ(malformed({event(1, kOk, kRead, {}, 0)}).message(), "event 1: process 1 completed with nothing outstanding");
  EXPECT_EQ(malformed({event(1, kInvoke, kWrite, "a", 0), event(1, kInfo, kWrite, "a", 1), event(1, kInvoke, kRead, {}, 2)})
                .message(),
            "event 3: process 1 issued an event after its info at event 2");
  EXPECT_EQ(malformed({event(1, kInvoke, kRead, {}, 0), event(1, kOk, kWrite, "a", 1)}).message(),
            "event 2: write completes a read invocation");
  EXPECT_EQ(malformed({event(1, kInvoke, kRead, {}, 0), event(1, kOk, kRead, {}, 1, "y")}).message(),
            "event 2: key \"y\" differs from its invocation's");
  EXPECT_EQ(malformed({event(1, kInvoke, kWrite, "a", 0), event(1, kOk, kWrite, "b", 1)}).message(),
            "event 2: value differs from its invocation's");
  EXPECT_EQ(malformed({event(1, kInvoke, kWrite, "a", 5), event(1, kOk, kWrite, "a", 4)}).message(),
            "event 2: completes before its invocation");
  EXPECT_EQ(malformed({event(1, kInvoke, kWrite, "a", 0), event(1, kOk, kWrite, "a", 10), event(1, kInvoke, kRead, {}, 9)})
                .message(),
            "event 3: process 1 invoked at 9 ns, before its previous operation completed at 10 ns");
}

}  // namespace
}  // namespace synod::check
