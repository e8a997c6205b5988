#pragma once
// Virtual time. One tick is one millisecond of virtual time: histories carry nanoseconds, so an
// event at tick t is stamped t * kNanosPerTick.
#include <cstdint>

namespace synod::sim {

using Tick = uint64_t;
inline constexpr int64_t kNanosPerTick = 1'000'000;

inline int64_t tick_to_ns(Tick tick) { return static_cast<int64_t>(tick) * kNanosPerTick; }

}  // namespace synod::sim
