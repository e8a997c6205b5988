// Lease expiry across three Replicas driven by ticks (no clock, no sleeping): a lease without
// keep-alives is revoked after its TTL with its keys; keep-alives through a follower keep it; a
// leader change never expires a lease early (the new leader promotes it with its checkpointed
// remaining TTL plus an election timeout, as etcd's Promote); time-to-live, leases and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "consensus/registry.h"
#include "kv/errors.h"
#include "replica/replica.h"
#include "storage/memory_file_system.h"

namespace synod::replica {
namespace {

constexpr uint64_t kTickMs = 100;  // 10 ticks a second
constexpr uint32_t kElectionTicks = 10;

class Cluster;

class TestEnv : public ReplicaEnv {
 public:
  TestEnv(Cluster& cluster) : cluster_(cluster) {}
  void send(consensus::Message message) override;
  void schedule_sync(std::function<void()> sync) override;
  void on_fault(const std::string& what, const std::string& message) override {
    ADD_FAILURE() << what << ": " << message;
  }

 private:
  Cluster& cluster_;
};

// Three replicas; messages and syncs run until quiet after every input. A node `down` neither
// ticks nor receives (a kill -9 without restart).
class Cluster {
 public:
  explicit Cluster(uint64_t checkpoint_interval_ticks = 3000) {
    for (consensus::NodeId id = 1; id <= 3; ++id) {
      ReplicaOptions options;
      options.engine_entry = consensus::find_engine("raft");
      options.engine.id = id;
      options.engine.initial_membership.voters = {1, 2, 3};
      options.engine.election_ticks = kElectionTicks;
      options.engine.seed = 1000 + id;
      options.data_dir = "data";
      options.store.min_lease_ttl_seconds = 2;
      options.leases.tick_milliseconds = kTickMs;
      options.leases.checkpoint_interval_ticks = checkpoint_interval_ticks;
      options.request_timeout_ticks = 50;
      auto& node = nodes_[id];
      node.fs = std::make_unique<storage::MemoryFileSystem>();
      node.env = std::make_unique<TestEnv>(*this);
      node.replica = std::make_unique<Replica>(*node.env, *node.fs, options);
      std::vector<std::string> repairs;
      EXPECT_TRUE(node.replica->start(repairs).ok());
    }
    settle();
  }

  Replica& replica(consensus::NodeId id) { return *nodes_.at(id).replica; }
  void kill(consensus::NodeId id) { down_.insert(id); }

  void tick(uint64_t ticks = 1) {
    for (uint64_t i = 0; i < ticks; ++i) {
      ++now_;
      for (auto& [id, node] : nodes_)
        if (down_.count(id) == 0) node.replica->tick();
      settle();
    }
  }
  uint64_t now() const { return now_; }

  consensus::NodeId leader() {
    for (auto& [id, node] : nodes_) {
      if (down_.count(id) == 0 && node.replica->status().engine.role == consensus::Role::kLeader) return id;
    }
    return consensus::kNoNode;
  }
  consensus::NodeId wait_for_leader() {
    for (int i = 0; i < 200 && leader() == consensus::kNoNode; ++i) tick();
    return leader();
  }
  consensus::NodeId a_follower() {
    for (auto& [id, node] : nodes_)
      if (down_.count(id) == 0 && id != leader()) return id;
    return consensus::kNoNode;
  }

  kv::ApplyResult request(consensus::NodeId at, const kv::Command& command) {
    std::optional<kv::ApplyResult> answer;
    replica(at).submit(command, [&answer](const kv::ApplyResult& result) { answer = result; });
    for (int i = 0; i < 100 && !answer; ++i) tick();
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(kv::ApplyResult{});
  }

  bool has_key(consensus::NodeId at, const std::string& key) {
    kv::RangeRequest range;
    range.key = key;
    kv::RangeResponse response;
    EXPECT_TRUE(replica(at).store().range(range, response).ok());
    return !response.kvs.empty();
  }

  std::deque<consensus::Message> messages;
  std::vector<std::function<void()>> syncs;

 private:
  struct Node {
    std::unique_ptr<storage::MemoryFileSystem> fs;
    std::unique_ptr<TestEnv> env;
    std::unique_ptr<Replica> replica;
  };

  void settle() {
    while (!messages.empty() || !syncs.empty()) {
      std::vector<std::function<void()>> due;
      due.swap(syncs);
      for (auto& sync : due) sync();
      std::deque<consensus::Message> batch;
      batch.swap(messages);
      for (const consensus::Message& message : batch)
        if (down_.count(message.to) == 0 && down_.count(message.from) == 0)
          nodes_.at(message.to).replica->receive(message);
    }
  }

  std::map<consensus::NodeId, Node> nodes_;
  std::set<consensus::NodeId> down_;
  uint64_t now_ = 0;
};

void TestEnv::send(consensus::Message message) { cluster_.messages.push_back(std::move(message)); }
void TestEnv::schedule_sync(std::function<void()> sync) { cluster_.syncs.push_back(std::move(sync)); }

int64_t grant(Cluster& cluster, consensus::NodeId at, int64_t ttl) {
  kv::ApplyResult result = cluster.request(at, kv::LeaseGrantRequest{0, ttl});
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  const auto* response = std::get_if<kv::LeaseGrantResponse>(&result.response);
  EXPECT_NE(response, nullptr);
  return response ? response->id : 0;
}

void put(Cluster& cluster, consensus::NodeId at, const std::string& key, int64_t lease) {
  kv::ApplyResult result = cluster.request(at, kv::PutRequest{key, "v", lease, false, false, false});
  EXPECT_TRUE(result.status.ok()) << result.status.message();
}

int64_t keep_alive(Cluster& cluster, consensus::NodeId at, int64_t id) {
  kv::ApplyResult result = cluster.request(at, kv::LeaseKeepAliveRequest{id});
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  const auto* response = std::get_if<kv::LeaseKeepAliveResponse>(&result.response);
  return response ? response->ttl : -100;
}

kv::LeaseTimeToLiveResponse time_to_live(Cluster& cluster, consensus::NodeId at, int64_t id) {
  kv::ApplyResult result = cluster.request(at, kv::LeaseTimeToLiveRequest{id, true});
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  const auto* response = std::get_if<kv::LeaseTimeToLiveResponse>(&result.response);
  return response ? *response : kv::LeaseTimeToLiveResponse{};
}

// Ticks until the key is gone on every node (at most `limit`); the ticks it took.
uint64_t ticks_until_gone(Cluster& cluster, const std::string& key, uint64_t limit,
                          std::initializer_list<consensus::NodeId> nodes) {
  const uint64_t start = cluster.now();
  auto present = [&] {
    for (consensus::NodeId id : nodes)
      if (cluster.has_key(id, key)) return true;
    return false;
  };
  while (present() && cluster.now() - start < limit) cluster.tick();
  return cluster.now() - start;
}

TEST(LeaseExpiryTest, ALeaseWithoutKeepAlivesIsRevokedWithItsKeysAfterItsTtl) {
  Cluster cluster;
  ASSERT_NE(cluster.wait_for_leader(), consensus::kNoNode);
  const consensus::NodeId follower = cluster.a_follower();
  const int64_t id = grant(cluster, follower, 3);
  ASSERT_GT(id, 0);
  const uint64_t granted_at = cluster.now();
  put(cluster, follower, "a", id);
  put(cluster, follower, "b", id);
  put(cluster, follower, "c", 0);
  ticks_until_gone(cluster, "a", 100, {1, 2, 3});
  const uint64_t lived = cluster.now() - granted_at;
  // 3 s = 30 ticks from the grant's apply (the leader times it from the next tick).
  EXPECT_GE(lived, 29u);
  EXPECT_LE(lived, 33u);
  for (consensus::NodeId node : {1, 2, 3}) {
    EXPECT_FALSE(cluster.has_key(node, "b"));
    EXPECT_TRUE(cluster.has_key(node, "c"));
    EXPECT_EQ(cluster.replica(node).store().find_lease(id), nullptr);
    EXPECT_TRUE(cluster.replica(node).store().check_invariants().ok());
  }
  EXPECT_EQ(time_to_live(cluster, follower, id).ttl, -1);
  EXPECT_EQ(keep_alive(cluster, follower, id), 0);
}

TEST(LeaseExpiryTest, KeepAlivesThroughAFollowerKeepTheLeaseThenItExpires) {
  Cluster cluster;
  ASSERT_NE(cluster.wait_for_leader(), consensus::kNoNode);
  const consensus::NodeId follower = cluster.a_follower();
  const int64_t id = grant(cluster, follower, 3);
  put(cluster, follower, "k", id);
  for (int round = 0; round < 20; ++round) {  // 20 s, keep-alive every second
    cluster.tick(10);
    ASSERT_EQ(keep_alive(cluster, follower, id), 3) << round;
  }
  EXPECT_TRUE(cluster.has_key(cluster.leader(), "k"));
  kv::LeaseTimeToLiveResponse ttl = time_to_live(cluster, follower, id);
  EXPECT_EQ(ttl.granted_ttl, 3);
  EXPECT_GE(ttl.ttl, 2);
  EXPECT_LE(ttl.ttl, 3);
  EXPECT_EQ(ttl.keys, std::vector<std::string>{"k"});
  const uint64_t lived = ticks_until_gone(cluster, "k", 100, {1, 2, 3});
  EXPECT_GE(lived, 25u);  // the last keep-alive was at most a few ticks ago
  EXPECT_LE(lived, 33u);
}

TEST(LeaseExpiryTest, ALeaderChangeNeverExpiresALeaseEarly) {
  Cluster cluster;
  const consensus::NodeId old_leader = cluster.wait_for_leader();
  ASSERT_NE(old_leader, consensus::kNoNode);
  const consensus::NodeId follower = cluster.a_follower();
  const int64_t id = grant(cluster, follower, 10);
  put(cluster, follower, "k", id);
  const uint64_t granted_at = cluster.now();
  cluster.tick(60);
  cluster.kill(old_leader);
  const consensus::NodeId new_leader = cluster.wait_for_leader();
  ASSERT_NE(new_leader, consensus::kNoNode);
  ASSERT_NE(new_leader, old_leader);
  const uint64_t elected_at = cluster.now();
  // Never checkpointed: the full TTL again, plus an election timeout, from the election.
  const uint64_t lived = ticks_until_gone(cluster, "k", 300, {new_leader, cluster.a_follower()});
  EXPECT_GT(cluster.now(), granted_at + 100);  // the old leader's expiry passed long before
  EXPECT_GE(lived, 100u + kElectionTicks - 1);
  EXPECT_LE(lived, 100u + kElectionTicks + 3);
  EXPECT_GE(cluster.now(), elected_at + 100 + kElectionTicks - 1);
}

TEST(LeaseExpiryTest, ANewLeaderStartsFromTheCheckpointedRemainingTtl) {
  Cluster cluster(/*checkpoint_interval_ticks=*/20);
  const consensus::NodeId old_leader = cluster.wait_for_leader();
  const consensus::NodeId follower = cluster.a_follower();
  const int64_t id = grant(cluster, follower, 10);
  put(cluster, follower, "k", id);
  const uint64_t granted_at = cluster.now();
  cluster.tick(65);  // checkpoints every 2 s: the last one recorded 4 to 6 s remaining
  cluster.kill(old_leader);
  const consensus::NodeId new_leader = cluster.wait_for_leader();
  ASSERT_NE(new_leader, consensus::kNoNode);
  const kv::Lease* lease = cluster.replica(new_leader).store().find_lease(id);
  ASSERT_NE(lease, nullptr);
  const int64_t remaining = lease->remaining_ttl;
  EXPECT_GE(remaining, 4);
  EXPECT_LE(remaining, 6);
  const uint64_t lived = ticks_until_gone(cluster, "k", 300, {new_leader, cluster.a_follower()});
  // Not before the old leader's expiry, and from the checkpoint, not the full TTL.
  EXPECT_GE(cluster.now(), granted_at + 100);
  EXPECT_GE(lived, static_cast<uint64_t>(remaining * 10) + kElectionTicks - 1);
  // The new leader may have promoted from the checkpoint before it (applied after its election).
  EXPECT_LE(lived, static_cast<uint64_t>(remaining * 10) + kElectionTicks + 23);
  EXPECT_LT(lived, 100u + kElectionTicks);  // not the full TTL
}

TEST(LeaseExpiryTest, RenewalClearsACheckpoint) {
  Cluster cluster(/*checkpoint_interval_ticks=*/20);
  cluster.wait_for_leader();
  const consensus::NodeId follower = cluster.a_follower();
  const int64_t id = grant(cluster, follower, 10);
  cluster.tick(30);  // at least one checkpoint, applied everywhere
  ASSERT_GT(cluster.replica(follower).store().find_lease(id)->remaining_ttl, 0);
  EXPECT_EQ(keep_alive(cluster, follower, id), 10);
  // The leader proposed the clearing checkpoint with the renewal and applied it before answering.
  EXPECT_EQ(cluster.replica(cluster.leader()).store().find_lease(id)->remaining_ttl, 0);
}

TEST(LeaseExpiryTest, ErrorsLeasesAndRevokeThroughAFollower) {
  Cluster cluster;
  cluster.wait_for_leader();
  const consensus::NodeId follower = cluster.a_follower();
  EXPECT_EQ(cluster.request(follower, kv::LeaseRevokeRequest{77}).status.message(), kv::kErrLeaseNotFound);
  EXPECT_EQ(cluster.request(follower, kv::PutRequest{"x", "v", 77, false, false, false}).status.message(),
            kv::kErrLeaseNotFound);
  EXPECT_EQ(keep_alive(cluster, follower, 77), 0);
  EXPECT_EQ(time_to_live(cluster, follower, 77).ttl, -1);
  const int64_t first = grant(cluster, follower, 60);
  const int64_t second = grant(cluster, cluster.leader(), 1);  // raised to the minimum, 2
  // Renewed at once, before the leader's next tick has timed the new lease.
  EXPECT_EQ(keep_alive(cluster, cluster.leader(), second), 2);
  EXPECT_NE(first, second);
  EXPECT_EQ(time_to_live(cluster, follower, second).granted_ttl, 2);
  EXPECT_EQ(cluster.request(follower, kv::LeaseGrantRequest{first, 5}).status.message(),
            kv::kErrLeaseExists);
  kv::ApplyResult leases = cluster.request(follower, kv::LeaseLeasesRequest{});
  std::vector<int64_t> expected{first, second};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(std::get<kv::LeaseLeasesResponse>(leases.response).ids, expected);
  put(cluster, follower, "a", first);
  put(cluster, follower, "b", first);
  const int64_t before = cluster.replica(follower).store().current_revision();
  kv::ApplyResult revoked = cluster.request(follower, kv::LeaseRevokeRequest{first});
  ASSERT_TRUE(revoked.status.ok()) << revoked.status.message();
  EXPECT_EQ(std::get<kv::LeaseRevokeResponse>(revoked.response).header.revision, before + 1);
  EXPECT_FALSE(cluster.has_key(follower, "a"));
  EXPECT_FALSE(cluster.has_key(follower, "b"));
}

}  // namespace
}  // namespace synod::replica
