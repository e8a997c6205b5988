// Roles, elections (Raft §5.2), PreVote and CheckQuorum (thesis §9.6, §6.2).
// Message family: vote request / vote response.
#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

void RaftEngine::randomize_election_timeout() {
  randomized_election_timeout_ticks_ =
      config_.election_ticks + static_cast<uint32_t>(random_.uniform(config_.election_ticks));
}

// Everything that belongs to one role in one term is dropped on any role change.
void RaftEngine::reset_role_state() {
  election_elapsed_ticks_ = 0;
  heartbeat_elapsed_ticks_ = 0;
  randomize_election_timeout();
  votes_.clear();
  progress_.clear();
  abort_transfer();
  drop_pending_reads();
  uncommitted_bytes_ = 0;
}

void RaftEngine::become_follower(uint64_t term, NodeId leader) {
  if (term != term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  reset_role_state();
  role_ = follower_role();
  leader_ = leader;
}

void RaftEngine::become_pre_candidate() {
  // PreVote: probe for a majority without touching the term or the vote.
  reset_role_state();
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
}

void RaftEngine::become_candidate() {
  reset_role_state();
  ++term_;
  vote_ = config_.id;
  role_ = Role::kCandidate;
  leader_ = kNoNode;
}

void RaftEngine::become_leader() {
  reset_role_state();
  role_ = Role::kLeader;
  leader_ = config_.id;
  sync_progress_with_membership();
  // Raft §5.4.2 / §8: an entry of the new term commits everything before it.
  append_entry(EntryKind::kNoop, {});
}

bool RaftEngine::in_leader_lease() const {
  return config_.check_quorum && leader_ != kNoNode &&
         election_elapsed_ticks_ < config_.election_ticks;
}

void RaftEngine::tick_election() {
  ++election_elapsed_ticks_;
  // Learners, removed nodes and joining nodes never campaign.
  if (!can_campaign() || election_elapsed_ticks_ < randomized_election_timeout_ticks_) return;
  election_elapsed_ticks_ = 0;
  campaign(false);
}

void RaftEngine::tick_leader() {
  ++heartbeat_elapsed_ticks_;
  ++election_elapsed_ticks_;
  if (election_elapsed_ticks_ >= config_.election_ticks) {
    election_elapsed_ticks_ = 0;
    if (config_.check_quorum) {
      // CheckQuorum: a leader cut off from a majority steps down, so that its clients look
      // elsewhere and its stickiness does not outlive its leadership.
      if (!quorum_active()) {
        become_follower(term_, kNoNode);
        return;
      }
      for (auto& [node, progress] : progress_) progress.recent_active = false;
    }
    if (!is_voter()) {  // removed, and the hand-over did not happen in time
      become_follower(term_, kNoNode);
      return;
    }
    abort_transfer();  // a transfer that did not finish within an election timeout failed
  }
  tick_snapshot_retries();
  if (heartbeat_elapsed_ticks_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ticks_ = 0;
    broadcast_heartbeat();
  }
}

bool RaftEngine::quorum_active() const {
  return quorum_agrees([this](NodeId node) {
    auto it = progress_.find(node);
    return node == config_.id || (it != progress_.end() && it->second.recent_active);
  });
}

// transfer: started by TimeoutNow; skips PreVote and overrides the voters' leader stickiness.
void RaftEngine::campaign(bool transfer) {
  if (!config_.pre_vote || transfer) {
    campaign_for_votes(transfer);
    return;
  }
  become_pre_candidate();
  votes_[config_.id] = true;
  send_vote_requests(true, false);
  tally_votes();
}

void RaftEngine::campaign_for_votes(bool transfer) {
  become_candidate();
  votes_[config_.id] = true;
  send_vote_requests(false, transfer);
  tally_votes();
}

void RaftEngine::send_vote_requests(bool pre_vote, bool transfer) {
  RaftMessage request;
  request.type = MessageType::kVoteRequest;
  request.term = pre_vote ? term_ + 1 : term_;
  request.index = log_.last_index();
  request.log_term = log_.last_term();
  request.pre_vote = pre_vote;
  request.transfer = transfer;
  for (NodeId voter : quorum_voters())
    if (voter != config_.id) send(voter, request);
}

void RaftEngine::tally_votes() {
  const bool won = quorum_agrees([this](NodeId node) {
    auto it = votes_.find(node);
    return it != votes_.end() && it->second;
  });
  const bool still_possible = quorum_agrees([this](NodeId node) {
    auto it = votes_.find(node);
    return it == votes_.end() || it->second;
  });
  if (won) {
    if (role_ == Role::kPreCandidate) {
      campaign_for_votes(false);
    } else {
      become_leader();
    }
  } else if (!still_possible) {
    become_follower(term_, kNoNode);
  }
}

Status RaftEngine::handle_vote_request(const RaftMessage& message, NodeId from) {
  // Raft §5.2: one vote per term; a follower that knows a leader in this term votes for no one.
  // A PreVote for a later term is only an opinion and binds nothing.
  const bool can_vote = vote_ == from || (vote_ == kNoNode && leader_ == kNoNode) ||
                        (message.pre_vote && message.term > term_);
  bool up_to_date = log_.is_up_to_date(message.index, message.log_term);  // Raft §5.4.1
#ifdef SYNOD_MUTANTS
  if (config_.mutants & kMutantVoteIgnoresLog) up_to_date = true;
#endif
  RaftMessage response;
  response.type = MessageType::kVoteResponse;
  response.pre_vote = message.pre_vote;
  if (can_vote && up_to_date) {
    response.term = message.term;  // for a PreVote, the term the candidate will campaign in
    if (!message.pre_vote) {
      vote_ = from;
      election_elapsed_ticks_ = 0;
    }
  } else {
    response.term = term_;
    response.reject = true;
  }
  send(from, response);
  return Status::Ok();
}

Status RaftEngine::handle_vote_response(const RaftMessage& message, NodeId from) {
  const bool pre = role_ == Role::kPreCandidate;
  if (!pre && role_ != Role::kCandidate) return Status::Ok();  // the election is over
  if (message.pre_vote != pre) return Status::Ok();            // from an earlier phase
  if (pre && !message.reject && message.term != term_ + 1) return Status::Ok();
  votes_.emplace(from, !message.reject);  // the first answer counts
  tally_votes();
  return Status::Ok();
}

}  // namespace synod::consensus::raft
