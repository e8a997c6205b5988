// Log compaction and InstallSnapshot (Raft §7). Message family: install snapshot (answered with
// an append response, so that the leader's progress logic is the same for both).
#include <algorithm>

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
  // The driver saved these bytes before compacting (engine.h): read them back when needed.
  if (snapshot_source_ != nullptr) log_.drop_snapshot_data();
  debug_check_invariants();
  return Status::Ok();
}

void RaftEngine::set_snapshot_source(SnapshotSource* source) {
  snapshot_source_ = source;
  // A snapshot restored from disk is durable; one received and not yet persisted is not.
  if (snapshot_source_ != nullptr && !unpersisted_snapshot_) log_.drop_snapshot_data();
}

std::optional<Snapshot> RaftEngine::snapshot_to_send(uint64_t min_index) const {
  const std::optional<Snapshot>& own = log_.snapshot();
  const bool own_serves = own && own->meta.index >= min_index;
  if (own_serves && !log_.snapshot_data_dropped()) return own;
  SYNOD_CHECK(own_serves || min_index > 0, "a compacted log keeps its snapshot");
  SYNOD_CHECK(!log_.snapshot_data_dropped() || snapshot_source_ != nullptr,
              "snapshot data dropped without a source");
  if (snapshot_source_ == nullptr) return std::nullopt;
  std::optional<Snapshot> loaded = own_serves ? snapshot_source_->load_snapshot(own->meta)
                                              : snapshot_source_->load_newest_snapshot();
  // A newer saved snapshot serves as well if it is committed history of this log: the follower
  // then continues from its index, which the log holds.
  const uint64_t lowest = std::max(min_index, log_.snapshot_index());
  if (!loaded || loaded->meta.index < lowest || loaded->meta.index > commit_ ||
      !log_.match_term(loaded->meta.index, loaded->meta.term))
    return std::nullopt;
  // The membership is the engine's own view at that index, not what the file says.
  loaded->meta.membership = own && loaded->meta.index == own->meta.index
                                ? own->meta.membership
                                : membership_at(loaded->meta.index);
  return loaded;
}

void RaftEngine::send_snapshot(NodeId to, uint64_t min_index) {
  std::optional<Snapshot> snapshot = snapshot_to_send(min_index);
  if (!snapshot) return;  // unreadable now: the follower stays in probe and the next append retries
  RaftMessage message;
  message.type = MessageType::kInstallSnapshot;
  message.term = term_;
  progress_.at(to).become_snapshot(snapshot->meta.index);
  message.snapshot = std::move(snapshot);
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
