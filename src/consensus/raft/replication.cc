// Proposals, log replication (Raft §5.3) with etcd-io/raft's flow control and fast back-off,
// and the commit rule (Raft §5.4.2). Message family: append / append response.
#include <algorithm>

#include "consensus/raft/raft_engine.h"
#include "core/check.h"

namespace synod::consensus::raft {

ProposeResult RaftEngine::propose(std::string command) {
  ProposeResult result;
  result.leader_hint = leader_;
  if (role_ != Role::kLeader) {
    result.status = {StatusCode::kNotLeader, "not the leader"};
  } else if (transfer_target_ != kNoNode) {
    result.status = {StatusCode::kProposalDropped, "leadership transfer in progress"};
  } else if (uncommitted_bytes_ > 0 &&
             uncommitted_bytes_ + command.size() > config_.max_uncommitted_bytes) {
    result.status = {StatusCode::kBusy, "too many uncommitted bytes"};
  } else {
    result.term = term_;
    result.index = append_entry(EntryKind::kCommand, std::move(command));
    debug_check_invariants();
  }
  return result;
}

uint64_t RaftEngine::append_entry(EntryKind kind, std::string data) {
  SYNOD_CHECK(role_ == Role::kLeader, "only a leader appends");
  const uint64_t index = log_.last_index() + 1;
  uncommitted_bytes_ += data.size();
  log_.append({index, term_, kind, std::move(data)});
  note_log_changed_from(index);
  if (kind == EntryKind::kMembership) sync_progress_with_membership();
  maybe_commit();
  // Sent when the Ready is taken (flush_new_entries): the proposals of one turn of the driver
  // travel in one append per follower, not one each.
  new_entries_unsent_ = role_ == Role::kLeader;
  return index;
}

void RaftEngine::flush_new_entries() {
  if (!new_entries_unsent_) return;
  new_entries_unsent_ = false;
  if (role_ != Role::kLeader) return;
  for (const auto& [node, progress] : progress_) send_append(node, false);
}

FlowLimits RaftEngine::flow_limits() const {
  return {config_.max_inflight_messages, config_.max_inflight_bytes};
}

void RaftEngine::broadcast_append() {
  for (const auto& [node, progress] : progress_) send_append(node, true);
}

void RaftEngine::send_appends_while_possible(NodeId to) {
  while (send_append(to, false)) {
  }
}

// Sends the entries from the follower's next index, as many as the message and in-flight limits
// allow; an empty append still carries the commit index (and probes for lost appends).
bool RaftEngine::send_append(NodeId to, bool send_if_empty) {
  auto it = progress_.find(to);
  if (it == progress_.end()) return false;
  Progress& progress = it->second;
  const FlowLimits limits = flow_limits();
  if (progress.is_paused(limits)) return false;
  const uint64_t prev_index = progress.next - 1;
  const std::optional<uint64_t> prev_term = log_.term(prev_index);
  if (!prev_term) {  // compacted: only the snapshot can bring this follower up to date
    send_snapshot(to);
    return false;
  }
  RaftMessage append;
  append.type = MessageType::kAppend;
  append.term = term_;
  append.index = prev_index;
  append.log_term = *prev_term;
  append.commit = commit_;
  const uint64_t budget_bytes =
      std::min(config_.max_message_bytes, progress.inflight_budget_bytes(limits));
  if (progress.next <= log_.last_index() &&
      !entries_to_send(progress.next, budget_bytes, append.entries)) {
    send_snapshot(to, progress.next);  // never a wrong or empty entry
    // No snapshot fits yet either: probe, so that retries go at the pace of the responses.
    if (progress.state == ProgressState::kReplicate) progress.become_probe();
    return false;
  }
  uint64_t bytes = 0;
  for (const auto& entry : append.entries) bytes += entry.data.size();
  // One entry may exceed the byte budget only when nothing else is in flight; until then a
  // heartbeat still goes out empty, so that a lost append is found by the follower's reject.
  if (bytes > budget_bytes && progress.inflight_count() > 0) {
    if (!send_if_empty) return false;
    append.entries.clear();
    bytes = 0;
  }
  if (append.entries.empty()) {
    if (!send_if_empty) return false;
    progress.sent_empty();
  } else {
    progress.sent_entries(append.entries.back().index, bytes);
  }
  send(to, std::move(append));
  return true;
}

Status RaftEngine::handle_append(const RaftMessage& message, NodeId from) {
  RaftMessage response;
  response.type = MessageType::kAppendResponse;
  response.term = term_;
  if (message.index < commit_) {
    // Everything up to commit_ is known to match: tell the leader where to resume.
    response.index = commit_;
    send(from, response);
    return Status::Ok();
  }
  if (!log_.match_term(message.index, message.log_term)) {
    // Fast back-off: skip every entry of a term the leader does not have at prev.
    response.reject = true;
    response.index = message.index;
    response.hint_index = log_.find_conflict_by_term(message.index, message.log_term);
    response.hint_term = log_.term(response.hint_index).value_or(0);
    send(from, response);
    return Status::Ok();
  }
  const uint64_t last_new_index = message.index + message.entries.size();
  if (const uint64_t conflict = log_.find_conflict(message.entries); conflict != 0) {
    // conflict > message.index >= commit_: committed entries are never overwritten.
    SYNOD_CHECK(conflict > commit_, "a committed entry conflicts");
    const auto offset = static_cast<long>(conflict - message.index - 1);
    log_.truncate_and_append({message.entries.begin() + offset, message.entries.end()});
    note_log_changed_from(conflict);
  }
  // Only what this message proves to match may be committed (our log may run further).
  commit_to(std::min(message.commit, last_new_index));
  response.index = last_new_index;
  send(from, response);
  return Status::Ok();
}

Status RaftEngine::handle_append_response(const RaftMessage& message, NodeId from) {
  if (role_ != Role::kLeader) return Status::Ok();
  auto it = progress_.find(from);
  if (it == progress_.end()) return {StatusCode::kInvalidArgument, "response from a non-follower"};
  // Only this leader's appends, of this term, could be acknowledged: never beyond its log.
  if (message.index > log_.last_index())
    return {StatusCode::kCorruption, "response beyond the leader's log"};
  it->second.recent_active = true;
  if (message.reject) {
    handle_append_rejection(message, from);
  } else {
    handle_append_acceptance(message, from);
  }
  return Status::Ok();
}

void RaftEngine::handle_append_rejection(const RaftMessage& message, NodeId from) {
  Progress& progress = progress_.at(from);
  uint64_t probe_hint = message.hint_index;
  // The follower has nothing of terms above hint_term up to hint_index: skip our entries of
  // such terms too, so each divergent term costs one round trip rather than each entry.
  if (message.hint_term > 0)
    probe_hint = log_.find_conflict_by_term(message.hint_index, message.hint_term);
  if (!progress.maybe_decrease(message.index, probe_hint)) return;  // stale
  if (progress.state == ProgressState::kReplicate) progress.become_probe();
  send_append(from, true);
}

void RaftEngine::handle_append_acceptance(const RaftMessage& message, NodeId from) {
  Progress& progress = progress_.at(from);
  const bool updated = progress.maybe_update(message.index);
  if (!updated && !(progress.match == message.index && progress.state == ProgressState::kProbe))
    return;  // stale or duplicated
  switch (progress.state) {
    case ProgressState::kProbe:
      progress.become_replicate();
      break;
    case ProgressState::kSnapshot:
      if (progress.match + 1 >= log_.first_index()) progress.become_replicate();
      break;
    case ProgressState::kReplicate:
      progress.free_up_to(message.index);
      break;
  }
  if (maybe_commit()) {
    // Committing may have applied a membership change: re-check the role and the follower.
    if (role_ != Role::kLeader) return;
    broadcast_append();
  }
  if (progress_.find(from) == progress_.end()) return;
  send_appends_while_possible(from);
  if (from == transfer_target_ && progress_.at(from).match == log_.last_index())
    send_timeout_now(from);
}

// Raft §5.4.2 (Figure 8): a leader commits by counting replicas only entries of its own term;
// earlier entries are committed indirectly with them.
bool RaftEngine::maybe_commit() {
  const uint64_t candidate = quorum_match_index();  // see quorum.cc
  if (candidate <= commit_) return false;
  bool countable = log_.term(candidate) == term_;
#ifdef SYNOD_MUTANTS
  if (config_.mutants & kMutantCommitOldTerm) countable = true;
#endif
  if (!countable) return false;
  commit_to(candidate);
  return true;
}

void RaftEngine::commit_to(uint64_t index) {
  if (index <= commit_) return;
  SYNOD_CHECK(index <= log_.last_index(), "commit beyond the log");
  const uint64_t old_commit = commit_;
  commit_ = index;
  auto& pending = pending_membership_entries_;
  pending.erase(pending.begin(), std::upper_bound(pending.begin(), pending.end(), commit_));
  if (role_ == Role::kLeader)
    for (uint64_t i = old_commit + 1; i <= index; ++i)
      uncommitted_bytes_ -= std::min(uncommitted_bytes_, uint64_t{log_.at(i).data.size()});
  apply_membership_entries(old_commit + 1, index);
  if (role_ == Role::kLeader) start_reads_awaiting_commit();
}

}  // namespace synod::consensus::raft
