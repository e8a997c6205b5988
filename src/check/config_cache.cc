#include "check/config_cache.h"

namespace synod::check {
namespace {

bool is_subset(const OptionalBits& smaller, const OptionalBits& larger) {
  for (size_t word = 0; word < smaller.size(); ++word) {
    if ((smaller[word] & ~larger[word]) != 0) return false;
  }
  return true;
}

}  // namespace

size_t RequiredPartHash::operator()(const RequiredPart& part) const {
  uint64_t hash = static_cast<uint64_t>(part.placed_end) * 0x9E3779B97F4A7C15ULL;
  auto mix = [&hash](uint64_t word) { hash ^= word * 0xBF58476D1CE4E5B9ULL + (hash << 6) + (hash >> 2); };
  mix(static_cast<uint32_t>(part.state));
  mix(static_cast<uint32_t>(part.obligation));
  for (int32_t hole : part.holes) mix(static_cast<uint32_t>(hole));
  return static_cast<size_t>(hash);
}

std::optional<ConfigurationCache::Handle> ConfigurationCache::visit(const RequiredPart& part,
                                                                      const OptionalBits& optional_placed) {
  auto found = variants_.find(part);
  if (found == variants_.end()) found = variants_.emplace(part, Variants{}).first;
  Variants& variants = found->second;
  for (size_t i = 0; i < variants.placed.size(); ++i) {
    if (variants.placed[i] == optional_placed) return std::nullopt;
    if (variants.dead[i] && is_subset(variants.placed[i], optional_placed)) return std::nullopt;
  }
  variants.placed.push_back(optional_placed);
  variants.dead.push_back(false);
  return Handle{&variants, variants.placed.size() - 1};
}

}  // namespace synod::check
