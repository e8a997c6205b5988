// Calls the node answers late: a leader that lost its only follower keeps a write waiting until
// CheckQuorum makes it step down (an election timeout later). Meanwhile the client's deadline
// passes, or the server stops; the call must be finished at once, and the node's late answer must
// touch nothing of it (under AddressSanitizer a use after free would show here).
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "api/etcd/api_server.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"
#include "storage/file_system.h"

namespace synod::api::etcd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A port the kernel just handed out and released: free unless someone takes it meanwhile.
uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

class TwoNodes {
 public:
  TwoNodes() {
    root_ = std::filesystem::temp_directory_path() /
            ("synod-etcd-cancel-test-" + std::to_string(std::random_device{}()));
    std::vector<server::Member> members;
    for (uint64_t id = 1; id <= 2; ++id) {
      server::Member member;
      member.id = id;
      member.name = "n" + std::to_string(id);
      member.peer_address.port = unused_port();
      members.push_back(member);
    }
    for (uint64_t id = 1; id <= 2; ++id) {
      server::NodeConfig config;
      config.id = id;
      config.cluster_id = 5;
      config.data_dir = (root_ / ("n" + std::to_string(id))).string();
      config.heartbeat_interval = 20ms;
      config.election_timeout = 3000ms;  // CheckQuorum steps down after >= 3 s
      config.request_timeout = 30s;  // the write waits for the step-down, not for this
      config.initial_members = members;
      config.listen_peer = members[id - 1].peer_address;
      config.log = [](const std::string&) {};
      nodes_.push_back(std::make_unique<server::Node>(config, fs_));
    }
  }
  ~TwoNodes() {
    for (auto& node : nodes_) node->stop();
    std::filesystem::remove_all(root_);
  }

  Status start() {
    for (auto& node : nodes_) {
      Status status = node->start();
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }
  // Both agree on a leader: its id, or kNoNode after the wait. The first election comes after a
  // randomized timeout of up to twice the 3 s election timeout, and a split vote costs another.
  consensus::NodeId wait_for_leader() {
    for (int attempt = 0; attempt < 1500; ++attempt) {
      consensus::NodeId leader = nodes_[0]->status().leader;
      if (leader != consensus::kNoNode && nodes_[1]->status().leader == leader) return leader;
      std::this_thread::sleep_for(10ms);
    }
    return consensus::kNoNode;
  }
  server::Node& node(consensus::NodeId id) { return *nodes_[id - 1]; }

 private:
  std::filesystem::path root_;
  storage::PosixFileSystem fs_;
  std::vector<std::unique_ptr<server::Node>> nodes_;
};

etcdserverpb::PutRequest put_request() {
  etcdserverpb::PutRequest request;
  request.set_key("stuck");
  request.set_value("v");
  return request;
}

TEST(EtcdApiCancel, ClientDeadlineAndServerStopFinishCallsTheNodeStillHolds) {
  TwoNodes cluster;
  ASSERT_TRUE(cluster.start().ok());
  const consensus::NodeId leader = cluster.wait_for_leader();
  ASSERT_NE(leader, consensus::kNoNode);
  server::Node& survivor = cluster.node(leader);
  EtcdApiServer server(survivor, ApiServerOptions{.listen_addresses = {"127.0.0.1:0"}});
  ASSERT_TRUE(server.start().ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.bound_ports()[0]),
                                     grpc::InsecureChannelCredentials());
  auto kv = etcdserverpb::KV::NewStub(channel);
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + 5s));

  cluster.node(3 - leader).stop();  // the leader can no longer commit anything
  const Clock::time_point follower_stopped = Clock::now();

  // 1. The client's deadline passes while the node holds the write.
  grpc::ClientContext short_deadline;
  short_deadline.set_deadline(std::chrono::system_clock::now() + 200ms);
  etcdserverpb::PutResponse response;
  grpc::Status rpc = kv->Put(&short_deadline, put_request(), &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << rpc.error_message();
  // Meaningful only while the leader has not stepped down yet (it answers at once after that).
  EXPECT_LT(Clock::now() - follower_stopped, 2s) << "the leader stepped down too early";

  // 2. The server stops while a call without deadline waits at the node.
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<grpc::Status> late_status;
  grpc::ClientContext no_deadline;
  etcdserverpb::PutRequest request = put_request();
  etcdserverpb::PutResponse late_response;
  kv->async()->Put(&no_deadline, &request, &late_response, [&](grpc::Status status) {
    std::lock_guard lock(mutex);
    late_status = status;
    answered.notify_all();
  });
  std::this_thread::sleep_for(50ms);  // at the node by now
  const Clock::time_point stopping = Clock::now();
  server.stop();
  EXPECT_LT(Clock::now() - stopping, 2500ms);
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(answered.wait_for(lock, 5s, [&] { return late_status.has_value(); }));
    EXPECT_FALSE(late_status->ok());
    // The node can answer only at the step-down (>= 3 s after the follower stopped), so the
    // shutdown's cancellation finished this call, not the node.
    if (stopping - follower_stopped < 900ms) {
      EXPECT_EQ(late_status->error_message().rfind("etcdserver:", 0), std::string::npos)
          << late_status->error_message();
    }
  }

  // Stopping the node answers both waiting writes now, long after their calls finished.
  survivor.stop();
}

}  // namespace
}  // namespace synod::api::etcd
