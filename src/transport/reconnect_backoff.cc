#include "transport/reconnect_backoff.h"

#include <algorithm>

namespace synod::transport {

ReconnectBackoff::ReconnectBackoff(uint32_t initial_ms, uint32_t max_ms, uint64_t seed)
    : initial_ms_(initial_ms), max_ms_(std::max(initial_ms, max_ms)), step_ms_(initial_ms),
      random_(seed) {}

std::chrono::milliseconds ReconnectBackoff::next_delay() {
  const uint64_t delay_ms = random_.between(step_ms_ / 2, step_ms_);
  step_ms_ = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{step_ms_} * 2, max_ms_));
  return std::chrono::milliseconds(delay_ms);
}

}  // namespace synod::transport
