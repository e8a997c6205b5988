#pragma once
// RaftEngine: Raft (Ongaro & Ousterhout, and Ongaro's thesis) as a pure deterministic state
// machine behind the Engine interface, modelled on etcd-io/raft.
//
// Files, one concern each:
//   raft_engine.cc   construction/restart, step() validation and term rules, tick, Ready/advance
//   election.cc      roles, PreVote, votes, CheckQuorum          message family: vote
//   replication.cc   proposals, appends, fast back-off, commit    message family: append
//   heartbeat.cc     heartbeats and ReadIndex                     message family: heartbeat
//   snapshot.cc      compaction and InstallSnapshot               message family: snapshot
//   payloads.cc      which entry payloads stay in memory; reading the others back
//   membership.cc    single-server changes, in force when committed
//   quorum.cc        majorities of both the committed and the latest membership (why: see there)
//   transfer.cc      leadership transfer                          message family: timeout-now
//   invariants.cc    check_invariants()
//
// Durable state (what the driver persists from Ready): HardState{term, vote, commit}, the
// snapshot, the log. A brand-new cluster member (empty DurableState, non-empty
// initial_membership) bootstraps like etcd: term 1 and one committed kMembership entry per
// initial member (voters, then learners, sorted), so the membership is always recoverable from
// snapshot + log and a restarted node never needs initial_membership again. A node with an empty
// DurableState and an empty initial_membership is joining: it learns everything from a leader.
#include <cstdint>
#include <map>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "consensus/engine.h"
#include "consensus/raft/message.h"
#include "consensus/raft/progress.h"
#include "consensus/raft/raft_log.h"
#include "core/random.h"

namespace synod::consensus::raft {

class RaftEngine final : public Engine {
 public:
  RaftEngine(const EngineConfig& config, DurableState state);

  std::string_view name() const override { return "raft"; }
  Status step(const Message& message) override;
  void tick() override;
  ProposeResult propose(std::string command) override;
  Status read_index(uint64_t request_id) override;
  ProposeResult change_membership(const MembershipChange& change) override;
  Status transfer_leadership(NodeId target) override;
  Status compact(uint64_t applied_index, std::string data) override;
  void set_snapshot_source(SnapshotSource* source) override;
  void set_entry_source(EntrySource* source, uint64_t recent_entries) override;
  bool has_ready() const override;
  Ready ready() override;
  void advance() override;
  EngineStatus status() const override;
  std::string describe(const Message& message) const override;

  // Checks the invariants listed in invariants.cc, including against the state seen by the
  // previous call (terms only rise, commit never falls). Runs after every step and tick in
  // debug builds; tests call it directly.
  Status check_invariants() const override;
  // For tests and traces: the leader's view of a follower (nullptr if none).
  const Progress* progress(NodeId node) const;
  // The snapshot the log starts from (the latest compaction or installed snapshot), if any.
  const std::optional<Snapshot>& snapshot() const { return log_.snapshot(); }
  // For tests: the first index whose command payload is still in memory (payloads.cc).
  uint64_t payloads_from() const { return log_.payloads_from(); }

 private:
  struct PendingRead {
    uint64_t request_id;
    uint64_t index;       // the commit index when the read arrived
    uint64_t round;       // heartbeats carrying a context >= round confirm it
    std::vector<NodeId> acknowledged_by;  // sorted; quorum_agrees() counts the voters
  };

  // raft_engine.cc
  void bootstrap(const Membership& initial);
  void restart(DurableState state);
  Status step_message(const RaftMessage& message, NodeId from);
  bool handle_term(const RaftMessage& message, NodeId from);
  Status dispatch(const RaftMessage& message, NodeId from);
  void send(NodeId to, RaftMessage message);
  HardState hard_state() const { return {term_, vote_, commit_, {}}; }
  uint64_t durable_commit(const Ready& ready) const;
  bool is_voter() const { return membership_.is_voter(config_.id); }
  bool committed_in_current_term() const;
  bool may_send_before_persist(const RaftMessage& message) const;
  void note_ready_advanced();
  void debug_check_invariants() const;

  // election.cc
  void tick_election();
  void tick_leader();
  void campaign(bool transfer);
  void campaign_for_votes(bool transfer);
  void become_follower(uint64_t term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void reset_role_state();
  void randomize_election_timeout();
  bool in_leader_lease() const;
  void send_vote_requests(bool pre_vote, bool transfer);
  void tally_votes();
  Status handle_vote_request(const RaftMessage& message, NodeId from);
  Status handle_vote_response(const RaftMessage& message, NodeId from);
  bool quorum_active() const;

  // replication.cc
  uint64_t append_entry(EntryKind kind, std::string data);
  void broadcast_append();
  void flush_new_entries();
  bool send_append(NodeId to, bool send_if_empty);
  void send_appends_while_possible(NodeId to);
  Status handle_append(const RaftMessage& message, NodeId from);
  Status handle_append_response(const RaftMessage& message, NodeId from);
  void handle_append_rejection(const RaftMessage& message, NodeId from);
  void handle_append_acceptance(const RaftMessage& message, NodeId from);
  bool maybe_commit();
  void commit_to(uint64_t index);
  FlowLimits flow_limits() const;

  // heartbeat.cc
  void broadcast_heartbeat();
  Status handle_heartbeat(const RaftMessage& message, NodeId from);
  Status handle_heartbeat_response(const RaftMessage& message, NodeId from);
  void start_read(uint64_t request_id);
  void start_reads_awaiting_commit();
  void release_confirmed_reads();
  void drop_pending_reads();

  // snapshot.cc
  // Sends a snapshot at `min_index` or later (later: the entries up to it could not be read back).
  void send_snapshot(NodeId to, uint64_t min_index = 0);
  // The snapshot to send: the log's own, or one read back from snapshot_source_ (nothing when it
  // cannot be read, does not fit the log or ends before `min_index`).
  std::optional<Snapshot> snapshot_to_send(uint64_t min_index) const;
  Status handle_install_snapshot(const RaftMessage& message, NodeId from);
  void tick_snapshot_retries();

  // payloads.cc
  void drop_old_payloads();
  // The entries from `from` on for an append (within max_bytes, at least one), read back through
  // entry_source_ where their payloads were dropped; false when one cannot be read back exactly.
  bool entries_to_send(uint64_t from, uint64_t max_bytes, std::vector<Entry>& entries);

  // quorum.cc
  Membership latest_membership() const;
  bool quorum_agrees(const std::function<bool(NodeId)>& agrees) const;
  std::vector<NodeId> quorum_voters() const;
  bool can_campaign() const;
  uint64_t quorum_match_index(const Membership& membership) const;
  uint64_t quorum_match_index() const;
  void note_log_changed_from(uint64_t from);

  // membership.cc
  static bool apply_membership_entry(Membership& membership, const Entry& entry);
  Membership membership_at(uint64_t index) const;
  void apply_membership_entries(uint64_t from, uint64_t to);
  void on_membership_changed();
  void sync_progress_with_membership();
  void send_farewell(NodeId to, uint64_t match);
  bool can_lead(NodeId node) const;
  Role follower_role() const;

  // transfer.cc
  Status handle_timeout_now(const RaftMessage& message, NodeId from);
  void send_timeout_now(NodeId to);
  void abort_transfer() { transfer_target_ = kNoNode; }
  void hand_over_leadership();

  const EngineConfig config_;
  Random random_;

  Role role_ = Role::kFollower;
  uint64_t term_ = 0;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;  // Invariant: leader_ == config_.id iff role_ == kLeader.
  RaftLog log_;
  // Invariant: snapshot index <= applied_ <= apply_cursor_ <= commit_ <= last index, except that
  // applied_ may trail a received snapshot until the Ready carrying it is advanced.
  uint64_t commit_ = 0;
  uint64_t applied_ = 0;       // handed out in Ready::committed and advanced
  uint64_t apply_cursor_ = 0;  // handed out (or covered by a snapshot handed out)
  // The membership in force: the snapshot's plus every kMembership entry up to commit_.
  Membership membership_;
  // Invariant: the indexes of the kMembership entries in (commit_, last index], ascending.
  std::vector<uint64_t> pending_membership_entries_;

  uint32_t election_elapsed_ticks_ = 0;
  uint32_t heartbeat_elapsed_ticks_ = 0;
  uint32_t randomized_election_timeout_ticks_ = 0;

  // Candidates: the votes received in the current (pre-)election, voters only.
  std::map<NodeId, bool> votes_;
  // Leader: every member of the committed and the latest membership but itself. Its own match is
  // always log_.last_index().
  std::map<NodeId, Progress> progress_;
  NodeId transfer_target_ = kNoNode;
  uint64_t uncommitted_bytes_ = 0;         // command bytes appended but not yet committed
  bool new_entries_unsent_ = false;        // appended since the last Ready: flush_new_entries()

  std::deque<PendingRead> pending_reads_;      // awaiting a heartbeat quorum, oldest first
  std::vector<uint64_t> reads_awaiting_commit_;  // until the leader commits in its term
  uint64_t read_round_ = 0;                      // never reused: rounds identify heartbeats

  // Ready bookkeeping.
  bool ready_outstanding_ = false;
  uint64_t handed_apply_cursor_ = 0;
  HardState persisted_hard_state_;
  std::optional<Snapshot> unpersisted_snapshot_;
  // Set: the data of a durable snapshot the log starts from is dropped and read back from here.
  SnapshotSource* snapshot_source_ = nullptr;
  // Set: payloads before the newest recent_payloads_ durable, applied entries are dropped and read
  // back from here (payloads.cc).
  EntrySource* entry_source_ = nullptr;
  uint64_t recent_payloads_ = 0;
  std::vector<Message> outbox_;
  std::vector<Message> early_outbox_;  // Ready::early_messages (may_send_before_persist)
  std::vector<ReadState> read_states_;
  // Invariant: persisted_index_ <= last index, and the log up to it is durable (handed out in an
  // advanced Ready and not overwritten since). A leader counts itself in a quorum only up to it,
  // since its appends leave before its own sync.
  uint64_t persisted_index_ = 0;
  std::optional<uint64_t> handed_last_index_;  // the log's end once the outstanding Ready is durable
  uint64_t synced_term_ = 0;                   // the term of the last durable hard state
  std::optional<uint64_t> handed_term_;        // the term in the outstanding Ready's hard state

  // invariants.cc
  Status check_history() const;
  Status check_log() const;
  Status check_positions() const;
  Status check_roles() const;
  Status check_leader() const;

  // Last state seen by check_invariants(), for the checks against the previous state.
  mutable uint64_t checked_term_ = 0;
  mutable uint64_t checked_commit_ = 0;
};

}  // namespace synod::consensus::raft
