// Quorums.
//
// A membership change is in force once committed (membership_), but until then the log may already
// hold a newer membership (latest_membership()). Every decision that needs a majority — winning
// an election, committing, confirming a ReadIndex, CheckQuorum — needs a majority of BOTH.
// Why: with changes in force only when committed, a node whose commit index lags its log (it
// crashed after persisting entries but before the hard state, or learnt the entries from a
// leader that had not committed them yet) can be two changes behind its own log, and majorities
// of memberships two changes apart need not intersect. The latest membership in the log is what
// the Raft thesis (§4.1) uses for quorums, which makes single-server changes safe; requiring the
// committed one as well costs a little liveness only while a change is pending, and keeps the
// etcd-like "in force when committed" rule for everything else (roles, who campaigns, learners).
// (Allowing only voters of the latest membership to campaign deadlocked in randomised runs: the
// one node whose log could win had its own removal pending.)
#include <algorithm>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

Membership RaftEngine::latest_membership() const {
  Membership latest = membership_;
  for (uint64_t index : pending_membership_entries_) apply_membership_entry(latest, log_.at(index));
  return latest;
}

bool RaftEngine::quorum_agrees(const std::function<bool(NodeId)>& agrees) const {
  auto majority = [&agrees](const Membership& membership) {
    size_t yes = 0;
    for (NodeId voter : membership.voters) yes += agrees(voter) ? 1 : 0;
    return yes >= membership.voters.size() / 2 + 1;
  };
  if (!majority(membership_)) return false;
  return pending_membership_entries_.empty() || majority(latest_membership());
}

// The voters of both memberships, sorted: whom a candidate asks, whose acks a leader counts.
std::vector<NodeId> RaftEngine::quorum_voters() const {
  std::vector<NodeId> voters = membership_.voters;
  if (!pending_membership_entries_.empty()) {
    for (NodeId voter : latest_membership().voters) voters.push_back(voter);
    std::sort(voters.begin(), voters.end());
    voters.erase(std::unique(voters.begin(), voters.end()), voters.end());
  }
  return voters;
}

// Voters of the committed membership campaign, even when the latest one drops them: such a node
// may hold the only log up to date enough to win, and a leader it becomes commits its own
// removal and steps down. Its own vote counts only where it is a voter.
bool RaftEngine::can_campaign() const { return membership_.is_voter(config_.id); }

// The highest index a majority of `membership`'s voters hold durably (the leader: what it synced).
uint64_t RaftEngine::quorum_match_index(const Membership& membership) const {
  if (membership.voters.empty()) return 0;
  std::vector<uint64_t> matches;
  for (NodeId voter : membership.voters) {
    if (voter == config_.id) {
      uint64_t own = std::min(persisted_index_, log_.last_index());
#ifdef SYNOD_MUTANTS
      if (config_.mutants & kMutantCountUnsyncedSelf) own = log_.last_index();
#endif
      matches.push_back(own);
      continue;
    }
    auto it = progress_.find(voter);
    matches.push_back(it == progress_.end() ? 0 : it->second.match);
  }
  std::sort(matches.begin(), matches.end(), std::greater<>());
  return matches[membership.voters.size() / 2];
}

uint64_t RaftEngine::quorum_match_index() const {
  uint64_t index = quorum_match_index(membership_);
  if (!pending_membership_entries_.empty())
    index = std::min(index, quorum_match_index(latest_membership()));
  return index;
}

// Keeps pending_membership_entries_ in step with the log after entries from `from` on changed.
void RaftEngine::note_log_changed_from(uint64_t from) {
  persisted_index_ = std::min(persisted_index_, from - 1);
  if (handed_last_index_) handed_last_index_ = std::min(*handed_last_index_, from - 1);
  auto& pending = pending_membership_entries_;
  pending.erase(std::lower_bound(pending.begin(), pending.end(), from), pending.end());
  for (uint64_t index = std::max(from, commit_ + 1); index <= log_.last_index(); ++index)
    if (log_.at(index).kind == EntryKind::kMembership) pending.push_back(index);
}

}  // namespace synod::consensus::raft
