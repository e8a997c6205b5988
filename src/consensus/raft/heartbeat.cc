// Heartbeats (Raft §5.2) and ReadIndex (thesis §6.4). Message family: heartbeat / response.
//
// A read is confirmed by heartbeats: each pending read remembers the round it started in, every
// heartbeat carries the latest round, and a response for round r proves the responder still
// followed this leader after every read of round <= r was recorded. Once a quorum (the leader
// included) has proved that, no other leader could have committed anything the read misses.
#include <algorithm>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

void RaftEngine::broadcast_heartbeat() {
  for (const auto& [node, progress] : progress_) {
    RaftMessage heartbeat;
    heartbeat.type = MessageType::kHeartbeat;
    heartbeat.term = term_;
    // Never more than the follower is known to hold: its log beyond match may still diverge.
    heartbeat.commit = std::min(progress.match, commit_);
    heartbeat.context = read_round_;
    send(node, heartbeat);
  }
}

Status RaftEngine::handle_heartbeat(const RaftMessage& message, NodeId from) {
  commit_to(std::min(message.commit, log_.last_index()));
  RaftMessage response;
  response.type = MessageType::kHeartbeatResponse;
  response.term = term_;
  response.context = message.context;
  send(from, response);
  return Status::Ok();
}

Status RaftEngine::handle_heartbeat_response(const RaftMessage& message, NodeId from) {
  if (role_ != Role::kLeader) return Status::Ok();
  auto it = progress_.find(from);
  if (it == progress_.end()) return {StatusCode::kInvalidArgument, "response from a non-follower"};
  if (message.context > read_round_) return {StatusCode::kInvalidArgument, "unknown read round"};
  Progress& progress = it->second;
  progress.recent_active = true;
  progress.probe_sent = false;  // the follower is reachable: retry a probe that may have been lost
  // Appends may have been lost: free a slot so that the append below can reveal the gap.
  if (progress.state == ProgressState::kReplicate && progress.inflight_full(flow_limits()))
    progress.free_first();
  if (progress.match < log_.last_index()) send_append(from, true);
  if (message.context > 0) {
    for (auto& read : pending_reads_) {
      if (read.round > message.context) break;
      auto& acks = read.acknowledged_by;
      auto position = std::lower_bound(acks.begin(), acks.end(), from);
      if (position == acks.end() || *position != from) acks.insert(position, from);
    }
    release_confirmed_reads();
  }
  return Status::Ok();
}

Status RaftEngine::read_index(uint64_t request_id) {
#ifdef SYNOD_MUTANTS
  if (config_.mutants & kMutantStaleRead) {
    read_states_.push_back({request_id, commit_});  // no leadership check at all
    return Status::Ok();
  }
#endif
  if (role_ != Role::kLeader) return {StatusCode::kNotLeader, "reads are served by the leader"};
  reads_awaiting_commit_.push_back(request_id);
  // Until the leader commits in its term its commit index may trail the last leader's (§6.4).
  start_reads_awaiting_commit();
  return Status::Ok();
}

void RaftEngine::start_reads_awaiting_commit() {
  if (reads_awaiting_commit_.empty() || !committed_in_current_term()) return;
  ++read_round_;
  for (uint64_t request_id : reads_awaiting_commit_)
    pending_reads_.push_back({request_id, commit_, read_round_, {}});
  reads_awaiting_commit_.clear();
  release_confirmed_reads();  // a single voter needs no one else
  if (!pending_reads_.empty()) broadcast_heartbeat();
}

void RaftEngine::release_confirmed_reads() {
  while (!pending_reads_.empty()) {
    const PendingRead& read = pending_reads_.front();
    const bool confirmed = quorum_agrees([this, &read](NodeId node) {
      return node == config_.id || std::binary_search(read.acknowledged_by.begin(),
                                                      read.acknowledged_by.end(), node);
    });
    if (!confirmed) return;
    read_states_.push_back({read.request_id, read.index});
    pending_reads_.pop_front();
  }
}

void RaftEngine::drop_pending_reads() {
  pending_reads_.clear();
  reads_awaiting_commit_.clear();
}

}  // namespace synod::consensus::raft
