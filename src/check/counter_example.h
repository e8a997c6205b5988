#pragma once
// Turns the search's deepest dead end into a few operations a human can read: the one that could
// not be placed, the write that set the register it found, the write of the value it needed, and
// the operations concurrent with it.
#include <string>
#include <vector>

#include "check/key_problem.h"
#include "check/linearizability.h"

namespace synod::check {

struct CounterExample {
  std::vector<ReportedOperation> operations;  // in invocation order
  std::string explanation;
};

// At most this many operations concurrent with the culprit are shown, the nearest in time first.
inline constexpr size_t kMaxConcurrentShown = 6;

CounterExample build_counter_example(const History& history, const std::vector<Operation>& operations,
                                     const KeyProblem& problem, const SearchFailure& failure);

}  // namespace synod::check
