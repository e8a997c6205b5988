#pragma once
// Exponential back-off between outbound connection attempts, jittered so that peers restarted
// together do not redial in lock step. The jitter comes from a seeded Random (no hidden entropy).
#include <chrono>
#include <cstdint>

#include "core/random.h"

namespace synod::transport {

class ReconnectBackoff {
 public:
  ReconnectBackoff(uint32_t initial_ms, uint32_t max_ms, uint64_t seed);

  // Uniform in [step/2, step]; then the step doubles, up to the maximum.
  std::chrono::milliseconds next_delay();
  // After a successful connection: the next failure starts again from the initial step.
  void reset() { step_ms_ = initial_ms_; }

 private:
  uint32_t initial_ms_;
  uint32_t max_ms_;
  uint32_t step_ms_;  // Invariant: initial_ms_ <= step_ms_ <= max_ms_.
  Random random_;
};

}  // namespace synod::transport
