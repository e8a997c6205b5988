#pragma once
// Deterministic pseudo-random numbers (xoshiro256**, seeded by splitmix64).
// Every random choice in an engine or in the simulator comes from one of these, seeded explicitly,
// so a run replays bit for bit.
#include <cstdint>

namespace synod {

class Random {
 public:
  explicit Random(uint64_t seed);

  uint64_t next();
  // Uniform in [0, bound); bound must be > 0.
  uint64_t uniform(uint64_t bound);
  // Uniform in [low, high] inclusive.
  uint64_t between(uint64_t low, uint64_t high);
  // True with probability numerator/denominator.
  bool chance(uint64_t numerator, uint64_t denominator);
  // An independent generator derived from this one (for per-node streams).
  Random fork();

 private:
  uint64_t state_[4];
};

}  // namespace synod
