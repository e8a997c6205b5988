#include "consensus/registry.h"

#include "consensus/raft/raft.h"

namespace synod::consensus {
namespace {
const EngineEntry kEngines[] = {
    {"raft", &raft::make_raft_engine},
};
}  // namespace

std::span<const EngineEntry> engines() { return kEngines; }

const EngineEntry* find_engine(std::string_view name) {
  for (const auto& entry : kEngines)
    if (entry.name == name) return &entry;
  return nullptr;
}

}  // namespace synod::consensus
