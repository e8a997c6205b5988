#pragma once
// A tiny deterministic network of Raft engines for tests. It obeys the Ready contract like the
// real driver: persist (to an in-memory DurableState), then queue the messages, then apply, then
// advance. Messages wait in one FIFO queue until a test delivers them; a drop filter models
// partitions. After every step and tick it checks the engine's invariants and that no two nodes
// ever apply different entries at the same index (State Machine Safety, Raft Figure 3).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/raft/message.h"
#include "consensus/raft/raft_engine.h"
#include "core/codec.h"

namespace synod::consensus::raft::testing {

// The applied state of one node's state machine: the commands in order.
struct AppState {
  uint64_t applied_index = 0;
  std::vector<std::string> commands;

  std::string encode() const {
    ByteWriter writer;
    writer.varint(commands.size());
    for (const auto& command : commands) writer.bytes(command);
    return writer.take();
  }
  static AppState decode(const Snapshot& snapshot) {
    AppState state;
    state.applied_index = snapshot.meta.index;
    ByteReader reader(snapshot.data);
    uint64_t count = 0;
    if (!snapshot.data.empty()) {
      EXPECT_TRUE(reader.varint(count));
    }
    state.commands.resize(count);
    for (auto& command : state.commands) EXPECT_TRUE(reader.bytes(command));
    return state;
  }
};

struct TestNode {
  std::unique_ptr<RaftEngine> engine;
  EngineConfig config;
  DurableState disk;
  AppState app;
  std::vector<ReadState> reads;
  bool up = true;
  uint64_t syncs = 0;            // Readies persisted with a sync (Ready::must_sync)
  uint64_t unsynced_writes = 0;  // Readies persisted without one
  // A slow disk (Cluster::slow_disk): the Ready being persisted, its early messages already sent.
  std::optional<Ready> syncing;
  bool slow_disk = false;
};

class Cluster {
 public:
  using ConfigTweak = std::function<void(EngineConfig&)>;

  explicit Cluster(std::vector<NodeId> voters, ConfigTweak tweak = {},
                   std::vector<NodeId> learners = {})
      : tweak_(std::move(tweak)) {
    Membership membership{voters, learners};
    std::sort(membership.voters.begin(), membership.voters.end());
    std::sort(membership.learners.begin(), membership.learners.end());
    for (NodeId id : membership.voters) start(id, membership);
    for (NodeId id : membership.learners) start(id, membership);
  }

  // Nodes restarted from the given disks (the membership comes from their logs).
  explicit Cluster(std::map<NodeId, DurableState> disks, ConfigTweak tweak = {})
      : tweak_(std::move(tweak)) {
    for (auto& [id, disk] : disks) {
      start(id, Membership{});
      crash(id);
      node(id).disk = std::move(disk);
      restart(id);
    }
  }

  // A node with empty state and empty membership: it waits for a leader to bring it in.
  void add_joining_node(NodeId id) { start(id, Membership{}); }

  RaftEngine& engine(NodeId id) { return *nodes_.at(id).engine; }
  TestNode& node(NodeId id) { return nodes_.at(id); }
  EngineStatus status(NodeId id) { return engine(id).status(); }
  std::vector<NodeId> ids() const {
    std::vector<NodeId> out;
    for (const auto& [id, node] : nodes_) out.push_back(id);
    return out;
  }

  // --- driving -------------------------------------------------------------------------------
  void process(NodeId id) {
    TestNode& node = nodes_.at(id);
    while (node.up && !node.syncing && node.engine->has_ready()) {
      Ready ready = node.engine->ready();
      for (auto& message : ready.early_messages) {  // as the driver: before persisting
        EXPECT_EQ(message.from, id);
        sent_.push_back(message);
        queue_.push_back(std::move(message));
      }
      if (node.slow_disk && ready.needs_persist() && ready.must_sync) {
        node.syncing = std::move(ready);  // until finish_sync(id)
        return;
      }
      complete(id, node, std::move(ready));
    }
  }

  // A slow disk: `id` keeps each Ready that needs a sync until finish_sync(id) (the node steps
  // messages meanwhile, as a real one does while it waits for fdatasync).
  void slow_disk(NodeId id, bool slow = true) { nodes_.at(id).slow_disk = slow; }
  void finish_sync(NodeId id) {
    TestNode& node = nodes_.at(id);
    ASSERT_TRUE(node.syncing.has_value()) << "node " << id << " has no sync in progress";
    Ready ready = std::move(*node.syncing);
    node.syncing.reset();
    complete(id, node, std::move(ready));
    process(id);
  }

  // Persist, send, apply, advance.
  void complete(NodeId id, TestNode& node, Ready ready) {
    if (ready.needs_persist()) ++(ready.must_sync ? node.syncs : node.unsynced_writes);
    persist(node, ready);
    for (auto& message : ready.messages) {
      EXPECT_EQ(message.from, id);
      sent_.push_back(message);
      queue_.push_back(std::move(message));
    }
    apply(id, node, ready);
    node.engine->advance();
    check(id);
  }

  void process_all() {
    for (auto& [id, node] : nodes_) process(id);
  }

  void tick(NodeId id, int times = 1) {
    for (int i = 0; i < times; ++i) {
      if (!nodes_.at(id).up) return;
      nodes_.at(id).engine->tick();
      check(id);
      process(id);
    }
  }

  // Ticks every live node once, then delivers everything (time passes in lockstep).
  void tick_all(int times = 1) {
    for (int i = 0; i < times; ++i) {
      for (auto& [id, node] : nodes_) tick(id);
      deliver_all();
    }
  }

  // Delivers queued messages (and those they cause) until the network is quiet.
  size_t deliver_all(size_t limit = 100000) {
    size_t delivered = 0;
    while (!queue_.empty() && delivered < limit) {
      deliver_one();
      ++delivered;
    }
    EXPECT_LT(delivered, limit) << "the network never went quiet";
    return delivered;
  }

  void deliver_one() {
    Message message = std::move(queue_.front());
    queue_.pop_front();
    if (dropped(message)) return;
    step(message);
  }

  Status step(const Message& message) {
    TestNode& node = nodes_.at(message.to);
    Status status = node.engine->step(message);
    if (!status.ok()) step_errors_.push_back(node.engine->describe(message) + ": " + status.message());
    check(message.to);
    process(message.to);
    return status;
  }

  // Elects `id`: ticks it alone until it campaigns, then lets the network settle.
  void elect(NodeId id) {
    for (int i = 0; i < 1000 && status(id).role != Role::kLeader; ++i) {
      tick(id);
      deliver_all();
    }
    ASSERT_EQ(status(id).role, Role::kLeader) << "node " << id << " was not elected";
  }

  // The leader with the highest term among live nodes, or kNoNode.
  NodeId leader() {
    NodeId best = kNoNode;
    uint64_t best_term = 0;
    for (auto& [id, node] : nodes_) {
      if (!node.up) continue;
      EngineStatus s = node.engine->status();
      if (s.role == Role::kLeader && s.term >= best_term) {
        best = id;
        best_term = s.term;
      }
    }
    return best;
  }

  ProposeResult propose(NodeId id, std::string command) {
    ProposeResult result = engine(id).propose(std::move(command));
    check(id);
    process(id);
    return result;
  }

  // --- faults --------------------------------------------------------------------------------
  void isolate(NodeId id) { isolated_.insert(id); }
  void cut(NodeId a, NodeId b) { cut_.insert({std::min(a, b), std::max(a, b)}); }
  void heal() {
    isolated_.clear();
    cut_.clear();
  }
  void set_drop_filter(std::function<bool(const Message&)> filter) { filter_ = std::move(filter); }
  void drop_queue() { queue_.clear(); }

  void crash(NodeId id) {
    TestNode& node = nodes_.at(id);
    node.up = false;
    node.engine.reset();
    node.syncing.reset();  // never reached the disk
  }

  // Delivers `message`, then crashes in the middle of persisting the Ready it causes: only the
  // snapshot and entries, or only the hard state, reach the disk; only the early messages (sent
  // before persisting) have left, nothing is applied.
  void step_then_crash_torn(const Message& message, bool keep_entries) {
    TestNode& node = nodes_.at(message.to);
    if (!node.up) return;
    node.engine->step(message);
    if (node.engine->has_ready()) {
      Ready ready = node.engine->ready();
      for (auto& message : ready.early_messages) {  // they left before the crash
        sent_.push_back(message);
        queue_.push_back(std::move(message));
      }
      Ready partial;
      if (keep_entries) {
        partial.snapshot = std::move(ready.snapshot);
        partial.entries = std::move(ready.entries);
      } else {
        partial.hard_state = ready.hard_state;
      }
      persist(node, partial);
    }
    crash(message.to);
  }

  // Restarts from what is on disk; the state machine restores the snapshot and replays.
  void restart(NodeId id) {
    TestNode& node = nodes_.at(id);
    node.engine = std::make_unique<RaftEngine>(node.config, node.disk);
    node.app = node.disk.snapshot ? AppState::decode(*node.disk.snapshot) : AppState{};
    node.reads.clear();
    node.up = true;
    check(id);
    process(id);
  }

  // The state machine snapshots itself and lets the engine compact (as the driver would).
  Status compact(NodeId id) {
    TestNode& node = nodes_.at(id);
    Status status = node.engine->compact(node.app.applied_index, node.app.encode());
    if (!status.ok()) return status;
    const Snapshot& snapshot = *node.engine->snapshot();
    node.disk.snapshot = snapshot;
    auto& entries = node.disk.entries;
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.index <= snapshot.meta.index; }),
                  entries.end());
    check(id);
    return status;
  }

  // --- observations --------------------------------------------------------------------------
  std::deque<Message>& queue() { return queue_; }
  const std::vector<Message>& sent() const { return sent_; }
  void clear_sent() { sent_.clear(); }
  const std::vector<std::string>& step_errors() const { return step_errors_; }
  RaftMessage decode(const Message& message) {
    RaftMessage decoded;
    EXPECT_TRUE(decode_message(message.payload, decoded).ok());
    return decoded;
  }
  // Commands applied by `id`, in order.
  const std::vector<std::string>& applied(NodeId id) { return nodes_.at(id).app.commands; }

 private:
  void start(NodeId id, const Membership& membership) {
    TestNode node;
    node.config.id = id;
    node.config.initial_membership = membership;
    node.config.seed = 42;
    node.config.election_ticks = 10;
    node.config.heartbeat_ticks = 1;
    if (tweak_) tweak_(node.config);
    node.engine = std::make_unique<RaftEngine>(node.config, DurableState{});
    auto [it, inserted] = nodes_.emplace(id, std::move(node));
    EXPECT_TRUE(inserted);
    process(id);
  }

  bool dropped(const Message& message) const {
    if (!nodes_.count(message.to) || !nodes_.at(message.to).up) return true;
    if (isolated_.count(message.from) || isolated_.count(message.to)) return true;
    if (cut_.count({std::min(message.from, message.to), std::max(message.from, message.to)}))
      return true;
    return filter_ && filter_(message);
  }

  static void persist(TestNode& node, const Ready& ready) {
    DurableState& disk = node.disk;
    if (ready.snapshot) {
      disk.snapshot = ready.snapshot;
      disk.entries.clear();
    }
    if (!ready.entries.empty()) {
      const uint64_t first = disk.snapshot ? disk.snapshot->meta.index + 1 : 1;
      const uint64_t from = ready.entries.front().index;
      ASSERT_GE(from, first);
      ASSERT_LE(from, first + disk.entries.size()) << "entries leave a gap on disk";
      disk.entries.resize(from - first);
      disk.entries.insert(disk.entries.end(), ready.entries.begin(), ready.entries.end());
    }
    if (ready.hard_state) disk.hard_state = *ready.hard_state;
  }

  void apply(NodeId id, TestNode& node, const Ready& ready) {
    if (ready.snapshot) {
      ASSERT_GE(ready.snapshot->meta.index, node.app.applied_index);
      node.app = AppState::decode(*ready.snapshot);
    }
    for (const Entry& entry : ready.committed) {
      ASSERT_EQ(entry.index, node.app.applied_index + 1) << "node " << id << " applies out of order";
      node.app.applied_index = entry.index;
      if (entry.kind == EntryKind::kCommand) node.app.commands.push_back(entry.data);
      auto [it, first] = committed_.emplace(entry.index, entry);
      EXPECT_TRUE(first || it->second == entry)
          << "State Machine Safety violated at index " << entry.index << " on node " << id;
    }
    for (const ReadState& read : ready.read_states) node.reads.push_back(read);
  }

  void check(NodeId id) {
    TestNode& node = nodes_.at(id);
    if (!node.up) return;
    Status status = node.engine->check_invariants();
    EXPECT_TRUE(status.ok()) << "node " << id << ": " << status.message();
  }

  ConfigTweak tweak_;
  std::map<NodeId, TestNode> nodes_;
  std::deque<Message> queue_;
  std::vector<Message> sent_;
  std::set<NodeId> isolated_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::function<bool(const Message&)> filter_;
  std::map<uint64_t, Entry> committed_;
  std::vector<std::string> step_errors_;
};

// The entries a new cluster's engines write for `voters` (term 1, one per voter), followed by
// one command entry per term in `terms`: a log for crafted scenarios.
inline std::vector<Entry> log_with_terms(const std::vector<NodeId>& voters,
                                         const std::vector<uint64_t>& terms) {
  std::vector<Entry> entries;
  for (NodeId voter : voters)
    entries.push_back({entries.size() + 1, 1, EntryKind::kMembership,
                       encode_membership_change({MembershipChange::Type::kAddVoter, voter})});
  for (uint64_t term : terms)
    entries.push_back({entries.size() + 1, term, EntryKind::kCommand,
                       "t" + std::to_string(term) + "@" + std::to_string(entries.size() + 1)});
  return entries;
}

inline DurableState disk_with_terms(const std::vector<NodeId>& voters,
                                    const std::vector<uint64_t>& terms, uint64_t current_term) {
  DurableState disk;
  disk.entries = log_with_terms(voters, terms);
  disk.hard_state = {current_term, kNoNode, voters.size(), {}};
  return disk;
}

inline Message make_message(NodeId from, NodeId to, const RaftMessage& message) {
  return {from, to, encode_message(message)};
}

}  // namespace synod::consensus::raft::testing
