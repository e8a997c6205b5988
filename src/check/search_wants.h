#pragma once
// What the candidates of a search configuration could need an unknown-outcome operation to do
// just before them. By reduction 2 of linear_search.cc, such an operation P is only worth placing
// when the next placement X needs it, and X must already be a candidate (placing P changes no
// entries), so only the current candidates count: a read of P's value, a cas expecting it, or a
// failed cas expecting the current state (then any change of state helps).
#include <algorithm>
#include <vector>

#include "check/register_model.h"

namespace synod::check {

struct SearchWants {
  bool any_change = false;
  std::vector<ValueId> values;
  int32_t latest_unobservable_write = -1;  // its slot among the unknown-outcome operations

  void add_candidate(const RegisterStep& step, ValueId state) {
    if (step.kind == StepKind::kRead && step.value != state) values.push_back(step.value);
    if (step.kind == StepKind::kCas && step.expected != state) values.push_back(step.expected);
    if (step.kind == StepKind::kCasFail && step.expected == state) any_change = true;
  }

  bool accepts(const RegisterStep& step) const {
    return any_change || std::find(values.begin(), values.end(), step.value) != values.end();
  }
};

}  // namespace synod::check
