// Executable invariants, checked after every step and tick in debug builds and by the tests.
// Each returns the first violation found, as a kCorruption status naming it.
#include <string>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {
namespace {

Status violated(const std::string& what) { return {StatusCode::kCorruption, "invariant: " + what}; }

}  // namespace

Status RaftEngine::check_invariants() const {
  for (Status status : {check_history(), check_log(), check_positions(), check_roles()})
    if (!status.ok()) return status;
  return role_ == Role::kLeader ? check_leader() : Status::Ok();
}

// Against the previous check: Raft terms only rise and a commit is never taken back.
Status RaftEngine::check_history() const {
  if (term_ < checked_term_) return violated("term went down");
  if (commit_ < checked_commit_) return violated("commit index went down");
  checked_term_ = term_;
  checked_commit_ = commit_;
  return Status::Ok();
}

// Consecutive indexes after the snapshot, terms never decreasing, none above the current term.
Status RaftEngine::check_log() const {
  uint64_t previous_term = log_.snapshot_term();
  for (uint64_t index = log_.first_index(); index <= log_.last_index(); ++index) {
    const Entry& entry = log_.at(index);
    if (entry.index != index) return violated("log index gap at " + std::to_string(index));
    if (entry.term < previous_term) return violated("log terms decrease at " + std::to_string(index));
    previous_term = entry.term;
  }
  if (log_.last_term() > term_) return violated("log term above the current term");
  return Status::Ok();
}

// snapshot <= applied <= handed out <= commit <= last index; the membership follows the log.
Status RaftEngine::check_positions() const {
  if (commit_ > log_.last_index()) return violated("commit beyond the last index");
  if (persisted_index_ > log_.last_index()) return violated("persisted index beyond the last index");
  if (commit_ < log_.snapshot_index()) return violated("commit below the snapshot");
  if (apply_cursor_ > commit_) return violated("handed out uncommitted entries");
  if (applied_ > apply_cursor_) return violated("applied beyond what was handed out");
  if (apply_cursor_ < log_.snapshot_index()) return violated("apply cursor below the snapshot");
  if (!valid_membership(membership_)) return violated("membership malformed");
  if (membership_ != membership_at(commit_)) return violated("membership differs from the log's");
  std::vector<uint64_t> pending;
  for (uint64_t index = commit_ + 1; index <= log_.last_index(); ++index)
    if (log_.at(index).kind == EntryKind::kMembership) pending.push_back(index);
  if (pending != pending_membership_entries_) return violated("pending membership entries stale");
  return Status::Ok();
}

Status RaftEngine::check_roles() const {
  if ((role_ == Role::kLeader) != (leader_ == config_.id)) return violated("leader id mismatch");
  if ((role_ == Role::kLeader || role_ == Role::kCandidate) && vote_ != config_.id)
    return violated("leader or candidate without its own vote");
  if (vote_ != kNoNode && term_ == 0) return violated("vote in term 0");
  if (role_ == Role::kLearner && !membership_.is_learner(config_.id))
    return violated("learner role without being a learner");
  if ((role_ == Role::kCandidate || role_ == Role::kPreCandidate) && !can_campaign())
    return violated("a non-voter campaigns");
  if (role_ == Role::kLeader) return Status::Ok();
  if (!progress_.empty()) return violated("progress kept by a non-leader");
  if (transfer_target_ != kNoNode) return violated("transfer by a non-leader");
  if (!pending_reads_.empty() || !reads_awaiting_commit_.empty())
    return violated("reads pending on a non-leader");
  return Status::Ok();
}

// The leader is a voter tracking every other member (of both memberships, see quorum.cc), with
// sane follower positions. Its own match is what it synced (persisted_index_).
Status RaftEngine::check_leader() const {
  if (!is_voter() && transfer_target_ == kNoNode)
    return violated("a removed leader that is not handing over");
  const Membership latest = latest_membership();
  for (const auto& [node, progress] : progress_) {
    const std::string who = " for " + std::to_string(node);
    if (!membership_.contains(node) && !latest.contains(node))
      return violated("progress for a non-member" + who);
    if (progress.match >= progress.next) return violated("match >= next" + who);
    if (progress.next > log_.last_index() + 1) return violated("next beyond the log" + who);
    if (progress.inflight_count() > config_.max_inflight_messages)
      return violated("too many appends in flight" + who);
  }
  for (const Membership* membership : {&membership_, &latest}) {
    for (const auto* nodes : {&membership->voters, &membership->learners})
      for (NodeId node : *nodes)
        if (node != config_.id && !progress_.count(node))
          return violated("member without progress: " + std::to_string(node));
  }
  if (transfer_target_ != kNoNode && !can_lead(transfer_target_))
    return violated("transfer to a non-voter");
  if (log_.last_term() != term_) return violated("leader without an entry of its term (no-op)");
  return Status::Ok();
}

}  // namespace synod::consensus::raft
