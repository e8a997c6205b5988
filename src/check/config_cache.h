#pragma once
// The memo of explored search configurations: which operations are placed, the register state and
// the pending obligation of a just-placed unknown-outcome operation (see linear_search.cc).
//
// Invariant of the search: every placed operation's call precedes every unplaced required
// operation's return, so the placed required operations are [0, end) minus a few "holes" (unplaced
// ones concurrent with the latest placed). Storing (end, holes) is exact and small, where a bitset
// over all operations per configuration would cost O(operations) memory each. Unknown-outcome
// operations (a few percent in real histories) are kept as a bitset of their own.
//
// Dominance: configurations that differ only in which unknown-outcome operations are placed are
// ordered; placing fewer leaves more choices (they constrain nothing and are never required), so
// if one was explored to the end without success, every configuration with the same required part
// and a superset of its unknown-outcome placements is dead too. Without this, each info operation
// that could have taken effect somewhere doubles the configurations of the rest of the history.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "check/register_model.h"

namespace synod::check {

// No obligation: the last operation placed was a required one.
inline constexpr ValueId kNoObligation = -2;

struct RequiredPart {
  int32_t placed_end = 0;              // one past the highest placed required operation
  ValueId state = kAbsent;
  ValueId obligation = kNoObligation;  // the next operation placed must be impossible from this state
  std::vector<int32_t> holes;          // unplaced required operations below placed_end, ascending

  bool operator==(const RequiredPart&) const = default;
};

struct RequiredPartHash {
  size_t operator()(const RequiredPart& part) const;
};

using OptionalBits = std::vector<uint64_t>;  // bit i: the i-th unknown-outcome operation is placed

class ConfigurationCache {
 public:
  struct Variants {
    std::vector<OptionalBits> placed;
    std::vector<bool> dead;  // explored to the end without success
  };
  struct Handle {
    Variants* variants;
    size_t index;
  };

  // Records the configuration and returns its handle, or nothing when it was seen before or is
  // dominated by a dead one.
  std::optional<Handle> visit(const RequiredPart& part, const OptionalBits& optional_placed);
  static void mark_dead(Handle handle) { handle.variants->dead[handle.index] = true; }

 private:
  std::unordered_map<RequiredPart, Variants, RequiredPartHash> variants_;
};

}  // namespace synod::check
