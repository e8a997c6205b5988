#include "sim/checkers/linearizability_check.h"

#include <string>

#include "check/linearizability.h"

namespace synod::sim {
namespace {
// Enough for any history a seed produces when the store is correct (a few thousand operations);
// it bounds the time a pathological search can take.
constexpr uint64_t kMaxStepsPerKey = 2'000'000;

std::string describe_event(const check::Event& event) { return check::to_json_line(event); }
}  // namespace

LinearizabilityOutcome check_history(const check::History& history, Violations& violations, Tick now) {
  check::CheckOptions options;
  options.max_steps_per_key = kMaxStepsPerKey;
  const check::LinearizabilityReport report = check::check_linearizability(history, options);
  LinearizabilityOutcome outcome;
  outcome.operations = static_cast<uint64_t>(report.operation_count);
  if (!report.status.ok()) {
    violations.report(kLinearizabilityName, "malformed history: " + report.status.message(), now);
    return outcome;
  }
  if (report.linearizable) return outcome;
  if (!report.complete) {
    outcome.inconclusive = true;
    return outcome;
  }
  std::string message = "key " + report.failed_key + ": " + report.explanation;
  for (const check::ReportedOperation& operation : report.counter_example) {
    message += "\n    " + operation.role + ": " + describe_event(operation.invoke);
    if (operation.completion) message += " -> " + describe_event(*operation.completion);
  }
  violations.report(kLinearizabilityName, message, now);
  return outcome;
}

}  // namespace synod::sim
