#pragma once
// What travels between a simulated client and a node: a register operation (workload.h) and how
// it ended. Each send is a new attempt; the reply names it, so a late answer to an earlier attempt
// is recognised and ignored.
#include <cstdint>

#include "consensus/log_types.h"
#include "sim/workload.h"

namespace synod::sim {

struct ClientRequest {
  uint32_t client = 0;   // which SimClient waits for the answer
  uint64_t attempt = 0;  // the client's number for this send
  RegisterOperation operation;
};

struct ClientReply {
  uint64_t attempt = 0;
  RegisterOutcome outcome;
  consensus::NodeId leader_hint = consensus::kNoNode;  // the leader as the answering node knew it
};

}  // namespace synod::sim
