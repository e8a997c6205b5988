#pragma once
// The Raft engine's factory, registered by name in consensus/registry.cc.
#include <memory>

#include "consensus/engine.h"

namespace synod::consensus::raft {

std::unique_ptr<Engine> make_raft_engine(const EngineConfig& config, DurableState state);

}  // namespace synod::consensus::raft
