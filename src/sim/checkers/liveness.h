#pragma once
// Liveness after the faults stop. At `healed_tick` the network heals, crashed nodes restart and
// the disks and links are normal again. Then:
//   - within `bound_ticks` some node must be a committing leader (a leader whose commit index has
//     reached the first entry of its own term);
//   - every client operation invoked after healed_tick + bound_ticks must complete with ok or fail
//     (an info, i.e. a timeout, is a violation).
#include <cstdint>
#include <string>

#include "sim/checkers/violations.h"

namespace synod::sim {

class LivenessChecker {
 public:
  static constexpr const char* kName = "liveness";

  LivenessChecker(Violations& violations, Tick healed_tick, Tick bound_ticks)
      : violations_(violations), healed_tick_(healed_tick), bound_ticks_(bound_ticks) {}

  Tick deadline() const { return healed_tick_ + bound_ticks_; }
  // Called whenever a committing leader is observed.
  void on_committing_leader(Tick now);
  // Called when a client operation ends; `timed_out` for an info.
  void on_operation_end(Tick invoked, bool timed_out, const std::string& what, Tick now);
  // Called at the deadline.
  void on_deadline(Tick now);

  bool leader_found() const { return leader_found_; }

 private:
  Violations& violations_;
  Tick healed_tick_;
  Tick bound_ticks_;
  bool leader_found_ = false;
};

}  // namespace synod::sim
