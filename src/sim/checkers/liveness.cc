#include "sim/checkers/liveness.h"

namespace synod::sim {

void LivenessChecker::on_committing_leader(Tick now) {
  if (now >= healed_tick_) leader_found_ = true;
}

void LivenessChecker::on_operation_end(Tick invoked, bool timed_out, const std::string& what, Tick now) {
  if (timed_out && invoked >= deadline())
    violations_.report(kName,
                       what + " invoked at tick " + std::to_string(invoked) +
                           " timed out although the faults stopped at tick " +
                           std::to_string(healed_tick_),
                       now);
}

void LivenessChecker::on_deadline(Tick now) {
  if (!leader_found_)
    violations_.report(kName,
                       "no committing leader within " + std::to_string(bound_ticks_) +
                           " ticks after the faults stopped at tick " + std::to_string(healed_tick_),
                       now);
}

}  // namespace synod::sim
