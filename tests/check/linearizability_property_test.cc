// Properties of the checker over generated histories, and agreement with the brute-force checker.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "brute_force_checker.h"
#include "check/linearizability.h"
#include "history_generator.h"

namespace synod::check {
namespace {

using testing::brute_force_linearizable;
using testing::generate_random_history;
using testing::generate_register_history;
using testing::RandomHistoryOptions;
using testing::RegisterHistoryOptions;

RegisterHistoryOptions arbitrary_register_options(int64_t max_operations) {
  RegisterHistoryOptions options;
  options.seed = *rc::gen::arbitrary<uint64_t>();
  options.operation_count = *rc::gen::inRange<int64_t>(1, max_operations + 1);
  options.key_count = *rc::gen::inRange<int64_t>(1, 4);
  options.client_count = *rc::gen::inRange<int64_t>(1, 12);
  options.info_per_mille = *rc::gen::element<uint64_t>(0, 20, 100, 300);
  options.fail_per_mille = *rc::gen::element<uint64_t>(0, 20, 100);
  options.value_domain = *rc::gen::element<uint64_t>(0, 0, 2, 3);  // 0: unique values
  options.max_stretch_ns = *rc::gen::element<int64_t>(0, 5, 50, 500);
  return options;
}

// Indices of the ok reads of a history.
std::vector<size_t> ok_reads(const History& history) {
  std::vector<size_t> reads;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].function == Function::kRead && history[i].type == EventType::kOk) reads.push_back(i);
  }
  return reads;
}

RC_GTEST_PROP(LinearizabilityProperty, StretchedSequentialRegisterHistoriesAreLinearizable, ()) {
  History history = generate_register_history(arbitrary_register_options(300));
  LinearizabilityReport report = check_linearizability(history);
  RC_ASSERT(report.status.ok());
  RC_ASSERT(report.complete);
  RC_ASSERT(report.linearizable);
}

// Unique written values, as real test clients write: with a tiny domain of repeated values and
// many info operations, refuting a history is NP-complete and may take the whole step budget.
RC_GTEST_PROP(LinearizabilityProperty, ReadOfAValueNeverWrittenIsAlwaysCaught, ()) {
  RegisterHistoryOptions options = arbitrary_register_options(300);
  options.value_domain = 0;
  History history = generate_register_history(options);
  std::vector<size_t> reads = ok_reads(history);
  RC_PRE(!reads.empty());
  size_t mutated = *rc::gen::elementOf(reads);
  history[mutated].value = "never-written";
  LinearizabilityReport report = check_linearizability(history);
  RC_ASSERT(report.status.ok());
  RC_ASSERT(report.complete);
  RC_ASSERT(!report.linearizable);
  RC_ASSERT(report.failed_key == history[mutated].key);
  RC_ASSERT(!report.counter_example.empty());
}

RC_GTEST_PROP(LinearizabilityProperty, AgreesWithBruteForceOnRandomHistories, ()) {
  RandomHistoryOptions options;
  options.seed = *rc::gen::arbitrary<uint64_t>();
  options.process_count = *rc::gen::inRange<int64_t>(1, 5);
  options.operations_per_process = *rc::gen::inRange<int64_t>(1, 4);
  options.key_count = *rc::gen::inRange<int64_t>(1, 3);
  options.value_domain = *rc::gen::inRange<uint64_t>(1, 4);
  History history = generate_random_history(options);
  LinearizabilityReport report = check_linearizability(history);
  RC_ASSERT(report.status.ok());
  RC_ASSERT(report.complete);
  RC_CLASSIFY(report.linearizable);
  RC_ASSERT(report.linearizable == brute_force_linearizable(history));
}

// More concurrency on one key, where the search's reductions have the most to get wrong.
RC_GTEST_PROP(LinearizabilityProperty, AgreesWithBruteForceOnCrowdedRandomHistories, ()) {
  RandomHistoryOptions options;
  options.seed = *rc::gen::arbitrary<uint64_t>();
  options.process_count = *rc::gen::inRange<int64_t>(3, 7);
  options.operations_per_process = *rc::gen::inRange<int64_t>(2, 4);
  options.key_count = 1;
  options.value_domain = *rc::gen::inRange<uint64_t>(1, 4);
  History history = generate_random_history(options);
  LinearizabilityReport report = check_linearizability(history);
  RC_ASSERT(report.status.ok());
  RC_ASSERT(report.complete);
  RC_CLASSIFY(report.linearizable);
  RC_ASSERT(report.linearizable == brute_force_linearizable(history));
}

// Near-misses: a linearizable history with one read changed to another value that was written.
RC_GTEST_PROP(LinearizabilityProperty, AgreesWithBruteForceOnMutatedRegisterHistories, ()) {
  RegisterHistoryOptions options = arbitrary_register_options(12);
  options.key_count = 1;
  options.value_domain = *rc::gen::inRange<uint64_t>(0, 4);
  History history = generate_register_history(options);
  std::vector<size_t> reads = ok_reads(history);
  if (!reads.empty()) {
    size_t mutated = *rc::gen::elementOf(reads);
    history[mutated].value = *rc::gen::element<std::optional<std::string>>(std::nullopt, "v0", "v1", "v2", "v3");
  }
  LinearizabilityReport report = check_linearizability(history);
  RC_ASSERT(report.status.ok());
  RC_ASSERT(report.complete);
  RC_CLASSIFY(report.linearizable);
  RC_ASSERT(report.linearizable == brute_force_linearizable(history));
}

}  // namespace
}  // namespace synod::check
