// The node runtime end to end in one process: real files, real TCP on 127.0.0.1, real threads.
#include "server/node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>

#include "storage/memory_file_system.h"

namespace synod::server {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("synod-node-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Whether nothing listens on 127.0.0.1:port right now.
bool port_is_free(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

uint16_t free_port() {
  // Clusters here need their ports before any node starts, so they are chosen from the process id
  // (no collision between runs), skipping those that other processes on the machine hold now.
  static uint16_t next = static_cast<uint16_t>(20000 + (getpid() % 2000) * 10);
  while (!port_is_free(next)) ++next;
  return next++;
}

struct Outcome {
  kv::ApplyResult result;
  HeaderInfo header;
};

Outcome call(Node& node, kv::Command command) {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  node.submit(std::move(command), [&promise](const kv::ApplyResult& result, const HeaderInfo& header) {
    promise.set_value({result, header});
  });
  EXPECT_EQ(future.wait_for(20s), std::future_status::ready);
  return future.get();
}

kv::PutRequest put(std::string key, std::string value) {
  kv::PutRequest request;
  request.key = std::move(key);
  request.value = std::move(value);
  return request;
}

kv::RangeRequest get(std::string key, bool serializable = false) {
  kv::RangeRequest request;
  request.key = std::move(key);
  request.serializable = serializable;
  return request;
}

std::string value_of(const Outcome& outcome) {
  const auto& response = std::get<kv::RangeResponse>(outcome.result.response);
  return response.kvs.empty() ? std::string("<none>") : response.kvs[0].value;
}

NodeConfig single_node_config(const std::string& data_dir) {
  NodeConfig config;
  config.id = 7;
  config.cluster_id = 99;
  config.data_dir = data_dir;
  config.heartbeat_interval = 10ms;
  config.election_timeout = 100ms;
  Member self;
  self.id = 7;
  self.name = "solo";
  config.initial_members = {self};
  config.listen_peer.port = 0;
  config.log = [](const std::string& line) { if (std::getenv("NODE_TEST_LOG")) fprintf(stderr, "%s\n", line.c_str()); };
  return config;
}

// Waits until a write succeeds (a single node elects itself within an election timeout).
void wait_writable(Node& node) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (call(node, put("probe", "x")).result.status.ok()) return;
    std::this_thread::sleep_for(20ms);
  }
  FAIL() << "the node never accepted a write";
}

TEST(Node, SingleNodeWritesReadsAndHeaders) {
  TempDir dir;
  storage::PosixFileSystem fs;
  Node node(single_node_config(dir.path("data")), fs);
  ASSERT_TRUE(node.start().ok());
  wait_writable(node);
  Outcome written = call(node, put("k", "v1"));
  ASSERT_TRUE(written.result.status.ok()) << written.result.status.message();
  EXPECT_EQ(written.header.cluster_id, 99u);
  EXPECT_EQ(written.header.member_id, 7u);
  EXPECT_GE(written.header.raft_term, 1u);
  const int64_t revision = written.header.revision;
  Outcome read = call(node, get("k"));
  ASSERT_TRUE(read.result.status.ok());
  EXPECT_EQ(value_of(read), "v1");
  EXPECT_EQ(read.header.revision, revision);
  EXPECT_EQ(value_of(call(node, get("k", true))), "v1");
  EXPECT_EQ(node.status().leader, 7u);
}

TEST(Node, AcknowledgedWritesSurviveRestartAndSnapshots) {
  TempDir dir;
  storage::PosixFileSystem fs;
  NodeConfig config = single_node_config(dir.path("data"));
  config.snapshot_count = 10;  // several snapshots and WAL releases on the way
  {
    Node node(config, fs);
    ASSERT_TRUE(node.start().ok());
    wait_writable(node);
    for (int i = 0; i < 60; ++i)
      ASSERT_TRUE(call(node, put("key" + std::to_string(i), "value" + std::to_string(i))).result.status.ok());
    node.stop();
  }
  Node node(config, fs);
  ASSERT_TRUE(node.start().ok());
  for (int i = 0; i < 60; ++i)
    EXPECT_EQ(value_of(call(node, get("key" + std::to_string(i), true))), "value" + std::to_string(i));
}

TEST(Node, RequestsAfterStopFailWithStopped) {
  TempDir dir;
  storage::PosixFileSystem fs;
  Node node(single_node_config(dir.path("data")), fs);
  ASSERT_TRUE(node.start().ok());
  node.stop();
  Outcome outcome = call(node, put("k", "v"));
  EXPECT_EQ(outcome.result.status.message(), "etcdserver: server stopped");
}

TEST(Node, OversizedRequestIsRefused) {
  TempDir dir;
  storage::PosixFileSystem fs;
  NodeConfig config = single_node_config(dir.path("data"));
  config.max_request_bytes = 1024;
  Node node(config, fs);
  ASSERT_TRUE(node.start().ok());
  wait_writable(node);
  Outcome outcome = call(node, put("k", std::string(2048, 'x')));
  EXPECT_EQ(outcome.result.status.message(), "etcdserver: request is too large");
}

// A disk that fills up: writes fail with the storage error, nothing acknowledged is lost.
TEST(Node, FullDiskFailsWritesAndKeepsAcknowledgedOnes) {
  storage::MemoryFileSystem fs;
  NodeConfig config = single_node_config("/data");
  config.wal_segment_bytes = 64 << 10;
  std::vector<std::string> acknowledged;
  fs.set_capacity_bytes(512 << 10);
  {
    Node node(config, fs);
    ASSERT_TRUE(node.start().ok());
    wait_writable(node);
    bool failed = false;
    for (int i = 0; i < 2000 && !failed; ++i) {
      const std::string key = "key" + std::to_string(i);
      Outcome outcome = call(node, put(key, std::string(1000, 'v')));
      if (outcome.result.status.ok()) {
        acknowledged.push_back(key);
      } else {
        failed = true;
        EXPECT_NE(outcome.result.status.message().find("No space"), std::string::npos)
            << outcome.result.status.message();
      }
    }
    ASSERT_TRUE(failed) << "the disk never filled up";
    // Still refused, not hung, and the status reports why.
    EXPECT_FALSE(call(node, put("after", "x")).result.status.ok());
    EXPECT_FALSE(node.status().errors.empty());
    node.stop();
  }
  ASSERT_FALSE(acknowledged.empty());
  fs.set_capacity_bytes(std::nullopt);
  Random random(1);
  fs.crash(random, /*tear=*/false);
  Node node(config, fs);
  ASSERT_TRUE(node.start().ok());
  for (const std::string& key : acknowledged) EXPECT_EQ(value_of(call(node, get(key, true))), std::string(1000, 'v'));
}

TEST(Node, ThreeNodesReplicateForwardAndSurviveALeaderStop) {
  TempDir dir;
  storage::PosixFileSystem fs;
  std::vector<Member> members;
  for (uint64_t id = 1; id <= 3; ++id) {
    Member member;
    member.id = id;
    member.name = "n" + std::to_string(id);
    member.peer_address.port = free_port();
    members.push_back(member);
  }
  auto config_of = [&](uint64_t id) {
    NodeConfig config = single_node_config(dir.path("n" + std::to_string(id)));
    config.id = id;
    config.initial_members = members;
    config.listen_peer = members[id - 1].peer_address;
    return config;
  };
  std::vector<std::unique_ptr<Node>> nodes;
  for (uint64_t id = 1; id <= 3; ++id) {
    nodes.push_back(std::make_unique<Node>(config_of(id), fs));
    ASSERT_TRUE(nodes.back()->start().ok());
  }
  // Every node accepts writes: followers forward to the leader.
  for (auto& node : nodes) wait_writable(*node);
  for (size_t i = 0; i < nodes.size(); ++i)
    ASSERT_TRUE(call(*nodes[i], put("from" + std::to_string(i), "v")).result.status.ok());
  // Linearizable reads on every node see every write.
  for (auto& node : nodes)
    for (size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(value_of(call(*node, get("from" + std::to_string(i)))), "v");

  const consensus::NodeId leader = nodes[0]->status().leader;
  ASSERT_NE(leader, consensus::kNoNode);
  nodes[leader - 1]->stop();
  Node& survivor = *nodes[leader % 3];
  wait_writable(survivor);
  ASSERT_TRUE(call(survivor, put("after", "leader-stop")).result.status.ok());

  nodes[leader - 1] = std::make_unique<Node>(config_of(leader), fs);
  ASSERT_TRUE(nodes[leader - 1]->start().ok());
  for (int attempt = 0; attempt < 300; ++attempt) {
    if (value_of(call(*nodes[leader - 1], get("after", true))) == "leader-stop") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(value_of(call(*nodes[leader - 1], get("after", true))), "leader-stop");
  EXPECT_EQ(value_of(call(*nodes[leader - 1], get("from0", true))), "v");
}

}  // namespace
}  // namespace synod::server
