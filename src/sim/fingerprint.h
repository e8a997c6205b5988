#pragma once
// FNV-1a, 64 bits: a stable fingerprint of bytes for digests and checkers (not cryptographic; the
// simulator only needs the same input to give the same number on every run and platform).
#include <cstdint>
#include <string_view>

namespace synod::sim {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

inline uint64_t fnv1a(std::string_view bytes, uint64_t hash = kFnvOffset) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

inline uint64_t fnv1a_u64(uint64_t value, uint64_t hash = kFnvOffset) {
  for (int i = 0; i < 8; ++i) {
    hash ^= (value >> (8 * i)) & 0xff;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace synod::sim
