#pragma once
// Lowe's refinement of the Wing & Gong search for one register (one key), as Porcupine does it:
// walk the time-ordered entry list, place (linearize) any operation whose call comes before the
// first pending return and whose step the model allows, backtrack on reaching a return whose
// operation is not yet placed, and remember every (set of placed operations, register state)
// already explored so that no configuration is searched twice.
#include <cstdint>
#include <vector>

#include "check/entry_list.h"
#include "check/register_model.h"

namespace synod::check {

struct SearchOperation {
  RegisterStep step;
  TimedCall timing;  // timing.return_ns == kNeverNs: outcome unknown, placing it is optional
};

enum class SearchVerdict : uint8_t { kLinearizable, kNotLinearizable, kUnknown };

// Where the search got furthest before failing: the longest linearizable prefix it found and the
// operation it then could not place.
struct SearchFailure {
  int32_t culprit = -1;           // the operation whose return was reached unplaced
  std::vector<bool> placed;       // the operations of the prefix
  ValueId state = kAbsent;        // the register after the prefix
  int32_t state_writer = -1;      // the operation of the prefix that set `state`; -1: initial
  int64_t placed_count = 0;
};

struct SearchResult {
  SearchVerdict verdict = SearchVerdict::kUnknown;
  uint64_t steps = 0;
  SearchFailure failure;  // meaningful when verdict == kNotLinearizable
};

// `operations` must be sorted by call time. A step is one attempt to place or to take back an
// operation; after `max_steps` the search stops with kUnknown.
SearchResult search_linearization(const std::vector<SearchOperation>& operations, uint64_t max_steps);

}  // namespace synod::check
