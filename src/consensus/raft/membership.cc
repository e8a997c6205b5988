// Single-server membership changes (thesis §4.1, with Ongaro's 2015 fix: a leader proposes one
// only after committing an entry of its own term). A change takes effect when its entry commits,
// as in etcd-io/raft, so every node derives the same membership from the same committed prefix.
#include <algorithm>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {
// A committed change that does not fit (it was validated when proposed, so this takes a buggy or
// hostile leader) is skipped by every node alike, which keeps them in agreement.
bool RaftEngine::apply_membership_entry(Membership& membership, const Entry& entry) {
  MembershipChange change;
  if (entry.kind != EntryKind::kMembership || !decode_membership_change(entry.data, change))
    return false;
  return apply_membership_change(membership, change).ok();
}

ProposeResult RaftEngine::change_membership(const MembershipChange& change) {
  ProposeResult result;
  result.leader_hint = leader_;
  Membership next = latest_membership();
  if (role_ != Role::kLeader) {
    result.status = {StatusCode::kNotLeader, "not the leader"};
  } else if (transfer_target_ != kNoNode) {
    result.status = {StatusCode::kProposalDropped, "leadership transfer in progress"};
  } else if (!committed_in_current_term()) {
    result.status = {StatusCode::kProposalDropped, "the leader has not committed in its term yet"};
  } else if (!pending_membership_entries_.empty()) {
    result.status = {StatusCode::kProposalDropped, "a membership change is in progress"};
  } else if (Status fits = apply_membership_change(next, change); !fits.ok()) {
    result.status = fits;
  } else {
    result.term = term_;
    result.index = append_entry(EntryKind::kMembership, encode_membership_change(change));
    debug_check_invariants();
  }
  return result;
}

Membership RaftEngine::membership_at(uint64_t index) const {
  Membership membership = log_.snapshot() ? log_.snapshot()->meta.membership : Membership{};
  for (uint64_t i = log_.first_index(); i <= index; ++i) apply_membership_entry(membership, log_.at(i));
  return membership;
}

void RaftEngine::apply_membership_entries(uint64_t from, uint64_t to) {
  bool changed = false;
  for (uint64_t i = from; i <= to; ++i) changed |= apply_membership_entry(membership_, log_.at(i));
  if (changed) on_membership_changed();
}

Role RaftEngine::follower_role() const {
  return membership_.is_learner(config_.id) ? Role::kLearner : Role::kFollower;
}

void RaftEngine::on_membership_changed() {
  if (role_ == Role::kLeader) {
    if (!is_voter()) {
      hand_over_leadership();
      return;
    }
    sync_progress_with_membership();
    if (transfer_target_ != kNoNode && !can_lead(transfer_target_)) abort_transfer();
    release_confirmed_reads();  // the quorum may have shrunk
    if (maybe_commit()) broadcast_append();
    return;
  }
  if (role_ == Role::kFollower || role_ == Role::kLearner) {
    role_ = follower_role();
  } else if (!can_campaign()) {
    become_follower(term_, leader_);  // a removed or demoted candidate stops campaigning
  }
}

// A leader whose own removal committed hands over to the most caught-up voter instead of just
// stepping down. Why: the others may not have learnt that the removal committed (the commit index
// travels in later messages, which can be lost), so they still need this node's vote, and it
// refuses it to any candidate whose log is shorter than its own. Its TimeoutNow goes out only once
// the successor has every entry (proposals are refused meanwhile), so that successor wins. If no
// one is caught up within an election timeout, tick_leader() steps down anyway.
void RaftEngine::hand_over_leadership() {
  broadcast_append();  // carries the commit index of the removal
  NodeId successor = kNoNode;
  uint64_t best_match = 0;
  for (const auto& [node, progress] : progress_) {
    if (!can_lead(node) || (successor != kNoNode && progress.match <= best_match)) continue;
    successor = node;
    best_match = progress.match;
  }
  abort_transfer();
  if (successor == kNoNode || !transfer_leadership(successor).ok()) become_follower(term_, kNoNode);
}

// A heartbeat that lets a removed node learn the commit of its removal (as far as its log is
// known to match ours, `match`), so that it stops campaigning instead of pestering the cluster.
void RaftEngine::send_farewell(NodeId to, uint64_t match) {
  RaftMessage farewell;
  farewell.type = MessageType::kHeartbeat;
  farewell.term = term_;
  farewell.commit = std::min(match, commit_);
  send(to, farewell);
}

bool RaftEngine::can_lead(NodeId node) const {
  return membership_.is_voter(node) && latest_membership().is_voter(node);
}

// Tracks the members of both the committed and the latest membership: a node being added gets
// the log (and its acknowledgements count) before the change commits.
void RaftEngine::sync_progress_with_membership() {
  const Membership latest = latest_membership();
  for (auto it = progress_.begin(); it != progress_.end();) {
    if (membership_.contains(it->first) || latest.contains(it->first)) {
      ++it;
      continue;
    }
    send_farewell(it->first, it->second.match);
    it = progress_.erase(it);
  }
  auto track = [this](NodeId node) {
    if (node != config_.id) progress_.emplace(node, Progress(log_.last_index() + 1));
  };
  for (const Membership* membership : {static_cast<const Membership*>(&membership_), &latest}) {
    for (NodeId node : membership->voters) track(node);
    for (NodeId node : membership->learners) track(node);
  }
}

}  // namespace synod::consensus::raft
