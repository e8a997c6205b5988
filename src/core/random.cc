#include "core/random.h"

#include "core/check.h"

namespace synod {
namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(uint64_t seed) {
  for (auto& word : state_) word = splitmix64(seed);
}

uint64_t Random::next() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

uint64_t Random::uniform(uint64_t bound) {
  SYNOD_CHECK(bound > 0, "uniform bound must be positive");
  // Rejection sampling keeps the distribution exact.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t value;
  do {
    value = next();
  } while (value >= limit);
  return value % bound;
}

uint64_t Random::between(uint64_t low, uint64_t high) {
  SYNOD_CHECK(low <= high, "between needs low <= high");
  if (high - low == UINT64_MAX) return next();
  return low + uniform(high - low + 1);
}

bool Random::chance(uint64_t numerator, uint64_t denominator) {
  return uniform(denominator) < numerator;
}

Random Random::fork() { return Random(next()); }

}  // namespace synod
