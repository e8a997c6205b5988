#include "consensus/raft/raft.h"

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

std::unique_ptr<Engine> make_raft_engine(const EngineConfig& config, DurableState state) {
  return std::make_unique<RaftEngine>(config, std::move(state));
}

}  // namespace synod::consensus::raft
