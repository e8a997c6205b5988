// Construction and restart, step() validation and the term rules, tick, and the Ready contract.
#include "consensus/raft/raft_engine.h"

#include <algorithm>

#include "core/check.h"

namespace synod::consensus::raft {
namespace {

Status invalid(const char* why) { return {StatusCode::kInvalidArgument, why}; }

bool is_response(MessageType type) {
  return type == MessageType::kVoteResponse || type == MessageType::kAppendResponse ||
         type == MessageType::kHeartbeatResponse;
}

bool is_from_leader(MessageType type) {
  return type == MessageType::kAppend || type == MessageType::kHeartbeat ||
         type == MessageType::kInstallSnapshot;
}

void check_config(const EngineConfig& config) {
  SYNOD_CHECK(config.id != kNoNode, "node id 0 is reserved");
  SYNOD_CHECK(config.heartbeat_ticks >= 1, "heartbeat_ticks must be positive");
  SYNOD_CHECK(config.election_ticks > config.heartbeat_ticks,
              "election_ticks must exceed heartbeat_ticks");
  SYNOD_CHECK(config.max_inflight_messages >= 1, "max_inflight_messages must be positive");
  SYNOD_CHECK(config.max_inflight_bytes >= 1, "max_inflight_bytes must be positive");
  SYNOD_CHECK(config.max_message_bytes >= 1, "max_message_bytes must be positive");
  SYNOD_CHECK(valid_membership(config.initial_membership), "initial membership is malformed");
}

// Each node draws its own election timeouts: same seed, different node, different stream.
uint64_t node_seed(const EngineConfig& config) {
  return config.seed ^ (config.id * 0x9e3779b97f4a7c15ULL);
}

}  // namespace

RaftEngine::RaftEngine(const EngineConfig& config, DurableState state)
    : config_(config), random_(node_seed(config)) {
  check_config(config);
  // A node whose first Ready was torn by a crash holds at most part of its bootstrap: nothing it
  // did was sent, so it starts over (no election is ever held in term 1, so term <= 1 and no vote
  // means it never did anything else).
  const bool unstarted = !state.snapshot && state.entries.empty() &&
                         state.hard_state.term <= 1 && state.hard_state.vote == kNoNode;
  if (unstarted) {
    bootstrap(config.initial_membership);
  } else {
    restart(std::move(state));
  }
  membership_ = membership_at(commit_);
  note_log_changed_from(commit_ + 1);
  if (!unstarted) persisted_index_ = log_.last_index();  // recovered from disk: all durable
  role_ = follower_role();
  randomize_election_timeout();
  debug_check_invariants();
}

// A new cluster: every initial member writes the same committed entries, one per member, so the
// membership lives in the log like any later change (see raft_engine.h). Without voters the node
// is joining and starts empty.
void RaftEngine::bootstrap(const Membership& initial) {
  SYNOD_CHECK(!initial.voters.empty() || initial.learners.empty(),
              "an initial membership needs a voter");
  if (initial.voters.empty()) return;
  term_ = 1;
  auto add = [this](MembershipChange::Type type, NodeId node) {
    log_.append({log_.last_index() + 1, term_, EntryKind::kMembership,
                 encode_membership_change({type, node})});
  };
  for (NodeId voter : initial.voters) add(MembershipChange::Type::kAddVoter, voter);
  for (NodeId learner : initial.learners) add(MembershipChange::Type::kAddLearner, learner);
  commit_ = log_.last_index();
}

// A crash in the middle of persisting a Ready can leave entries without the hard state written
// after them, or the reverse. Nothing of that Ready was sent or applied (both wait for the sync),
// so the unsynced part may be reconciled freely: the term rises to the log's (with no vote: a vote
// that was lost was never sent), and the commit index falls back to what the log holds.
void RaftEngine::restart(DurableState state) {
  persisted_hard_state_ = state.hard_state;
  term_ = state.hard_state.term;
  vote_ = state.hard_state.vote;
  log_.restore(std::move(state.snapshot), std::move(state.entries));
  if (log_.last_term() > term_) {
    term_ = log_.last_term();
    vote_ = kNoNode;
  }
  commit_ = std::clamp(state.hard_state.commit, log_.snapshot_index(), log_.last_index());
  // Term-1 entries are bootstrap entries (elections start at term 2), committed by definition,
  // even when the hard state recording it was lost.
  while (commit_ < log_.last_index() && log_.term(commit_ + 1) == 1) ++commit_;
  applied_ = apply_cursor_ = handed_apply_cursor_ = log_.snapshot_index();
  synced_term_ = state.hard_state.term;  // not term_: a term raised from the log is not durable
}

Status RaftEngine::step(const Message& message) {
  if (message.to != config_.id) return invalid("message addressed to another node");
  if (message.from == kNoNode || message.from == config_.id) return invalid("invalid sender");
  RaftMessage decoded;
  Status status = decode_message(message.payload, decoded);
  if (!status.ok()) return status;
  status = step_message(decoded, message.from);
  debug_check_invariants();
  return status;
}

Status RaftEngine::step_message(const RaftMessage& message, NodeId from) {
  // Responses only mean something from members; refusing the others first changes nothing.
  if (is_response(message.type) && message.term >= term_ && !membership_.contains(from) &&
      !latest_membership().contains(from)) {
    // Except that a node removed before it acknowledged its removal entry still needs to hear
    // that it was committed: its acknowledgement (in our term) proves how far its log matches.
    if (role_ == Role::kLeader && message.term == term_ &&
        message.type == MessageType::kAppendResponse && !message.reject &&
        message.index <= log_.last_index()) {
      send_farewell(from, message.index);
      return Status::Ok();
    }
    return invalid("response from a node outside the membership");
  }
  if (!handle_term(message, from)) return Status::Ok();
  return dispatch(message, from);
}

// Raft §5.1 term rules, with PreVote and CheckQuorum as in etcd-io/raft. Returns false when the
// message is fully handled (stale, or ignored because a live leader is known).
bool RaftEngine::handle_term(const RaftMessage& message, NodeId from) {
  if (message.term > term_) {
    // Leader stickiness: while a live leader is known, a (pre)vote request is a disruption, unless
    // the leader itself asked for it with TimeoutNow.
    if (message.type == MessageType::kVoteRequest && !message.transfer && in_leader_lease())
      return false;
    // A PreVote carries the term the candidate would use; it must never raise ours.
    const bool keeps_term =
        (message.type == MessageType::kVoteRequest && message.pre_vote) ||
        (message.type == MessageType::kVoteResponse && message.pre_vote && !message.reject);
    if (!keeps_term) become_follower(message.term, is_from_leader(message.type) ? from : kNoNode);
    return true;
  }
  if (message.term < term_) {
    RaftMessage reply;
    reply.term = term_;
    if ((config_.check_quorum || config_.pre_vote) &&
        (message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat)) {
      // A deposed leader that cannot hear the new one learns the new term from us and steps
      // down; without this, PreVote + CheckQuorum could leave it leading forever.
      reply.type = MessageType::kAppendResponse;
      send(from, reply);
    } else if (message.type == MessageType::kVoteRequest && message.pre_vote) {
      reply.type = MessageType::kVoteResponse;
      reply.pre_vote = true;
      reply.reject = true;
      send(from, reply);
    }
    return false;
  }
  return true;
}

Status RaftEngine::dispatch(const RaftMessage& message, NodeId from) {
  if (is_from_leader(message.type)) {
    // Election Safety (Raft Figure 3) makes this impossible: report it as corruption, loudly.
    if (role_ == Role::kLeader) return {StatusCode::kCorruption, "a second leader in this term"};
    if (role_ == Role::kCandidate || role_ == Role::kPreCandidate) become_follower(term_, from);
    leader_ = from;
    election_elapsed_ticks_ = 0;
  }
  switch (message.type) {
    case MessageType::kVoteRequest: return handle_vote_request(message, from);
    case MessageType::kVoteResponse: return handle_vote_response(message, from);
    case MessageType::kAppend: return handle_append(message, from);
    case MessageType::kAppendResponse: return handle_append_response(message, from);
    case MessageType::kHeartbeat: return handle_heartbeat(message, from);
    case MessageType::kHeartbeatResponse: return handle_heartbeat_response(message, from);
    case MessageType::kInstallSnapshot: return handle_install_snapshot(message, from);
    case MessageType::kTimeoutNow: return handle_timeout_now(message, from);
  }
  return invalid("unknown message type");
}

void RaftEngine::send(NodeId to, RaftMessage message) {
  const bool early = may_send_before_persist(message);
  (early ? early_outbox_ : outbox_).push_back({config_.id, to, encode_message(message)});
}

// A leader's appends, heartbeats and TimeoutNow promise nothing about its own log; they need only
// its term (and vote) durable, or a restart could vote again in a term it already led.
bool RaftEngine::may_send_before_persist(const RaftMessage& message) const {
  return role_ == Role::kLeader && message.term == term_ && synced_term_ == term_ &&
         (message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat ||
          message.type == MessageType::kTimeoutNow);
}

bool RaftEngine::committed_in_current_term() const { return log_.term(commit_) == term_; }

void RaftEngine::tick() {
  if (role_ == Role::kLeader) {
    tick_leader();
  } else {
    tick_election();
  }
  debug_check_invariants();
}

bool RaftEngine::has_ready() const {
  if (ready_outstanding_) return false;
  return unpersisted_snapshot_ || log_.has_unstable() || hard_state() != persisted_hard_state_ ||
         !outbox_.empty() || !early_outbox_.empty() || apply_cursor_ < commit_ || !read_states_.empty();
}

Ready RaftEngine::ready() {
  SYNOD_CHECK(!ready_outstanding_, "ready() called again before advance()");
  flush_new_entries();
  Ready ready;
  ready.snapshot = std::move(unpersisted_snapshot_);
  unpersisted_snapshot_.reset();
  ready.entries = log_.take_unstable();
  HardState durable = hard_state();
  durable.commit = durable_commit(ready);
  // etcd's MustSync: entries, a snapshot, a new term or vote must survive a crash; a commit index
  // alone need not (a restart learns it again).
  ready.must_sync = ready.snapshot || !ready.entries.empty() || durable.term != persisted_hard_state_.term ||
                    durable.vote != persisted_hard_state_.vote;
  if (durable != persisted_hard_state_) {
    ready.hard_state = durable;
    persisted_hard_state_ = durable;
    handed_term_ = durable.term;
  }
  if (!ready.entries.empty()) {
    handed_last_index_ = ready.entries.back().index;
  } else if (ready.snapshot) {
    handed_last_index_ = ready.snapshot->meta.index;
  }
  ready.messages.swap(outbox_);
  ready.early_messages.swap(early_outbox_);
  if (apply_cursor_ < commit_) {
    ready.committed = log_.slice(apply_cursor_ + 1, commit_, UINT64_MAX);
    apply_cursor_ = commit_;
  }
  handed_apply_cursor_ = apply_cursor_;
  ready.read_states.swap(read_states_);
  ready_outstanding_ = true;
  return ready;
}

// The commit index written with a Ready covers only entries that were durable before it.
// Why: the driver persists entries, then the hard state, then syncs; a crash before the sync may
// keep any part of that, and a commit index that survived without the entries it covers would
// commit whatever older, divergent entries the disk still holds at those indexes. The in-memory
// commit is unaffected, and the next Ready records the rest (has_ready() sees the difference).
uint64_t RaftEngine::durable_commit(const Ready& ready) const {
  if (ready.snapshot) return persisted_hard_state_.commit;  // the whole log is being replaced
  uint64_t durable_last = log_.last_index();
  if (!ready.entries.empty()) durable_last = ready.entries.front().index - 1;
  return std::max(persisted_hard_state_.commit, std::min(commit_, durable_last));
}

void RaftEngine::advance() {
  SYNOD_CHECK(ready_outstanding_, "advance() without an outstanding Ready");
  applied_ = std::max(applied_, handed_apply_cursor_);
  ready_outstanding_ = false;
  note_ready_advanced();
  drop_old_payloads();
  debug_check_invariants();
}

// The outstanding Ready is durable: the leader's own entries now count towards the quorum.
void RaftEngine::note_ready_advanced() {
  if (handed_term_) synced_term_ = *handed_term_;
  if (handed_last_index_) persisted_index_ = std::min(*handed_last_index_, log_.last_index());
  handed_term_.reset();
  handed_last_index_.reset();
  if (role_ == Role::kLeader && maybe_commit() && role_ == Role::kLeader) broadcast_append();
}

EngineStatus RaftEngine::status() const {
  EngineStatus status;
  status.id = config_.id;
  status.role = role_;
  status.term = term_;
  status.leader = leader_;
  status.commit = commit_;
  status.applied = applied_;
  status.first_index = log_.first_index();
  status.last_index = log_.last_index();
  status.membership = membership_;
  if (transfer_target_ != kNoNode) status.transfer_target = transfer_target_;
  if (role_ == Role::kLeader) {
    for (const auto& [node, progress] : progress_)
      status.peers.push_back({node, progress.match, progress.recent_active});
  }
  return status;
}

std::string RaftEngine::describe(const Message& message) const {
  RaftMessage decoded;
  Status status = decode_message(message.payload, decoded);
  if (!status.ok())
    return "malformed (" + status.message() + ", " + std::to_string(message.payload.size()) +
           " bytes)";
  return describe_message(decoded);
}

const Progress* RaftEngine::progress(NodeId node) const {
  auto it = progress_.find(node);
  return it == progress_.end() ? nullptr : &it->second;
}

void RaftEngine::debug_check_invariants() const {
#ifndef NDEBUG
  Status status = check_invariants();
  SYNOD_CHECK(status.ok(), status.message().c_str());
#endif
}

}  // namespace synod::consensus::raft
