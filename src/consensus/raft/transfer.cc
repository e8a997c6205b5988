// Leadership transfer (thesis §3.10). Message family: timeout now.
#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

Status RaftEngine::transfer_leadership(NodeId target) {
  if (role_ != Role::kLeader) return {StatusCode::kNotLeader, "not the leader"};
  if (target == config_.id) return Status::Ok();  // already leading
  if (!can_lead(target))
    return {StatusCode::kInvalidArgument, "only a voter can become leader"};
  if (transfer_target_ == target) return Status::Ok();
  transfer_target_ = target;
  // The transfer is abandoned if it has not happened within an election timeout (tick_leader).
  election_elapsed_ticks_ = 0;
  if (progress_.at(target).match == log_.last_index()) {
    send_timeout_now(target);
  } else {
    send_append(target, true);  // the acknowledgement that catches it up sends TimeoutNow
  }
  debug_check_invariants();
  return Status::Ok();
}

void RaftEngine::send_timeout_now(NodeId to) {
  RaftMessage message;
  message.type = MessageType::kTimeoutNow;
  message.term = term_;
  send(to, message);
}

Status RaftEngine::handle_timeout_now(const RaftMessage& /*message*/, NodeId /*from*/) {
  if (role_ == Role::kLeader) return {StatusCode::kCorruption, "a second leader in this term"};
  if (!can_campaign()) return Status::Ok();
  campaign(true);
  return Status::Ok();
}

}  // namespace synod::consensus::raft
