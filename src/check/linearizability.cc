#include "check/linearizability.h"

#include <map>

#include "check/counter_example.h"
#include "check/key_problem.h"
#include "check/linear_search.h"
#include "check/operation.h"

namespace synod::check {
namespace {

// Operation indices per key; an ordered map so that keys are checked, and reported, in a fixed order.
std::map<std::string, std::vector<size_t>> group_by_key(const History& history,
                                                        const std::vector<Operation>& operations) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < operations.size(); ++i) groups[history[operations[i].invoke_index].key].push_back(i);
  return groups;
}

void report_failure(const History& history, const std::vector<Operation>& operations,
                    const std::string& key, const KeyProblem& problem, const SearchFailure& failure,
                    LinearizabilityReport& report) {
  CounterExample example = build_counter_example(history, operations, problem, failure);
  report.linearizable = false;
  report.complete = true;
  report.failed_key = key;
  report.counter_example = std::move(example.operations);
  report.explanation = "key \"" + key + "\": " + example.explanation;
}

}  // namespace

LinearizabilityReport check_linearizability(const History& history, const CheckOptions& options) {
  LinearizabilityReport report;
  std::vector<Operation> operations;
  report.status = pair_operations(history, operations);
  if (!report.status.ok()) return report;
  auto groups = group_by_key(history, operations);
  report.operation_count = static_cast<int64_t>(operations.size());
  report.key_count = static_cast<int64_t>(groups.size());
  std::string unknown_key;
  for (const auto& [key, members] : groups) {
    KeyProblem problem = build_key_problem(history, operations, members);
    SearchResult result = search_linearization(problem.operations, options.max_steps_per_key);
    report.search_steps += result.steps;
    if (result.verdict == SearchVerdict::kNotLinearizable) {
      report_failure(history, operations, key, problem, result.failure, report);
      return report;  // one refuted key refutes the history, whatever the others say
    }
    if (result.verdict == SearchVerdict::kUnknown && unknown_key.empty()) unknown_key = key;
  }
  report.complete = unknown_key.empty();
  report.linearizable = report.complete;
  if (!report.complete) {
    report.explanation = "key \"" + unknown_key + "\": the search ran out of its " +
                         std::to_string(options.max_steps_per_key) + " steps without a verdict";
  }
  return report;
}

}  // namespace synod::check
