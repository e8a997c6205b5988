#pragma once
// Replica: one member's consensus engine, durable storage and MVCC store, and the Ready loop of
// consensus/engine.h that ties them, in its order:
//   1. persist  the Ready's snapshot, entries and hard state go to DurableStorage; the sync is
//               handed to the environment (ReplicaEnv::schedule_sync): the server runs it at
//               once, the simulator after a simulated latency;
//   2. send     the messages, once that sync returned (the early messages, a leader's appends,
//               before step 1, so that followers persist while the leader does); a Ready that
//               only moves the commit index is written but not synced (Ready::must_sync);
//   3. apply    restore the snapshot, apply committed entries in order, answer waiting requests,
//               serve reads whose ReadState index is applied;
//   4. advance  then compact every `snapshot_count` applied entries.
// The same code runs in the server (server/node.h puts a thread, a clock and TCP around it) and
// in the simulator (over MemoryFileSystem and a simulated network).
//
// Requests. Every write is proposed as a ProposalEnvelope naming its origin replica and a request
// id, so the origin recognises its own entry when it applies it, however it got into the log: a
// follower forwards the write to the leader, which proposes it unchanged. The answer is always
// computed by the origin's own store (every store applies the same entries alike). A linearizable
// read asks the leader for a ReadIndex (itself, or over the network) and is served from the local
// store once it has applied that index. A serializable read is served at once.
// A request not answered within `request_timeout_ticks` fails with etcd's "request timed out";
// one the leader refuses fails at once.
//
// Threads: none. One owner calls everything (the server's node thread, the simulator's loop).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "consensus/engine.h"
#include "consensus/registry.h"
#include "core/random.h"
#include "core/status.h"
#include "kv/command.h"
#include "kv/mvcc_store.h"
#include "replica/alarms.h"
#include "replica/leader_leases.h"
#include "replica/member_table.h"
#include "storage/durable_storage.h"
#include "storage/file_system.h"

namespace synod::replica {

struct ReplicaMessage;
struct LeaseMessage;
struct ProposalEnvelope;

class ReplicaEnv {
 public:
  virtual ~ReplicaEnv() = default;
  virtual void send(consensus::Message message) = 0;
  // Runs `sync` when the records persisted so far should become durable.
  virtual void schedule_sync(std::function<void()> sync) = 0;
  // A fault that stops this replica: a storage failure, or something only a bug explains.
  virtual void on_fault(const std::string& what, const std::string& message) = 0;
  // Observations for the simulator's checkers.
  virtual void on_durable(const consensus::Ready& /*ready*/) {}
  virtual void on_applied(const consensus::Entry& /*entry*/) {}
  virtual void on_snapshot_applied(const consensus::SnapshotMeta& /*meta*/) {}
  // The store changed: a write at `revision` with its events (for watches), or a restore from a
  // snapshot, which replaced it whole.
  virtual void on_store_changed(int64_t /*revision*/, const std::vector<kv::Event>& /*events*/) {}
  virtual void on_store_restored() {}
  virtual void on_leader_change(consensus::NodeId /*leader*/, uint64_t /*term*/) {}
  // What start() recovered from the data directory, before the engine takes it over.
  virtual void on_recovered(const consensus::DurableState& /*state*/,
                            const std::vector<std::string>& /*repairs*/) {}
  // An old entry or a snapshot could not be read back from storage for a lagging follower
  // (corrupt, unreadable): the engine sends a snapshot instead or retries, never the bad data;
  // reported so that a damaged file does not go unnoticed. A released WAL region is not reported.
  virtual void on_read_back_failed(const Status& /*why*/) {}
  // A peer message that was refused: undecodable, or refused by the engine's step() (`why`).
  virtual void on_message_refused(const consensus::Message& /*message*/, const Status& /*why*/) {}
  // The membership or the member metadata changed (an applied entry or snapshot).
  virtual void on_members_changed() {}
  // Around every change of the store (a batch of committed entries, a snapshot restore): the
  // server takes a writer lock here so that other threads may read the store meanwhile.
  virtual void before_store_changes() {}
  virtual void after_store_changes() {}
};

struct ReplicaOptions {
  consensus::EngineConfig engine;  // id, initial membership, timers, seed
  const consensus::EngineEntry* engine_entry = nullptr;
  std::string data_dir;
  storage::StorageOptions storage;
  kv::StoreOptions store;
  uint64_t snapshot_count = 100000;         // applied entries between two snapshots
  // Entries the engine's log keeps below the newest snapshot, so that a follower just behind
  // catches up from the log instead of a snapshot (which would leave the requests it forwarded,
  // and the snapshot covers, unanswered until they time out). etcd keeps 5000. 0: compact to the
  // newest snapshot.
  uint64_t snapshot_catch_up_entries = 0;
  uint64_t request_timeout_ticks = 70;
  uint64_t max_request_bytes = 1536 * 1024; // an encoded command
  int64_t quota_backend_bytes = 2ll << 30;  // estimated store bytes; writes past it are refused
  bool ack_before_persist = false;          // the driver-side mutant (simulator only)
  // When false, tick/receive/submit only feed the engine and the owner calls pump() once per
  // batch of inputs, so that one Ready (one fdatasync) carries them all: the group commit.
  bool pump_on_input = true;
  LeaseTimingOptions leases;  // lease expiry and checkpoints, in ticks (replica_leases.cc)
  // Names and peer URLs of the bootstrap members (bootstrap entries carry no metadata).
  std::vector<MemberInfo> initial_members;
};

using RequestDone = std::function<void(const kv::ApplyResult& result)>;

struct ReplicaStatus {
  consensus::EngineStatus engine;
  uint64_t applied_index = 0;
  int64_t revision = 0;
  int64_t compacted_revision = 0;
  int64_t estimated_bytes = 0;
  std::optional<Status> failure;  // set once the replica stopped on a fault
};

class Replica {
 public:
  Replica(ReplicaEnv& env, storage::FileSystem& fs, ReplicaOptions options);
  ~Replica();

  // Recovers from the data directory (a new one is bootstrapped with the initial membership).
  Status start(std::vector<std::string>& repairs);

  void tick();
  // Takes the engine's Ready batches until it has none (or one awaits its sync).
  void pump();
  // A message from a peer (engine or replica traffic); malformed ones are refused and counted.
  void receive(const consensus::Message& message);
  // A request from a client. `done` runs exactly once: now when refused, else when answered.
  void submit(const kv::Command& command, RequestDone done);
  // Fails every waiting request with `reason` (shutdown).
  void fail_all(const Status& reason);

  // A Cluster request (replica_members.cc): validated by the leader against its member table and
  // the followers' progress, replicated, then answered (empty response) once applied here.
  void submit_member_request(const MemberRequest& request, RequestDone done);
  // Every member in the applied membership, by id, with its learner flag.
  std::vector<MemberInfo> members() const;
  bool was_removed(consensus::NodeId node) const { return members_.was_removed(node); }

  // For the simulator's nemesis.
  consensus::ProposeResult change_membership(const consensus::MembershipChange& change);
  Status transfer_leadership(consensus::NodeId target);

  ReplicaStatus status() const;
  const kv::MvccStore& store() const { return store_; }

  // Alarms (replica_alarms.cc): active ones, as of the applied index.
  const std::set<Alarm>& alarms() const { return alarms_; }
  // Proposes an activation or deactivation; `done` runs once it is applied (or refused), when
  // last_alarm_change() tells whether it changed anything.
  void submit_alarm(const AlarmChange& change, RequestDone done);
  const std::optional<Alarm>& last_alarm_change() const { return last_alarm_change_; }
  consensus::NodeId id() const { return options_.engine.id; }
  bool failed() const { return failure_.has_value(); }
  uint64_t refused_messages() const { return refused_messages_; }
  std::string describe(const consensus::Message& message) const;
  // The engine's own executable invariants (ok before start()); the simulator runs them after
  // every input.
  Status check_engine_invariants() const;

 private:
  struct Waiter {
    RequestDone done;
    uint64_t deadline_tick = 0;
    consensus::NodeId leader = consensus::kNoNode;  // the leader it was sent to
  };
  struct ForwardedRead {
    consensus::NodeId origin = consensus::kNoNode;
    uint64_t origin_request_id = 0;
  };

  // Ready loop (replica.cc).
  void pump_if_eager() {
    if (options_.pump_on_input) pump();
  }
  void handle_ready(consensus::Ready ready);
  void complete_ready(consensus::Ready ready, bool messages_sent);
  void send_engine_messages(std::vector<consensus::Message>& messages);
  void apply_snapshot(const consensus::Snapshot& snapshot);
  void apply_entry(const consensus::Entry& entry);
  void maybe_compact();
  void save_snapshot();
  // Hands the engine the newest saved snapshot old enough; true if it did.
  bool compact_to_caught_up_snapshot();
  void fail(const std::string& what, const Status& status);

  // Member metadata (replica_members.cc).
  Status restore_snapshot_data(std::string_view data);
  std::string snapshot_data() const;
  void apply_membership_entry(const consensus::Entry& entry);
  void apply_member_envelope(const ProposalEnvelope& envelope);
  bool propose_member_envelope(consensus::NodeId origin, uint64_t request_id, std::string& envelope);
  Status check_member_request(const MemberRequest& request) const;
  void refuse_proposal(consensus::NodeId origin, uint64_t request_id, const Status& refusal);

  // Requests (replica_requests.cc).
  bool is_read(const kv::Command& command) const;
  void submit_write(const kv::Command& command, RequestDone done);
  void submit_read(const kv::Command& command, RequestDone done);
  void submit_encoded_write(std::string bytes, RequestDone done);

  // Alarms (replica_alarms.cc).
  // True when a write that grows the store must be refused: a NOSPACE alarm is active, or this
  // write would pass the quota (which raises one through the log).
  bool refuses_growth();
  // A committed envelope's command: an alarm change, or the store's command unless NOSPACE is
  // active and it grows the store.
  kv::ApplyResult apply_command(const std::string& command);
  std::string state_snapshot() const;       // the store's snapshot with the alarms
  Status restore_state(std::string_view data);
  void propose_envelope(consensus::NodeId origin, uint64_t request_id, std::string envelope);
  void on_read_index(uint64_t request_id, uint64_t index);
  void serve_released_reads();
  // ReadIndex batching (replica_read_batch.cc): reads queue until the next pump sends one request.
  struct ReadBatch {
    std::vector<uint64_t> local_reads;     // request ids in reads_
    std::vector<ForwardedRead> forwarded;  // leader: followers' batches
    uint64_t deadline_tick = 0;            // dropped unanswered after it
    uint64_t sent_tick = 0;                // holds the next batch back until answered or stale,
    consensus::NodeId leader = consensus::kNoNode;  // or until the leader is no longer this one
  };
  // A batch unanswered this long (its message lost) no longer holds the next one back.
  static constexpr uint64_t kReadBatchPatienceTicks = 2;
  bool read_batch_in_flight() const;
  void queue_read_index(consensus::NodeId origin, uint64_t origin_request_id);
  void flush_read_batch();
  // Nothing when `batch_id` names no batch waiting here (it timed out).
  void release_read_batch(uint64_t batch_id, uint64_t index);
  void refuse_read_batch_by_id(uint64_t batch_id, const Status& refusal);
  void refuse_read_batch(const ReadBatch& batch, const Status& refusal);
  void clear_read_batches();
  void answer(uint64_t request_id, const kv::ApplyResult& result);
  void expire_requests();
  // The leader changed: what was sent to another leader will get no answer from it.
  void fail_requests_sent_to_other_leaders(consensus::NodeId leader);
  uint64_t next_request_id() { return request_id_base_ + ++request_counter_; }
  void send_replica_message(consensus::NodeId to, std::string payload);

  // Leases (replica_leases.cc): ids picked before proposing, expiry at the leader, keep-alives and
  // time-to-live answered by the leader (forwarded there like writes; the waiter sits in reads_).
  static bool is_lease_request(const kv::Command& command);
  void submit_lease_request(const kv::Command& command, RequestDone done);
  int64_t next_lease_id();
  void on_leadership_for_leases();
  void tick_leases();
  kv::ApplyResult answer_lease_query(const kv::Command& command);
  void receive_lease_message(consensus::NodeId from, const ReplicaMessage& message);
  void answer_lease_waiter(uint64_t request_id, const LeaseMessage& answer);
  void receive_replica_message(const consensus::Message& message);
  void receive_forwarded_write(consensus::NodeId from, ReplicaMessage& message);

  ReplicaEnv& env_;
  storage::FileSystem& fs_;
  ReplicaOptions options_;
  std::unique_ptr<storage::DurableStorage> storage_;
  // The engine reads its snapshot's data back through it instead of holding it (outlives engine_).
  std::unique_ptr<consensus::SnapshotSource> snapshot_reader_;
  std::unique_ptr<consensus::EntrySource> entry_reader_;  // old entry payloads, from the WAL
  std::unique_ptr<consensus::Engine> engine_;
  kv::MvccStore store_;
  consensus::Membership membership_;  // as of the applied index: what a snapshot records
  MemberTable members_;               // as of the applied index, in snapshots too
  uint64_t applied_index_ = 0;
  uint64_t applied_term_ = 0;
  uint64_t last_snapshot_index_ = 0;
  int64_t snapshot_bytes_ = 0;       // the last snapshot's size
  int64_t applied_bytes_since_ = 0;  // command bytes applied since it: the size estimate grows
  // Indexes of snapshots saved but not yet handed to engine_->compact (snapshot_catch_up_entries),
  // oldest first. Their data stays on disk only: the engine reads it back (snapshot_reader_).
  std::deque<uint64_t> snapshots_to_compact_;
  bool ready_outstanding_ = false;
  std::optional<Status> failure_;
  uint64_t now_tick_ = 0;
  uint64_t refused_messages_ = 0;
  std::set<Alarm> alarms_;                    // as of the applied index; in every snapshot
  std::optional<Alarm> last_alarm_change_;    // what the last applied alarm command changed
  bool no_space_alarm_proposed_ = false;      // one proposal in flight at a time
  consensus::NodeId known_leader_ = consensus::kNoNode;
  uint64_t known_term_ = 0;

  // Request ids are unique per incarnation: a random base, then a counter, so entries proposed by
  // an earlier incarnation never match a waiter of this one.
  uint64_t request_id_base_ = 0;
  uint64_t request_counter_ = 0;
  std::map<uint64_t, Waiter> writes_;               // request id -> waiting write
  std::map<uint64_t, std::pair<kv::Command, Waiter>> reads_;  // request id -> read awaiting index
  std::multimap<uint64_t, uint64_t> released_reads_;  // read index -> request id
  std::vector<uint64_t> unsent_local_reads_;          // awaiting the next flush_read_batch
  std::vector<ForwardedRead> unsent_forwarded_reads_;  // leader: followers' batches, the same
  std::map<uint64_t, ReadBatch> read_batches_;         // batch id -> reads awaiting its index

  // A network may deliver a forwarded write twice. Proposing both copies would apply the write
  // twice; refusing the second after proposing the first would tell the origin "not proposed"
  // about a write that may commit. So each incarnation handles a forward once (the map below),
  // and ignores forwards addressed to a leader of a term <= start_term_ (the term it recovered):
  // an earlier incarnation may have handled those, since a leader of term T had term T durable.
  // Ignored forwards time out at the origin (outcome unknown).
  uint64_t start_term_ = 0;
  // (origin, origin's request id), kept request_timeout_ticks: a duplicate delayed longer than
  // that would be handled again (networks that duplicate do not delay that long).
  std::set<std::pair<consensus::NodeId, uint64_t>> forwarded_writes_handled_;
  // The same keys with the tick they expire at, oldest first.
  std::deque<std::pair<uint64_t, std::pair<consensus::NodeId, uint64_t>>> forwarded_write_expiry_;

  LeaderLeases leader_leases_{LeaseTimingOptions{}};  // set from options_.leases by start()
  // Lease ids as etcd's idutil: member id bits, a random start (etcd: the clock), a counter.
  uint64_t lease_id_prefix_ = 0;
  uint64_t lease_id_counter_ = 0;
};

}  // namespace synod::replica
