#include "check/counter_example.h"

#include <algorithm>
#include <cstdlib>
#include <map>


namespace synod::check {
namespace {

// Descriptions use the history's own strings: interned values may merge unobservable ones.
class Describer {
 public:
  Describer(const History& history, const std::vector<Operation>& operations, const KeyProblem& problem)
      : history_(history), operations_(operations), problem_(problem) {}

  const Operation& operation(int32_t index) const { return operations_[problem_.sources[index]]; }
  const Event& invoke(int32_t index) const { return history_[operation(index).invoke_index]; }

  // The interval as the history shows it (an operation never completed shows only its invocation),
  // which is what a reader sees as "in flight at the time".
  std::pair<int64_t, int64_t> recorded_interval(int32_t index) const {
    const Operation& op = operation(index);
    if (!op.completion_index) return {op.invoke_ns, op.invoke_ns};
    return {op.invoke_ns, history_[*op.completion_index].time_ns};
  }

  // What a read returned (reads in a search always completed ok).
  const std::optional<std::string>& read_value(int32_t index) const {
    return history_[*operation(index).completion_index].value;
  }

  std::string step(int32_t index) const {
    const Event& call = invoke(index);
    switch (problem_.operations[index].step.kind) {
      case StepKind::kRead: return "read returning " + quoted(read_value(index));
      case StepKind::kWrite: return "write of " + quoted(call.value);
      case StepKind::kCas: return "cas " + quoted(call.expected) + " -> " + quoted(call.value);
      case StepKind::kCasFail: return "failed cas expecting " + quoted(call.expected);
    }
    return "?";
  }

  std::string full(int32_t index) const {
    const Operation& op = operation(index);
    std::string text = "process " + std::to_string(invoke(index).process) + "'s " + step(index) +
                       " (invoked at " + std::to_string(op.invoke_ns) + " ns, ";
    if (op.complete_ns == kNeverNs) return text + "outcome unknown)";
    return text + "completed at " + std::to_string(op.complete_ns) + " ns)";
  }

  static std::string quoted(const std::optional<std::string>& value) {
    return value ? "\"" + *value + "\"" : "null";
  }

 private:
  const History& history_;
  const std::vector<Operation>& operations_;
  const KeyProblem& problem_;
};

// Operations whose recorded intervals overlap the culprit's, nearest invocation first.
std::vector<int32_t> concurrent_with(const Describer& describer, const KeyProblem& problem, int32_t culprit) {
  auto [start, end] = describer.recorded_interval(culprit);
  std::vector<int32_t> result;
  for (int32_t i = 0; i < static_cast<int32_t>(problem.operations.size()); ++i) {
    auto [other_start, other_end] = describer.recorded_interval(i);
    if (i != culprit && other_start <= end && start <= other_end) result.push_back(i);
  }
  auto distance = [&](int32_t i) { return std::abs(problem.operations[i].timing.call_ns - start); };
  std::stable_sort(result.begin(), result.end(), [&](int32_t a, int32_t b) { return distance(a) < distance(b); });
  if (result.size() > kMaxConcurrentShown) result.resize(kMaxConcurrentShown);
  return result;
}

// The first operation that writes the value the culprit needs (a read's value, a cas's expected).
int32_t writer_of_needed_value(const Describer& describer, const KeyProblem& problem, int32_t culprit) {
  StepKind kind = problem.operations[culprit].step.kind;
  if (kind != StepKind::kRead && kind != StepKind::kCas) return -1;
  std::optional<std::string> needed = describer.invoke(culprit).expected;
  if (kind == StepKind::kRead) needed = describer.read_value(culprit);
  if (!needed) return -1;  // the initial state: nothing wrote it
  for (int32_t i = 0; i < static_cast<int32_t>(problem.operations.size()); ++i) {
    bool writes = changes_state(problem.operations[i].step.kind);
    if (i != culprit && writes && describer.invoke(i).value == needed) return i;
  }
  return -1;
}

std::map<int32_t, std::string> pick_roles(const Describer& describer, const KeyProblem& problem,
                                          const SearchFailure& failure) {
  std::map<int32_t, std::string> roles;  // ordered by operation index, i.e. by invocation time
  for (int32_t i : concurrent_with(describer, problem, failure.culprit)) {
    roles[i] = failure.placed[i] ? "concurrent, placed before it" : "concurrent, not placed";
  }
  if (int32_t writer = writer_of_needed_value(describer, problem, failure.culprit); writer >= 0) {
    roles[writer] = "wrote the value it needs";
  }
  if (failure.state_writer >= 0) roles[failure.state_writer] = "set the register it found";
  roles[failure.culprit] = "cannot be placed";
  return roles;
}

std::string explain(const Describer& describer, const KeyProblem& problem, const SearchFailure& failure) {
  std::string text = "no order of the operations places " + describer.full(failure.culprit) +
                     " before it completed. The longest linearizable prefix found has " +
                     std::to_string(failure.placed_count) + " operations and leaves the register ";
  if (failure.state_writer < 0) text += "in its initial state (null).";
  else text += "at " + Describer::quoted(describer.invoke(failure.state_writer).value) + ", set by " +
               describer.full(failure.state_writer) + ".";
  StepKind kind = problem.operations[failure.culprit].step.kind;
  if (kind == StepKind::kRead && describer.read_value(failure.culprit) &&
      writer_of_needed_value(describer, problem, failure.culprit) < 0) {
    text += " No operation ever wrote the value it read.";
  }
  return text;
}

}  // namespace

CounterExample build_counter_example(const History& history, const std::vector<Operation>& operations,
                                     const KeyProblem& problem, const SearchFailure& failure) {
  Describer describer(history, operations, problem);
  CounterExample example;
  for (const auto& [index, role] : pick_roles(describer, problem, failure)) {
    const Operation& operation = describer.operation(index);
    ReportedOperation reported{role, history[operation.invoke_index], std::nullopt};
    if (operation.completion_index) reported.completion = history[*operation.completion_index];
    example.operations.push_back(std::move(reported));
  }
  example.explanation = explain(describer, problem, failure);
  return example;
}

}  // namespace synod::check
