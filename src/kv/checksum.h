#pragma once
// FNV-1a, 64 bits: enough to catch corruption of a snapshot and to compare stores (HashKV); not a
// defence against an adversary.
#include <cstdint>
#include <string_view>

namespace synod::kv {

inline uint64_t fnv1a64(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace synod::kv
