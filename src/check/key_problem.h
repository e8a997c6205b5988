#pragma once
// One key's share of a history, translated into register steps for the search: operations that
// cannot matter are dropped, values are interned, and operations are sorted by invocation time.
#include <cstddef>
#include <string>
#include <vector>

#include "check/history.h"
#include "check/linear_search.h"
#include "check/operation.h"

namespace synod::check {

struct KeyProblem {
  std::vector<SearchOperation> operations;  // sorted by call time
  std::vector<size_t> sources;              // operations[i] came from Operation #sources[i]
  std::vector<std::string> values;          // the string of each ValueId but kUnobservable
};

KeyProblem build_key_problem(const History& history, const std::vector<Operation>& operations,
                             const std::vector<size_t>& key_operations);

}  // namespace synod::check
