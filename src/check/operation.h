#pragma once
// Operations: each invocation in a history paired with its completion, after checking that the
// history is well formed. Malformed histories are reported as errors, never as a verdict, because
// a checker that guesses at a broken history can neither prove nor refute anything.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "check/history.h"
#include "core/status.h"

namespace synod::check {

// The return time of an operation whose outcome is unknown: it may take effect at any later time.
inline constexpr int64_t kNeverNs = std::numeric_limits<int64_t>::max();

struct Operation {
  size_t invoke_index = 0;                 // position of the invocation in the history
  std::optional<size_t> completion_index;  // absent: never completed (treated as info)
  // kOk, kFail or kInfo; an invocation that never completed has kInfo.
  EventType outcome = EventType::kInfo;
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNeverNs;  // kNeverNs when the outcome is unknown (info)
};

// Pairs invocations with completions by process. Well formed means: a process has at most one
// outstanding operation, invoked no earlier than its previous one completed; a completion matches
// its invocation's f, key and (write, cas) value and is not earlier than it; a process issues
// nothing after an info. Errors name the event (1-based).
Status pair_operations(const History& history, std::vector<Operation>& operations);

}  // namespace synod::check
