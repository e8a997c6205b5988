#pragma once
// Engines by name. The first one listed is the default.
#include <span>
#include <string_view>

#include "consensus/engine.h"

namespace synod::consensus {

struct EngineEntry {
  std::string_view name;
  EngineFactory create;
};

std::span<const EngineEntry> engines();
// nullptr when no engine has that name.
const EngineEntry* find_engine(std::string_view name);

}  // namespace synod::consensus
