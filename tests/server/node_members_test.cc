// Membership on running nodes in one process (real TCP on 127.0.0.1, real threads): names
// published, etcd's checks on each change, a member joining by snapshot, a removed member
// stopping itself. What etcdctl sees of the same is tests/e2e/test_membership.py.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <future>
#include <random>
#include <thread>

#include "server/node.h"
#include "storage/file_system.h"

namespace synod::server {
namespace {

using namespace std::chrono_literals;
using replica::MemberRequest;

constexpr uint64_t kClusterId = 99;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("synod-members-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A port the kernel just handed out and nothing listens on (as the e2e harness picks them): fixed
// ranges would collide with the ephemeral ports of tests running alongside.
uint16_t next_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

Member member(consensus::NodeId id) {
  Member m;
  m.id = id;
  m.name = "n" + std::to_string(id);
  m.peer_address.port = next_port();
  m.peer_urls = {"http://127.0.0.1:" + std::to_string(m.peer_address.port)};
  m.client_urls = {"http://127.0.0.1:" + std::to_string(30000 + id)};
  return m;
}

struct Outcome {
  Status status;
  std::vector<Member> members;
};

Outcome change(Node& node, MemberRequest request) {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  node.change_members(std::move(request), [&promise](const Status& status, const std::vector<Member>& members,
                                                     const HeaderInfo&) {
    promise.set_value({status, members});
  });
  EXPECT_EQ(future.wait_for(20s), std::future_status::ready);
  return future.get();
}

MemberRequest request(MemberRequest::Kind kind, consensus::NodeId id, std::vector<std::string> peer_urls = {},
                      bool learner = false) {
  MemberRequest r;
  r.kind = kind;
  r.id = id;
  r.peer_urls = std::move(peer_urls);
  r.is_learner = learner;
  return r;
}

bool put(Node& node, const std::string& key) {
  std::promise<bool> promise;
  auto future = promise.get_future();
  kv::PutRequest put;
  put.key = key;
  put.value = "v";
  node.submit(put, [&promise](const kv::ApplyResult& result, const HeaderInfo&) { promise.set_value(result.status.ok()); });
  return future.wait_for(20s) == std::future_status::ready && future.get();
}

bool has_key(Node& node, const std::string& key) {
  std::promise<bool> promise;
  auto future = promise.get_future();
  kv::RangeRequest get;
  get.key = key;
  get.serializable = true;
  node.submit(get, [&promise](const kv::ApplyResult& result, const HeaderInfo&) {
    const auto* response = std::get_if<kv::RangeResponse>(&result.response);
    promise.set_value(result.status.ok() && response != nullptr && !response->kvs.empty());
  });
  return future.wait_for(20s) == std::future_status::ready && future.get();
}

template <typename Predicate>
bool eventually(Predicate predicate) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class NodeMembers : public ::testing::Test {
 protected:
  NodeConfig config_of(const Member& self, std::vector<Member> initial) {
    NodeConfig config;
    config.id = self.id;
    config.name = self.name;
    config.cluster_id = kClusterId;
    config.data_dir = dir_.path(self.name);
    config.heartbeat_interval = 10ms;
    config.election_timeout = 100ms;
    config.initial_members = std::move(initial);
    config.listen_peer = self.peer_address;
    config.snapshot_count = 10;
    config.snapshot_catch_up_entries = 2;
    config.log = [](const std::string& line) { if (std::getenv("NODE_TEST_LOG")) fprintf(stderr, "%s\n", line.c_str()); };
    return config;
  }

  void start_three() {
    for (consensus::NodeId id = 1; id <= 3; ++id) members_.push_back(member(id));
    for (const Member& m : members_) {
      nodes_.push_back(std::make_unique<Node>(config_of(m, members_), fs_));
      ASSERT_TRUE(nodes_.back()->start().ok());
    }
    for (auto& node : nodes_) ASSERT_TRUE(eventually([&] { return put(*node, "probe"); }));
  }

  Node& follower() {
    const consensus::NodeId leader = nodes_[0]->status().leader;
    return *nodes_[leader == 1 ? 1 : 0];
  }

  TempDir dir_;
  storage::PosixFileSystem fs_;
  std::vector<Member> members_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(NodeMembers, EveryMemberPublishesItsNameAndClientUrls) {
  start_three();
  ASSERT_TRUE(eventually([&] {
    const std::vector<Member> listed = nodes_[0]->status().members;
    if (listed.size() != 3) return false;
    for (size_t i = 0; i < 3; ++i)
      if (listed[i].name != members_[i].name || listed[i].client_urls != members_[i].client_urls) return false;
    return true;
  }));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(nodes_[0]->status().members[i].peer_urls, members_[i].peer_urls);
}

// etcd's checks, asked of a follower (which forwards to the leader): each refusal carries etcd's
// text, and nothing changes.
TEST_F(NodeMembers, ChangesAreCheckedAsEtcdChecksThem) {
  start_three();
  Node& node = follower();
  const std::string unused_url = "http://127.0.0.1:" + std::to_string(next_port());
  using Kind = MemberRequest::Kind;
  // What the Cluster service checks before anything is proposed.
  const std::string invalid = "etcdserver: given member URLs are invalid";
  for (std::vector<std::string> urls : {std::vector<std::string>{}, {"not-a-url"}, {"https://127.0.0.1:1"},
                                        {"http://127.0.0.1:99999"}, std::vector<std::string>(65, unused_url)}) {
    EXPECT_EQ(node.resolve_new_member(urls, nullptr).message(), invalid) << urls.size();
  }
  std::vector<std::string> good = {unused_url};
  EXPECT_TRUE(node.resolve_new_member(good, nullptr).ok());
  EXPECT_EQ(change(node, request(Kind::kAdd, 50, members_[1].peer_urls)).status.message(),
            "etcdserver: Peer URLs already exists");
  Outcome added = change(node, request(Kind::kAdd, 50, {unused_url}, /*learner=*/true));
  ASSERT_TRUE(added.status.ok()) << added.status.message();
  ASSERT_EQ(added.members.size(), 4u);
  EXPECT_TRUE(added.members.back().id == 50 && added.members.back().is_learner);
  EXPECT_EQ(change(node, request(Kind::kAdd, 51, {"http://127.0.0.1:1"}, true)).status.message(),
            "etcdserver: too many learner members in cluster");
  EXPECT_EQ(change(node, request(Kind::kPromote, 50)).status.message(),
            "etcdserver: can only promote a learner member which is in sync with leader");
  EXPECT_EQ(change(node, request(Kind::kPromote, 2)).status.message(),
            "etcdserver: can only promote a learner member");
  EXPECT_EQ(change(node, request(Kind::kRemove, 77)).status.message(), "etcdserver: member not found");
  EXPECT_EQ(change(node, request(Kind::kUpdate, 50, members_[0].peer_urls)).status.message(),
            "etcdserver: Peer URLs already exists");
  ASSERT_TRUE(change(node, request(Kind::kRemove, 50)).status.ok());
  EXPECT_EQ(change(node, request(Kind::kAdd, 50, {unused_url}, true)).status.message(),
            "etcdserver: member not found")
      << "a removed id never comes back (etcd: ErrIDRemoved)";
  // With one voter stopped, adding another would risk the quorum.
  const consensus::NodeId leader = nodes_[0]->status().leader;
  nodes_[leader % 3]->stop();  // a follower
  Node& leader_node = *nodes_[leader - 1];
  // Not a wait for an outcome but for the leader's CheckQuorum window (10 ticks of 10 ms) to pass
  // many times, so that it no longer counts the stopped follower as active. (Asking earlier could
  // add the voter: with 2 of 4 voters up the cluster would then rightly stall.)
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(change(leader_node, request(Kind::kAdd, 60, {"http://127.0.0.1:2"})).status.message(),
            "etcdserver: unhealthy cluster");
  // Removing the other follower would leave the leader alone: refused; the stopped one may go.
  const consensus::NodeId running_follower = (leader + 1) % 3 + 1;
  EXPECT_EQ(change(leader_node, request(Kind::kRemove, running_follower)).status.message(),
            "etcdserver: unhealthy cluster");
  EXPECT_TRUE(change(leader_node, request(Kind::kRemove, leader % 3 + 1)).status.ok());
}

// A member added and started with join_existing (and no cluster id) catches up from a snapshot,
// learns the cluster id; a removed member stops itself and the others keep serving.
TEST_F(NodeMembers, NewMemberJoinsBySnapshotAndARemovedOneStops) {
  start_three();
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(put(follower(), "key" + std::to_string(i)));
  Member joiner = member(4);
  Outcome added = change(follower(), request(MemberRequest::Kind::kAdd, 4, joiner.peer_urls));
  ASSERT_TRUE(added.status.ok()) << added.status.message();
  std::vector<Member> initial = members_;
  initial.push_back(joiner);
  NodeConfig config = config_of(joiner, initial);
  config.join_existing = true;
  config.cluster_id = 0;
  std::promise<void> removed;
  config.on_removed = [&removed] { removed.set_value(); };
  auto snapshots = std::make_shared<std::atomic<int>>(0);
  config.log = [snapshots](const std::string& line) {
    if (line.find("applied a snapshot from the leader") != std::string::npos) ++*snapshots;
  };
  auto node = std::make_unique<Node>(config, fs_);
  ASSERT_TRUE(node->start().ok());
  EXPECT_TRUE(eventually([&] { return has_key(*node, "key0") && has_key(*node, "key39"); }));
  EXPECT_GE(snapshots->load(), 1) << "the leader's log was compacted: only a snapshot catches up";
  EXPECT_EQ(node->status().cluster_id, kClusterId);
  EXPECT_TRUE(eventually([&] { return node->status().members.size() == 4; }));

  const consensus::NodeId leader = nodes_[0]->status().leader;
  Node& leader_node = *nodes_[leader - 1];
  Outcome removal = change(leader_node, request(MemberRequest::Kind::kRemove, 4));
  ASSERT_TRUE(removal.status.ok()) << removal.status.message();
  EXPECT_EQ(removal.members.size(), 3u);
  EXPECT_EQ(removed.get_future().wait_for(10s), std::future_status::ready);
  for (auto& n : nodes_) EXPECT_TRUE(put(*n, "after-removal"));
}

}  // namespace
}  // namespace synod::server
