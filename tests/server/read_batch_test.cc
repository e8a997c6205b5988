// ReadIndex batching (replica_read_batch.cc) across three Replicas driven by hand, as the server
// drives them (pump_on_input off: inputs first, then one pump): the linearizable reads that arrive
// between two pumps share one ReadIndex request, and each still sees every write acknowledged
// before it arrived.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "consensus/registry.h"
#include "replica/replica.h"
#include "replica/replica_messages.h"
#include "storage/memory_file_system.h"

namespace synod::replica {
namespace {

class Cluster;

class TestEnv : public ReplicaEnv {
 public:
  explicit TestEnv(Cluster& cluster) : cluster_(cluster) {}
  void send(consensus::Message message) override;
  void schedule_sync(std::function<void()> sync) override;
  void on_fault(const std::string& what, const std::string& message) override {
    ADD_FAILURE() << what << ": " << message;
  }

 private:
  Cluster& cluster_;
};

class Cluster {
 public:
  Cluster() {
    for (consensus::NodeId id = 1; id <= 3; ++id) {
      ReplicaOptions options;
      options.engine_entry = consensus::find_engine("raft");
      options.engine.id = id;
      options.engine.initial_membership.voters = {1, 2, 3};
      options.engine.election_ticks = 10;
      options.engine.seed = 2000 + id;
      options.data_dir = "data";
      options.pump_on_input = false;
      auto& node = nodes_[id];
      node.fs = std::make_unique<storage::MemoryFileSystem>();
      node.env = std::make_unique<TestEnv>(*this);
      node.replica = std::make_unique<Replica>(*node.env, *node.fs, options);
      std::vector<std::string> repairs;
      EXPECT_TRUE(node.replica->start(repairs).ok());
    }
    for (int i = 0; i < 200 && leader() == consensus::kNoNode; ++i) tick();
  }

  Replica& replica(consensus::NodeId id) { return *nodes_.at(id).replica; }
  void tick() {
    for (auto& [id, node] : nodes_) node.replica->tick();
    settle();
  }
  // Pumps every replica, then delivers messages and runs syncs (pumping after each) until quiet.
  void settle() {
    for (auto& [id, node] : nodes_) node.replica->pump();
    while (!messages_.empty() || !syncs_.empty()) {
      std::vector<std::function<void()>> due;
      due.swap(syncs_);
      for (auto& sync : due) sync();
      std::deque<consensus::Message> batch;
      batch.swap(messages_);
      for (const consensus::Message& message : batch) {
        nodes_.at(message.to).replica->receive(message);
        nodes_.at(message.to).replica->pump();
      }
    }
  }
  consensus::NodeId leader() {
    for (auto& [id, node] : nodes_)
      if (node.replica->status().engine.role == consensus::Role::kLeader) return id;
    return consensus::kNoNode;
  }
  consensus::NodeId a_follower() { return leader() == 1 ? 2 : 1; }

  void send(consensus::Message message) {
    ReplicaMessage decoded;
    if (decode_replica_message(message.payload, decoded)) ++sent_[{message.from, decoded.channel}];
    messages_.push_back(std::move(message));
  }
  void schedule_sync(std::function<void()> sync) { syncs_.push_back(std::move(sync)); }
  // Messages of `channel` sent by `from` since the last reset.
  int sent(consensus::NodeId from, Channel channel) { return sent_[{from, channel}]; }
  void reset_counts() { sent_.clear(); }
  // Loses every message not yet delivered.
  void drop_messages() { messages_.clear(); }

 private:
  struct Node {
    std::unique_ptr<storage::MemoryFileSystem> fs;
    std::unique_ptr<TestEnv> env;
    std::unique_ptr<Replica> replica;
  };
  std::map<consensus::NodeId, Node> nodes_;
  std::deque<consensus::Message> messages_;
  std::vector<std::function<void()>> syncs_;
  std::map<std::pair<consensus::NodeId, Channel>, int> sent_;
};

void TestEnv::send(consensus::Message message) { cluster_.send(std::move(message)); }
void TestEnv::schedule_sync(std::function<void()> sync) { cluster_.schedule_sync(std::move(sync)); }

kv::Command put(std::string key, std::string value) {
  kv::PutRequest request;
  request.key = std::move(key);
  request.value = std::move(value);
  return request;
}

kv::Command linearizable_get(std::string key) {
  kv::RangeRequest request;
  request.key = std::move(key);
  return request;
}

class ReadBatchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(cluster_.leader(), consensus::kNoNode); }

  void write(consensus::NodeId at, const std::string& key, const std::string& value) {
    std::optional<kv::ApplyResult> answer;
    cluster_.replica(at).submit(put(key, value), [&answer](const kv::ApplyResult& r) { answer = r; });
    cluster_.settle();
    ASSERT_TRUE(answer.has_value());
    ASSERT_TRUE(answer->status.ok()) << answer->status.message();
  }
  // Submits `count` reads of `key` at `at` with no pump between them, then settles.
  std::vector<std::optional<kv::ApplyResult>> read_many(consensus::NodeId at, const std::string& key,
                                                        int count) {
    std::vector<std::optional<kv::ApplyResult>> answers(count);
    submit_reads(at, key, answers, 0, count);
    cluster_.settle();
    return answers;
  }
  // Submits reads of `key` at `at` into answers[first, first + count), without settling.
  void submit_reads(consensus::NodeId at, const std::string& key,
                    std::vector<std::optional<kv::ApplyResult>>& answers, int first, int count) {
    for (int i = first; i < first + count; ++i)
      cluster_.replica(at).submit(linearizable_get(key),
                                  [&answers, i](const kv::ApplyResult& r) { answers[i] = r; });
  }
  static void expect_value(const std::vector<std::optional<kv::ApplyResult>>& answers,
                           const std::string& value) {
    for (const auto& answer : answers) {
      ASSERT_TRUE(answer.has_value());
      ASSERT_TRUE(answer->status.ok()) << answer->status.message();
      const auto& response = std::get<kv::RangeResponse>(answer->response);
      ASSERT_EQ(response.kvs.size(), 1u);
      EXPECT_EQ(response.kvs[0].value, value);
    }
  }

  Cluster cluster_;
};

TEST_F(ReadBatchTest, ReadsOnAFollowerShareOneReadIndexMessageAndSeeTheAcknowledgedWrite) {
  const consensus::NodeId follower = cluster_.a_follower();
  write(cluster_.leader(), "k", "v1");
  cluster_.reset_counts();
  const auto answers = read_many(follower, "k", 8);
  EXPECT_EQ(cluster_.sent(follower, Channel::kReadIndex), 1);
  EXPECT_EQ(cluster_.sent(cluster_.leader(), Channel::kReadIndexReply), 1);
  expect_value(answers, "v1");
}

TEST_F(ReadBatchTest, ReadsOnTheLeaderShareOneHeartbeatRound) {
  const consensus::NodeId leader = cluster_.leader();
  write(leader, "k", "v1");
  cluster_.reset_counts();
  const auto answers = read_many(leader, "k", 8);
  // One heartbeat to each of the two followers confirms all eight reads (one round, not eight).
  EXPECT_EQ(cluster_.sent(leader, Channel::kEngine), 2);
  expect_value(answers, "v1");
}

TEST_F(ReadBatchTest, ABatchedReadAfterAWriteThroughAnotherMemberSeesIt) {
  const consensus::NodeId follower = cluster_.a_follower();
  consensus::NodeId other_follower = consensus::kNoNode;
  for (consensus::NodeId id = 1; id <= 3; ++id)
    if (id != follower && id != cluster_.leader()) other_follower = id;
  write(other_follower, "k", "v1");
  expect_value(read_many(follower, "k", 3), "v1");
  write(cluster_.leader(), "k", "v2");
  expect_value(read_many(follower, "k", 3), "v2");
}

TEST_F(ReadBatchTest, ReadsArrivingWhileAFollowersBatchIsInFlightShareTheNextOne) {
  const consensus::NodeId follower = cluster_.a_follower();
  write(cluster_.leader(), "k", "v1");
  cluster_.reset_counts();
  std::vector<std::optional<kv::ApplyResult>> answers(6);
  submit_reads(follower, "k", answers, 0, 1);
  cluster_.replica(follower).pump();  // the first batch leaves, its answer not yet back
  submit_reads(follower, "k", answers, 1, 5);
  cluster_.replica(follower).pump();
  EXPECT_EQ(cluster_.sent(follower, Channel::kReadIndex), 1);
  cluster_.settle();
  EXPECT_EQ(cluster_.sent(follower, Channel::kReadIndex), 2);
  expect_value(answers, "v1");
}

TEST_F(ReadBatchTest, ReadsArrivingDuringTheLeadersHeartbeatRoundShareTheNextRound) {
  const consensus::NodeId leader = cluster_.leader();
  write(leader, "k", "v1");
  cluster_.reset_counts();
  std::vector<std::optional<kv::ApplyResult>> answers(6);
  submit_reads(leader, "k", answers, 0, 1);
  cluster_.replica(leader).pump();
  submit_reads(leader, "k", answers, 1, 5);
  cluster_.replica(leader).pump();
  EXPECT_EQ(cluster_.sent(leader, Channel::kEngine), 2);  // one heartbeat to each follower
  cluster_.settle();
  EXPECT_EQ(cluster_.sent(leader, Channel::kEngine), 4);  // and one more round for the five
  expect_value(answers, "v1");
}

TEST_F(ReadBatchTest, ABatchWhoseAnswerIsLostHoldsTheNextOneForTwoTicksOnly) {
  const consensus::NodeId follower = cluster_.a_follower();
  write(cluster_.leader(), "k", "v1");
  cluster_.reset_counts();
  std::vector<std::optional<kv::ApplyResult>> lost(1);
  submit_reads(follower, "k", lost, 0, 1);
  cluster_.replica(follower).pump();
  cluster_.drop_messages();
  std::vector<std::optional<kv::ApplyResult>> answers(1);
  submit_reads(follower, "k", answers, 0, 1);
  cluster_.tick();
  EXPECT_EQ(cluster_.sent(follower, Channel::kReadIndex), 1);
  EXPECT_FALSE(answers[0].has_value());
  cluster_.tick();  // kReadBatchPatienceTicks after the lost batch left
  EXPECT_EQ(cluster_.sent(follower, Channel::kReadIndex), 2);
  expect_value(answers, "v1");
  EXPECT_FALSE(lost[0].has_value());  // it times out with the request timeout
}

}  // namespace
}  // namespace synod::replica
