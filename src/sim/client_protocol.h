#pragma once
// What travels between a simulated client and a node: the request (a register command with the
// client's identity) and the node's answer.
#include <cstdint>
#include <optional>
#include <string>

#include "consensus/engine.h"
#include "sim/register_store.h"

namespace synod::sim {

struct ClientRequest {
  uint32_t client = 0;       // which SimClient waits for the answer
  RegisterCommand command;   // command.request_id is unique in the world
};

struct ClientReply {
  enum class Outcome : uint8_t {
    kAccepted,  // the node took the request (proposed or ReadIndex started): the timeout starts
    kRedirect,  // not taken: nothing happened, try `leader_hint` or another node
    kOk,        // done; for a read `value` is what was read, for a cas the swap happened
    kFail,      // certainly did not take effect (write), or a cas whose compare failed
    kUnknown,   // may or may not have taken effect
  };
  uint64_t request_id = 0;
  Outcome outcome = Outcome::kRedirect;
  std::optional<std::string> value;
  consensus::NodeId leader_hint = consensus::kNoNode;
};

}  // namespace synod::sim
