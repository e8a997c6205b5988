#include "check/key_problem.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <set>

namespace synod::check {
namespace {

// A step before value interning; `value` is the string read, written or swapped in.
struct RawStep {
  StepKind kind;
  std::optional<std::string> value;
  std::optional<std::string> expected;
  bool optional;  // unknown outcome: may be placed or not
};

// The register step an operation stands for, or nothing when it cannot affect the verdict
// (a failed read or write did not happen; a read of unknown outcome constrains nothing).
std::optional<RawStep> raw_step(const Event& invoke, const Operation& operation, const History& history) {
  bool unknown = operation.outcome == EventType::kInfo;
  bool failed = operation.outcome == EventType::kFail;
  switch (invoke.function) {
    case Function::kRead:
      if (unknown || failed) return std::nullopt;
      return RawStep{StepKind::kRead, history[*operation.completion_index].value, std::nullopt, false};
    case Function::kWrite:
      if (failed) return std::nullopt;
      return RawStep{StepKind::kWrite, invoke.value, std::nullopt, unknown};
    case Function::kCas:
      if (failed) return RawStep{StepKind::kCasFail, std::nullopt, invoke.expected, false};
      return RawStep{StepKind::kCas, invoke.value, invoke.expected, unknown};
  }
  return std::nullopt;
}

// The values some operation can observe: read by a read, or expected by a cas.
std::set<std::string> observable_values(const std::vector<RawStep>& steps) {
  std::set<std::string> observable;
  for (const RawStep& step : steps) {
    if (step.kind == StepKind::kRead && step.value) observable.insert(*step.value);
    if (step.kind != StepKind::kRead && step.kind != StepKind::kWrite) observable.insert(*step.expected);
  }
  return observable;
}

class ValueInterner {
 public:
  ValueInterner(std::vector<std::string>& values, std::set<std::string> observable)
      : values_(values), observable_(std::move(observable)) {
    values_.assign(1, "");  // kUnobservable
  }

  ValueId intern(const std::optional<std::string>& value) {
    if (!value) return kAbsent;
    if (!observable_.contains(*value)) return kUnobservable;
    auto [it, inserted] = ids_.try_emplace(*value, static_cast<ValueId>(values_.size()));
    if (inserted) values_.push_back(*value);
    return it->second;
  }

 private:
  std::vector<std::string>& values_;
  std::set<std::string> observable_;
  std::map<std::string, ValueId> ids_;
};

}  // namespace

KeyProblem build_key_problem(const History& history, const std::vector<Operation>& operations,
                             const std::vector<size_t>& key_operations) {
  std::vector<RawStep> steps;
  std::vector<size_t> sources;
  for (size_t index : key_operations) {
    const Operation& operation = operations[index];
    std::optional<RawStep> step = raw_step(history[operation.invoke_index], operation, history);
    if (!step) continue;
    steps.push_back(*step);
    sources.push_back(index);
  }
  std::vector<size_t> order(steps.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return operations[sources[a]].invoke_ns < operations[sources[b]].invoke_ns;
  });
  KeyProblem problem;
  ValueInterner interner(problem.values, observable_values(steps));
  for (size_t i : order) {
    const Operation& operation = operations[sources[i]];
    RegisterStep step{steps[i].kind, interner.intern(steps[i].value), interner.intern(steps[i].expected)};
    problem.operations.push_back({step, {operation.invoke_ns, operation.complete_ns}});
    problem.sources.push_back(sources[i]);
  }
  return problem;
}

}  // namespace synod::check
