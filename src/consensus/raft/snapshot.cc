// Log compaction and InstallSnapshot (Raft §7). Message family: install snapshot (answered with
// an append response, so that the leader's progress logic is the same for both).
#include "consensus/raft/raft_engine.h"
#include "core/check.h"

namespace synod::consensus::raft {

Status RaftEngine::compact(uint64_t applied_index, std::string data) {
  if (applied_index > applied_)
    return {StatusCode::kInvalidArgument, "cannot compact beyond the applied index"};
  if (applied_index <= log_.snapshot_index())
    return {StatusCode::kCompacted, "already compacted to that index"};
  Snapshot snapshot;
  snapshot.meta.index = applied_index;
  snapshot.meta.term = *log_.term(applied_index);
  snapshot.meta.membership = membership_at(applied_index);
  snapshot.data = std::move(data);
  log_.compact(std::move(snapshot));
  debug_check_invariants();
  return Status::Ok();
}

void RaftEngine::send_snapshot(NodeId to) {
  const std::optional<Snapshot>& snapshot = log_.snapshot();
  SYNOD_CHECK(snapshot.has_value(), "a compacted log keeps its snapshot");
  RaftMessage message;
  message.type = MessageType::kInstallSnapshot;
  message.term = term_;
  message.snapshot = *snapshot;
  progress_.at(to).become_snapshot(snapshot->meta.index);
  send(to, std::move(message));
}

// A snapshot lost on the way would leave the follower paused forever: retry by probing again
// after an election timeout (the probe's rejection leads back to a fresh snapshot if needed).
void RaftEngine::tick_snapshot_retries() {
  for (auto& [node, progress] : progress_) {
    if (progress.state != ProgressState::kSnapshot) continue;
    if (++progress.snapshot_elapsed_ticks >= config_.election_ticks) progress.become_probe();
  }
}

Status RaftEngine::handle_install_snapshot(const RaftMessage& message, NodeId from) {
  const Snapshot& snapshot = *message.snapshot;
  RaftMessage response;
  response.type = MessageType::kAppendResponse;
  response.term = term_;
  if (snapshot.meta.index <= commit_) {
    // Older than what we have committed: it would move us backwards.
    response.index = commit_;
  } else if (log_.match_term(snapshot.meta.index, snapshot.meta.term)) {
    // We hold its last entry, so our log already contains the snapshot's history.
    commit_to(snapshot.meta.index);
    response.index = commit_;
  } else {
    log_.reset(snapshot);
    persisted_index_ = 0;  // the old log is gone; the snapshot counts once its Ready is durable
    handed_last_index_.reset();
    commit_ = apply_cursor_ = snapshot.meta.index;
    pending_membership_entries_.clear();
    membership_ = snapshot.meta.membership;
    unpersisted_snapshot_ = snapshot;
    on_membership_changed();
    response.index = log_.last_index();
  }
  send(from, response);
  return Status::Ok();
}

}  // namespace synod::consensus::raft
