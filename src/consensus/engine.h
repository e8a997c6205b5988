#pragma once
// The consensus engine interface: one replicated log, whatever the protocol behind it.
//
// An engine is a pure, deterministic state machine. It includes no socket, thread, clock or file
// header; time arrives as tick(), randomness from EngineConfig::seed, messages through step().
// Its outputs come out in a Ready batch, handled by one driver in this order:
//
//   1. persist   Ready::snapshot, then Ready::entries, then Ready::hard_state; then sync.
//   2. send      Ready::messages, only once step 1 is durable (a vote or an append acknowledgement
//                must never leave before the state it promises is on disk). Ready::early_messages
//                go before step 1: they promise nothing, so they travel during the sync.
//   3. apply     Ready::snapshot (restore the state machine), then Ready::committed in order;
//                release each ReadState once the applied index reaches its index.
//   4. advance() tells the engine the batch is done. There is at most one Ready outstanding; the
//                engine keeps stepping meanwhile and its next Ready carries what accumulated.
//
// The vocabulary is that of a replicated log in general, so that every protocol fits without
// special cases in the driver or the simulator:
//   term     the engine's epoch: Raft term, Multi-Paxos ballot round, ZAB epoch, PBFT view.
//   index    a log slot: Raft index, Paxos slot, ZAB zxid counter, PBFT sequence number.
//   vote     the promise a node made in `term` (Raft vote, Paxos promise, ZAB ack of a new epoch).
//   leader   the distinguished proposer (Raft leader, Paxos distinguished proposer, ZAB leader,
//            PBFT primary).
// Engine-specific durable fields travel in HardState::engine_data; engine-specific messages are
// encoded by the engine itself into Message::payload and validated by step().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/log_types.h"
#include "core/status.h"

namespace synod::consensus {


// One server at a time (see docs/architecture.md for why not joint consensus).
struct MembershipChange {
  enum class Type : uint8_t { kAddVoter = 0, kAddLearner = 1, kPromoteLearner = 2, kRemoveNode = 3 };
  Type type = Type::kAddVoter;
  NodeId node = kNoNode;
  // Opaque to the engine, replicated with the change (etcd's ConfChange.Context): the driver's
  // member metadata and the request it answers. Empty for bootstrap entries.
  std::string context{};

  bool operator==(const MembershipChange&) const = default;
};

// Applies `change` to `membership`; kInvalidArgument when it does not fit (adding a member twice,
// promoting a non-learner, removing an unknown node, removing the last voter).
Status apply_membership_change(Membership& membership, const MembershipChange& change);
std::string encode_membership_change(const MembershipChange& change);
bool decode_membership_change(std::string_view bytes, MembershipChange& change);


enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader, kLearner };
const char* role_name(Role role);

// A linearizable read may be served once the applied index reaches `index`.
struct ReadState {
  uint64_t request_id = 0;
  uint64_t index = 0;
};

struct Ready {
  std::optional<Snapshot> snapshot;    // received from the leader: persist, then restore from it
  std::vector<Entry> entries;          // append; entries.front().index may overwrite a suffix
  std::optional<HardState> hard_state;
  std::vector<Message> messages;       // send only after the above is durable
  // May be sent before the persist step, in parallel with the sync (Raft thesis §10.2.1): they
  // promise nothing about this Ready's state. Raft: a leader's appends and heartbeats in a term
  // already durable; the leader counts itself in a quorum only for entries it has synced.
  std::vector<Message> early_messages;
  std::vector<Entry> committed;        // apply in order, after the snapshot if any
  std::vector<ReadState> read_states;

  // False when what is persisted need not survive a crash (Raft: only the commit index moved,
  // which a restart learns again): the driver writes it and goes on without a sync, as etcd does.
  bool must_sync = true;

  bool needs_persist() const { return snapshot || !entries.empty() || hard_state; }
  bool empty() const {
    return !needs_persist() && messages.empty() && early_messages.empty() && committed.empty() &&
           read_states.empty();
  }
};


// Deliberately wrong behaviours that prove the simulator's checkers can fail. They are compiled
// in only where SYNOD_MUTANTS is defined (the simulator's build); elsewhere they are ignored.
enum Mutant : uint32_t {
  kMutantNone = 0,
  kMutantCommitOldTerm = 1u << 0,     // count replicas for entries of older terms (Figure 8)
  kMutantVoteIgnoresLog = 1u << 1,    // grant votes without the up-to-date check
  kMutantAckBeforePersist = 1u << 2,  // (driver) send a Ready's messages before it is durable
  kMutantStaleRead = 1u << 3,         // serve reads from local state without ReadIndex
  kMutantCountUnsyncedSelf = 1u << 4, // a leader counts its own entries before they are durable
};

struct EngineConfig {
  NodeId id = kNoNode;
  Membership initial_membership;  // used only when the DurableState is empty (a new cluster)
  uint64_t seed = 0;              // randomised election timeouts
  uint32_t heartbeat_ticks = 1;
  uint32_t election_ticks = 10;   // timeouts drawn from [election_ticks, 2 * election_ticks)
  bool pre_vote = true;
  bool check_quorum = true;
  uint32_t max_inflight_messages = 64;          // appends in flight per follower
  uint64_t max_inflight_bytes = 8 << 20;        // entry bytes in flight per follower
  uint64_t max_message_bytes = 1 << 20;         // entry bytes per append message
  uint64_t max_uncommitted_bytes = 64 << 20;    // proposals past this are refused (kBusy)
  uint32_t mutants = kMutantNone;
};

struct ProposeResult {
  Status status;           // kNotLeader (see leader_hint), kProposalDropped, kBusy, ...
  uint64_t index = 0;      // where the entry was appended; it is committed only if the entry
  uint64_t term = 0;       //   applied at `index` has this term
  NodeId leader_hint = kNoNode;
};

struct EngineStatus {
  NodeId id = kNoNode;
  Role role = Role::kFollower;
  uint64_t term = 0;
  NodeId leader = kNoNode;
  uint64_t commit = 0;
  uint64_t applied = 0;
  uint64_t first_index = 0;  // first entry still in the log (snapshot index + 1)
  uint64_t last_index = 0;
  Membership membership;     // the membership in force
  // Leader only: how far each other member's log is known to match, and whether it was heard
  // from lately (what a membership change checks before it may risk the quorum).
  struct PeerProgress {
    NodeId node = kNoNode;
    uint64_t match = 0;
    bool recently_active = false;
  };
  std::vector<PeerProgress> peers;
  std::optional<NodeId> transfer_target;
};

// Where an engine reads back a snapshot it compacted to instead of keeping its data in memory
// (the driver reads its snapshot files). Called synchronously from inside the engine; the
// simulator's files are in memory, so runs stay deterministic.
class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  // A saved snapshot of committed state: the one `meta` names if it can still be read, else a
  // newer one; nothing if none can be read.
  virtual std::optional<Snapshot> load_snapshot(const SnapshotMeta& meta) = 0;
  // The newest saved snapshot that can be read; nothing if none can.
  virtual std::optional<Snapshot> load_newest_snapshot() = 0;
};

// Where an engine reads back the payloads of durable entries it dropped from memory (the driver
// reads its WAL). Called synchronously from inside the engine, like SnapshotSource, and only for
// a follower that has fallen behind the entries the engine keeps.
class EntrySource {
 public:
  virtual ~EntrySource() = default;
  // The entry at `index` as it was persisted; an error when it cannot be read (released below
  // a snapshot, a read error, a checksum mismatch). The engine checks it against its own log.
  virtual Status load_entry(uint64_t index, Entry& entry) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual std::string_view name() const = 0;
  // A message from a peer. Malformed or unexpected input is refused with a status, never trusted.
  virtual Status step(const Message& message) = 0;
  // One unit of logical time.
  virtual void tick() = 0;
  virtual ProposeResult propose(std::string command) = 0;
  // Starts a linearizable read; a ReadState with this id follows in a Ready once the leader has
  // confirmed it still leads. A read lost with the leadership is never released: callers time out.
  virtual Status read_index(uint64_t request_id) = 0;
  virtual ProposeResult change_membership(const MembershipChange& change) = 0;
  virtual Status transfer_leadership(NodeId target) = 0;
  // The state machine has captured itself at `applied_index` (<= the applied index): the engine
  // may drop the log up to it and send `data` to followers that fall behind it. With a snapshot
  // source set (below), the snapshot is saved where the source reads it and `data` may be empty.
  virtual Status compact(uint64_t applied_index, std::string data) = 0;
  // From now on the engine may drop the data of durable snapshots its log starts from and read
  // them back from `source` when a follower needs one. `source` outlives the engine. Engines
  // that keep the data in memory ignore it.
  virtual void set_snapshot_source(SnapshotSource* /*source*/) {}
  // From now on the engine may drop the payloads of command entries that are durable, applied
  // and older than the newest `recent_entries` of them, and read them back from `source` when a
  // follower needs them; if one cannot be read back it sends a snapshot instead (which needs a
  // snapshot source). `source` outlives the engine. Engines that keep every payload ignore it.
  virtual void set_entry_source(EntrySource* /*source*/, uint64_t /*recent_entries*/) {}

  virtual bool has_ready() const = 0;
  virtual Ready ready() = 0;  // requires has_ready(); at most one outstanding
  virtual void advance() = 0;

  virtual EngineStatus status() const = 0;
  // The engine's own executable invariants (a kCorruption status names the first broken one).
  // The simulator calls it after every input; tests too.
  virtual Status check_invariants() const = 0;
  // A one-line readable form of a message payload, for traces.
  virtual std::string describe(const Message& message) const = 0;
};

using EngineFactory = std::unique_ptr<Engine> (*)(const EngineConfig& config, DurableState state);

}  // namespace synod::consensus
