#include "check/operation.h"

#include <map>
#include <string>

#include "check/history_names.h"

namespace synod::check {
namespace {

struct ProcessState {
  std::optional<size_t> outstanding;  // index into the operations
  std::optional<size_t> crashed_at;   // event index of the info that ended this process
  std::optional<int64_t> last_completion_ns;
};

Status malformed(size_t event_index, const std::string& why) {
  return {StatusCode::kInvalidArgument, "event " + std::to_string(event_index + 1) + ": " + why};
}

std::string process_name(int64_t process) { return "process " + std::to_string(process); }

// Why `completion` cannot complete `invoke`, or "" when it can.
std::string mismatch(const Event& invoke, const Event& completion) {
  if (completion.function != invoke.function) {
    return std::string(function_name(completion.function)) + " completes a " +
           std::string(function_name(invoke.function)) + " invocation";
  }
  if (completion.key != invoke.key) return "key \"" + completion.key + "\" differs from its invocation's";
  if (completion.time_ns < invoke.time_ns) return "completes before its invocation";
  bool carries_argument = invoke.function != Function::kRead;
  if (carries_argument && (completion.value != invoke.value || completion.expected != invoke.expected)) {
    return "value differs from its invocation's";
  }
  return "";
}

class Pairer {
 public:
  Pairer(const History& history, std::vector<Operation>& operations)
      : history_(history), operations_(operations) {}

  Status add(size_t index) {
    const Event& event = history_[index];
    ProcessState& process = processes_[event.process];
    if (process.crashed_at) {
      return malformed(index, process_name(event.process) + " issued an event after its info at event " +
                                  std::to_string(*process.crashed_at + 1));
    }
    return event.type == EventType::kInvoke ? invoke(index, process) : complete(index, process);
  }

 private:
  Status invoke(size_t index, ProcessState& process) {
    if (process.outstanding) {
      size_t pending = operations_[*process.outstanding].invoke_index;
      return malformed(index, process_name(history_[index].process) +
                                  " invoked while its operation from event " +
                                  std::to_string(pending + 1) + " is outstanding");
    }
    if (process.last_completion_ns && history_[index].time_ns < *process.last_completion_ns) {
      return malformed(index, process_name(history_[index].process) + " invoked at " +
                                  std::to_string(history_[index].time_ns) + " ns, before its previous operation completed at " +
                                  std::to_string(*process.last_completion_ns) + " ns");
    }
    process.outstanding = operations_.size();
    Operation operation;
    operation.invoke_index = index;
    operation.invoke_ns = history_[index].time_ns;
    operations_.push_back(operation);
    return Status::Ok();
  }

  Status complete(size_t index, ProcessState& process) {
    const Event& event = history_[index];
    if (!process.outstanding) {
      return malformed(index, process_name(event.process) + " completed with nothing outstanding");
    }
    Operation& operation = operations_[*process.outstanding];
    if (std::string why = mismatch(history_[operation.invoke_index], event); !why.empty()) {
      return malformed(index, why);
    }
    operation.completion_index = index;
    operation.outcome = event.type;
    if (event.type != EventType::kInfo) operation.complete_ns = event.time_ns;
    if (event.type == EventType::kInfo) process.crashed_at = index;
    process.outstanding.reset();
    process.last_completion_ns = event.time_ns;
    return Status::Ok();
  }

  const History& history_;
  std::vector<Operation>& operations_;
  std::map<int64_t, ProcessState> processes_;
};

}  // namespace

Status pair_operations(const History& history, std::vector<Operation>& operations) {
  operations.clear();
  Pairer pairer(history, operations);
  for (size_t index = 0; index < history.size(); ++index) {
    if (Status status = pairer.add(index); !status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace synod::check
