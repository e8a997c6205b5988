// A SimNode is the server's Replica over a MemoryFileSystem: a crash inside a sync window loses
// the unsynced writes (and the sync never runs on the dead incarnation), a torn crash recovers
// through the real WAL, and the observation hooks see what is durable and what was recovered.
// On a network that delivers a forwarded write twice, the write is still proposed once.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <variant>

#include "consensus/registry.h"
#include "kv/command.h"
#include "replica/replica_messages.h"
#include "sim/event_queue.h"
#include "sim/sim_node.h"

namespace synod::sim {
namespace {

class SingleNodeHost : public NodeHost {
 public:
  void schedule_after(Tick delay_ticks, std::function<void()> action) override {
    queue.schedule_after(delay_ticks, std::move(action));
  }
  void send(consensus::Message) override {}  // one voter: nobody to talk to
  void reply(uint32_t, ClientReply reply) override { replies[reply.attempt] = reply.outcome; }
  Tick sync_latency_ticks(consensus::NodeId) override { return 5; }
  void on_recovered(consensus::NodeId, const consensus::DurableState& state,
                    const std::vector<std::string>&) override {
    recovered = state;
  }
  void on_durable(consensus::NodeId, const consensus::Ready& ready) override {
    durable_entries += ready.entries.size();
  }
  void on_snapshot_applied(consensus::NodeId, const consensus::SnapshotMeta&) override {}
  void on_applied(consensus::NodeId, const consensus::Entry&) override {}
  void on_node_fault(consensus::NodeId, const char* checker, std::string message) override {
    faults.push_back(std::string(checker) + ": " + message);
  }

  EventQueue queue;
  std::map<uint64_t, RegisterOutcome> replies;  // attempt -> outcome
  consensus::DurableState recovered;
  uint64_t durable_entries = 0;
  std::vector<std::string> faults;
};

class SimNodeTest : public ::testing::Test {
 protected:
  SimNodeTest() : SimNodeTest(options()) {}
  explicit SimNodeTest(const replica::ReplicaOptions& options) : node_(host_, options) {}

  static replica::ReplicaOptions options() {
    replica::ReplicaOptions options;
    options.engine_entry = consensus::find_engine("raft");
    options.engine.id = 1;
    options.engine.initial_membership.voters = {1};
    options.engine.election_ticks = 5;
    options.snapshot_count = 8;
    return options;
  }

  void run_ticks(Tick ticks) {
    for (Tick i = 0; i < ticks; ++i) {
      node_.tick();
      host_.queue.run_until(host_.queue.now() + 1);
    }
  }
  void start() {
    node_.start(++seed_);
    run_ticks(30);  // a single voter elects itself within two election timeouts
    ASSERT_EQ(node_.status().engine.role, consensus::Role::kLeader);
  }
  uint64_t submit(RegisterOperation operation) {
    node_.submit(ClientRequest{0, ++attempt_, std::move(operation)});
    return attempt_;
  }
  RegisterOutcome completed(uint64_t attempt) {
    run_ticks(20);
    EXPECT_EQ(host_.replies.count(attempt), 1u) << "attempt " << attempt;
    return host_.replies[attempt];
  }
  std::optional<std::string> read(const std::string& key) {
    const RegisterOutcome outcome = completed(submit({RegisterOp::kRead, key, {}, {}}));
    EXPECT_EQ(outcome.kind, RegisterOutcome::Kind::kOk) << outcome.error;
    return outcome.value;
  }

  SingleNodeHost host_;
  SimNode node_;
  uint64_t seed_ = 0;
  uint64_t attempt_ = 0;
};

TEST_F(SimNodeTest, ACrashInsideTheSyncWindowLosesTheUnsyncedWriteAndVoidsTheSync) {
  start();
  EXPECT_EQ(completed(submit({RegisterOp::kWrite, "k", "acked", {}})).kind, RegisterOutcome::Kind::kOk);
  const uint64_t durable_before = host_.durable_entries;
  const uint64_t pending = submit({RegisterOp::kWrite, "k", "lost", {}});
  ASSERT_TRUE(node_.in_sync_window());
  EXPECT_GT(node_.unsynced_bytes(), 0u);
  Random random(7);
  node_.crash(random, /*torn=*/false);
  EXPECT_FALSE(node_.up());
  host_.queue.run_until(host_.queue.now() + 10);  // the void sync comes due and does nothing
  EXPECT_EQ(host_.durable_entries, durable_before);
  EXPECT_EQ(host_.replies.count(pending), 0u) << "a crashed node answers nothing";
  start();
  for (const consensus::Entry& entry : host_.recovered.entries)
    EXPECT_EQ(entry.data.find("lost"), std::string::npos) << "entry " << entry.index;
  EXPECT_EQ(read("k"), "acked");
  EXPECT_TRUE(host_.faults.empty()) << host_.faults.front();
}

TEST_F(SimNodeTest, TornCrashesRecoverThroughTheWalAndKeepEveryAcknowledgedWrite) {
  Random random(11);
  start();
  std::string acked;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 3; ++i) {
      const std::string value = std::to_string(round) + "." + std::to_string(i);
      if (completed(submit({RegisterOp::kWrite, "k", value, {}})).kind == RegisterOutcome::Kind::kOk)
        acked = value;
    }
    const std::string pending = std::to_string(round) + ".pending";
    submit({RegisterOp::kWrite, "k", pending, {}});
    node_.crash(random, /*torn=*/true);
    start();
    const std::optional<std::string> value = read("k");
    ASSERT_TRUE(value == acked || value == pending) << "round " << round << " read " << value.value_or("(absent)");
    if (value == pending) acked = pending;
  }
  EXPECT_GT(node_.status().applied_index, 8u) << "snapshots were taken and recovered";
  EXPECT_TRUE(host_.faults.empty()) << host_.faults.front();
}

// The engine's log is compacted to a saved snapshot as soon as that snapshot is
// snapshot_catch_up_entries old, not when the next one is saved: the log (and the snapshot's
// bytes waiting for it) stay in memory for snapshot_catch_up_entries, not a snapshot_count more.
class SimNodeCatchUpTest : public SimNodeTest {
 protected:
  static constexpr uint64_t kSnapshotCount = 8;
  static constexpr uint64_t kCatchUpEntries = 3;
  SimNodeCatchUpTest() : SimNodeTest(catch_up_options()) {}
  static replica::ReplicaOptions catch_up_options() {
    replica::ReplicaOptions options = SimNodeTest::options();
    options.snapshot_count = kSnapshotCount;
    options.snapshot_catch_up_entries = kCatchUpEntries;
    return options;
  }
};

TEST_F(SimNodeCatchUpTest, TheLogHoldsAtMostASnapshotIntervalPlusTheCatchUpEntries) {
  start();
  uint64_t compactions_seen = 0;
  uint64_t last_first_index = node_.status().engine.first_index;
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(completed(submit({RegisterOp::kWrite, "k", std::to_string(i), {}})).kind,
              RegisterOutcome::Kind::kOk);
    const replica::ReplicaStatus status = node_.status();
    const uint64_t entries_in_log = status.applied_index - (status.engine.first_index - 1);
    EXPECT_LE(entries_in_log, kSnapshotCount + kCatchUpEntries) << "after write " << i;
    if (status.engine.first_index != last_first_index) {
      ++compactions_seen;
      EXPECT_GE(entries_in_log, kCatchUpEntries) << "the catch-up entries stay in the log";
      last_first_index = status.engine.first_index;
    }
  }
  EXPECT_GE(compactions_seen, 3u);
  EXPECT_EQ(read("k"), "39");
  EXPECT_TRUE(host_.faults.empty()) << host_.faults.front();
}

// Three nodes on a hand-driven network: every message takes one tick; forwarded writes can be
// duplicated, or held back to be delivered by the test.
class ClusterHost : public NodeHost {
 public:
  explicit ClusterHost(uint64_t snapshot_count = 100000, uint64_t catch_up_entries = 0) {
    for (consensus::NodeId id : {1, 2, 3}) {
      replica::ReplicaOptions options;
      options.snapshot_count = snapshot_count;
      options.snapshot_catch_up_entries = catch_up_entries;
      options.engine_entry = consensus::find_engine("raft");
      options.engine.id = id;
      options.engine.initial_membership.voters = {1, 2, 3};
      options.engine.election_ticks = 10;
      options.request_timeout_ticks = 40;
      nodes.emplace(id, std::make_unique<SimNode>(*this, options));
    }
  }
  void schedule_after(Tick delay_ticks, std::function<void()> action) override {
    queue.schedule_after(delay_ticks, std::move(action));
  }
  void send(consensus::Message message) override {
    if (isolated.count(message.from) || isolated.count(message.to)) return;
    const bool forward = !message.payload.empty() &&
                         message.payload[0] == static_cast<char>(replica::Channel::kForwardWrite);
    if (forward && hold_forwards) {
      held.push_back(message);
      return;
    }
    if (forward && duplicate_forwards) deliver_after(3, message);
    deliver_after(1, std::move(message));
  }
  void deliver_after(Tick ticks, consensus::Message message) {
    queue.schedule_after(ticks, [this, message = std::move(message)]() { nodes.at(message.to)->deliver(message); });
  }
  void reply(uint32_t, ClientReply reply) override { replies[reply.attempt] = reply.outcome; }
  Tick sync_latency_ticks(consensus::NodeId) override { return 1; }
  void on_recovered(consensus::NodeId, const consensus::DurableState&, const std::vector<std::string>&) override {}
  void on_durable(consensus::NodeId, const consensus::Ready&) override {}
  void on_snapshot_applied(consensus::NodeId node, const consensus::SnapshotMeta&) override {
    ++snapshots_applied[node];
  }
  void on_applied(consensus::NodeId node, const consensus::Entry& entry) override {
    replica::ProposalEnvelope envelope;
    kv::Command command;
    if (entry.kind != consensus::EntryKind::kCommand || !replica::decode_envelope(entry.data, envelope) ||
        !kv::decode_command(envelope.command, command).ok())
      return;
    if (const auto* put = std::get_if<kv::PutRequest>(&command)) ++writes_applied[{node, put->value}];
  }
  void on_node_fault(consensus::NodeId, const char* checker, std::string message) override {
    faults.push_back(std::string(checker) + ": " + message);
  }

  void run_ticks(Tick ticks) {
    for (Tick i = 0; i < ticks; ++i) {
      for (auto& [id, node] : nodes) node->tick();
      queue.run_until(queue.now() + 1);
    }
  }
  consensus::NodeId leader() const {
    for (const auto& [id, node] : nodes)
      if (node->up() && node->status().engine.role == consensus::Role::kLeader) return id;
    return consensus::kNoNode;
  }
  consensus::NodeId a_follower() const { return leader() == 1 ? 2 : 1; }

  EventQueue queue;
  std::map<consensus::NodeId, std::unique_ptr<SimNode>> nodes;
  bool duplicate_forwards = false;
  bool hold_forwards = false;
  std::vector<consensus::Message> held;
  std::map<uint64_t, RegisterOutcome> replies;
  std::map<std::pair<consensus::NodeId, std::string>, int> writes_applied;  // (node, value) -> count
  std::vector<std::string> faults;
  std::set<consensus::NodeId> isolated;             // their messages are dropped
  std::map<consensus::NodeId, int> snapshots_applied;
};

class ForwardingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uint64_t seed = 0;
    for (auto& [id, node] : cluster_.nodes) node->start(++seed);
    cluster_.run_ticks(60);
    ASSERT_NE(cluster_.leader(), consensus::kNoNode);
  }
  uint64_t write_via(consensus::NodeId node, std::string value) {
    cluster_.nodes.at(node)->submit(ClientRequest{0, ++attempt_, {RegisterOp::kWrite, "k", std::move(value), {}}});
    return attempt_;
  }

  ClusterHost cluster_;
  uint64_t attempt_ = 0;
};

TEST_F(ForwardingTest, AForwardedWriteDeliveredTwiceIsProposedOnce) {
  cluster_.duplicate_forwards = true;
  const consensus::NodeId follower = cluster_.a_follower();
  const uint64_t attempt = write_via(follower, "once");
  cluster_.run_ticks(30);
  ASSERT_EQ(cluster_.replies.count(attempt), 1u);
  EXPECT_EQ(cluster_.replies[attempt].kind, RegisterOutcome::Kind::kOk) << cluster_.replies[attempt].error;
  for (consensus::NodeId node : {1, 2, 3})
    EXPECT_EQ((cluster_.writes_applied[{node, "once"}]), 1) << "n" << node;
  EXPECT_TRUE(cluster_.faults.empty()) << cluster_.faults.front();
}

// A restarted replica cannot know whether its previous incarnation, leading the term a forward
// names, proposed it: it neither proposes nor refuses it, and the origin learns nothing certain.
TEST_F(ForwardingTest, AForwardToALeaderOfATermBeforeARestartIsNeitherProposedNorRefused) {
  const consensus::NodeId leader = cluster_.leader();
  const consensus::NodeId follower = cluster_.a_follower();
  cluster_.hold_forwards = true;
  const uint64_t attempt = write_via(follower, "maybe");
  ASSERT_EQ(cluster_.held.size(), 1u);
  Random random(3);
  cluster_.nodes.at(leader)->crash(random, /*torn=*/false);
  cluster_.nodes.at(leader)->start(99);
  cluster_.nodes.at(leader)->deliver(cluster_.held.front());
  cluster_.run_ticks(60);
  ASSERT_EQ(cluster_.replies.count(attempt), 1u);
  EXPECT_EQ(cluster_.replies[attempt].kind, RegisterOutcome::Kind::kUnknown) << cluster_.replies[attempt].error;
  for (consensus::NodeId node : {1, 2, 3}) EXPECT_EQ((cluster_.writes_applied[{node, "maybe"}]), 0);
  EXPECT_TRUE(cluster_.faults.empty()) << cluster_.faults.front();
}

// The leader keeps only the newest snapshot_catch_up_entries payloads in memory (and those a
// follower that keeps up still needs): a follower that was away for longer gets the older ones
// read back from the leader's WAL, or a snapshot where the WAL is released — never a wrong entry.
class ReadBackTest : public ::testing::Test {
 protected:
  static constexpr int kWrites = 30;
  static constexpr uint64_t kCatchUpEntries = 15;
  void start(uint64_t snapshot_count) {
    cluster_ = std::make_unique<ClusterHost>(snapshot_count, kCatchUpEntries);
    uint64_t seed = 0;
    for (auto& [id, node] : cluster_->nodes) node->start(++seed);
    cluster_->run_ticks(60);
    leader_ = cluster_->leader();
    ASSERT_NE(leader_, consensus::kNoNode);
    follower_ = cluster_->a_follower();
    cluster_->isolated.insert(follower_);
    for (int i = 0; i < kWrites; ++i) {
      cluster_->nodes.at(leader_)->submit(
          ClientRequest{0, ++attempt_, {RegisterOp::kWrite, "k" + std::to_string(i), value(i), {}}});
      cluster_->run_ticks(2);
    }
    cluster_->run_ticks(30);  // CheckQuorum: the isolated follower no longer holds payloads back
    ASSERT_EQ(cluster_->leader(), leader_);
    // The log still starts at 1 (no snapshot is catch-up entries old yet) while the payloads the
    // follower needs lie below the recent window.
    const replica::ReplicaStatus status = cluster_->nodes.at(leader_)->status();
    ASSERT_EQ(status.engine.first_index, 1u);
    ASSERT_GT(status.applied_index, kCatchUpEntries + 10);
  }
  void heal_and_run() {
    cluster_->isolated.clear();
    cluster_->run_ticks(100);
  }
  const kv::MvccStore& store(consensus::NodeId node) { return cluster_->nodes.at(node)->store(); }
  // Large enough that the WAL rolls over: its older segments are complete and synced.
  static std::string value(int write) { return "v" + std::to_string(write) + std::string(1000, 'x'); }
  int times_applied(consensus::NodeId node, int write) {
    return cluster_->writes_applied[{node, value(write)}];
  }

  std::unique_ptr<ClusterHost> cluster_;
  consensus::NodeId leader_ = consensus::kNoNode;
  consensus::NodeId follower_ = consensus::kNoNode;
  uint64_t attempt_ = 0;
};

TEST_F(ReadBackTest, AFollowerFarBehindGetsTheOlderEntriesReadBackFromTheLeadersWal) {
  start(/*snapshot_count=*/100000);
  heal_and_run();
  EXPECT_EQ(cluster_->snapshots_applied[follower_], 0) << "caught up from the log, not a snapshot";
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(times_applied(follower_, i), 1) << i;
  EXPECT_EQ(store(follower_).hash(0).hash, store(leader_).hash(0).hash);
  EXPECT_TRUE(cluster_->faults.empty()) << cluster_->faults.front();
}

TEST_F(ReadBackTest, BelowTheNewestSnapshotTheWalIsReleasedAndTheLeaderSendsTheSnapshot) {
  start(/*snapshot_count=*/20);
  heal_and_run();
  EXPECT_EQ(cluster_->snapshots_applied[follower_], 1);
  for (int i = 0; i < kWrites; ++i) EXPECT_LE(times_applied(follower_, i), 1) << i;
  EXPECT_EQ(cluster_->nodes.at(follower_)->status().applied_index,
            cluster_->nodes.at(leader_)->status().applied_index);
  EXPECT_EQ(store(follower_).hash(0).hash, store(leader_).hash(0).hash);
  EXPECT_TRUE(cluster_->faults.empty()) << cluster_->faults.front();
}

TEST_F(ReadBackTest, ADamagedWalRegionIsNeverSentAsEntries) {
  start(/*snapshot_count=*/100000);
  const uint64_t follower_applied = cluster_->nodes.at(follower_)->status().applied_index;
  const uint64_t follower_hash = store(follower_).hash(0).hash;
  // Flip a bit every 32 bytes of the leader's complete WAL segments (the oldest entries): none
  // of them reads back with its checksum.
  storage::MemoryFileSystem& disk = cluster_->nodes.at(leader_)->disk();
  const std::string wal = std::string(kSimDataDir) + "/wal";
  std::vector<std::string> names;
  ASSERT_TRUE(disk.list_directory(wal, names).ok());
  ASSERT_GE(names.size(), 2u);
  for (const std::string& name : names) {
    const std::string path = storage::join_path(wal, name);
    if (disk.unsynced_bytes(path) > 0) continue;  // the current segment
    std::string contents;
    ASSERT_TRUE(disk.read_file(path, contents).ok());
    for (uint64_t offset = 64; offset + 1 < contents.size(); offset += 32)
      if (contents[offset] != 0) disk.flip_bit(path, offset, 0x10);
  }
  heal_and_run();
  // No snapshot to fall back to (none saved yet): the follower stays where it was, unharmed.
  EXPECT_EQ(cluster_->snapshots_applied[follower_], 0);
  EXPECT_EQ(cluster_->nodes.at(follower_)->status().applied_index, follower_applied);
  EXPECT_EQ(store(follower_).hash(0).hash, follower_hash);
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(times_applied(follower_, i), 0) << i;
  // And the damage is reported, not silently worked around.
  ASSERT_FALSE(cluster_->faults.empty());
  for (const std::string& fault : cluster_->faults) {
    EXPECT_EQ(fault.rfind("storage-read-back: n" + std::to_string(leader_) + " could not read back: "
                          "wal corruption in ", 0), 0u) << fault;
  }
}

}  // namespace
}  // namespace synod::sim
