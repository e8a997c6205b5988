// The etcd API end to end in one process: a single-node server::Node on real files, the
// EtcdApiServer on a free port, and etcd's own generated gRPC stubs as the client.
#include "api/etcd/api_server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"
#include "temp_dir.h"
#include "storage/file_system.h"

namespace synod::api::etcd {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kClusterId = 99;
constexpr uint64_t kMemberId = 7;

using testing::TempDir;

server::NodeConfig single_node_config(const std::string& data_dir) {
  server::NodeConfig config;
  config.id = kMemberId;
  config.cluster_id = kClusterId;
  config.data_dir = data_dir;
  config.heartbeat_interval = 10ms;
  config.election_timeout = 100ms;
  server::Member self;
  self.id = kMemberId;
  self.name = "solo";
  config.initial_members = {self};
  config.log = [](const std::string&) {};
  return config;
}

std::unique_ptr<grpc::ClientContext> context_with_deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 10s);
  return context;
}

class EtcdApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<server::Node>(single_node_config(dir_.path("data")), fs_);
    Status started = node_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    server_ = std::make_unique<EtcdApiServer>(
        *node_, ApiServerOptions{.listen_addresses = {"127.0.0.1:0"}});
    started = server_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    ASSERT_EQ(server_->bound_ports().size(), 1u);
    ASSERT_GT(server_->bound_ports()[0], 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->bound_ports()[0]),
                                   grpc::InsecureChannelCredentials());
    kv_ = etcdserverpb::KV::NewStub(channel_);
    maintenance_ = etcdserverpb::Maintenance::NewStub(channel_);
    wait_for_leader();
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (node_) node_->stop();
  }

  // A single node elects itself within an election timeout; until then writes are refused.
  void wait_for_leader() {
    for (int attempt = 0; attempt < 250; ++attempt) {
      etcdserverpb::StatusResponse status;
      grpc::Status rpc = maintenance_->Status(context_with_deadline().get(), {}, &status);
      ASSERT_TRUE(rpc.ok()) << rpc.error_message();
      if (status.leader() == kMemberId) return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "the node never became leader";
  }

  etcdserverpb::PutResponse put(const std::string& key, const std::string& value,
                                bool prev_kv = false) {
    etcdserverpb::PutRequest request;
    request.set_key(key);
    request.set_value(value);
    request.set_prev_kv(prev_kv);
    etcdserverpb::PutResponse response;
    grpc::Status rpc = kv_->Put(context_with_deadline().get(), request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return response;
  }

  grpc::Status range(const etcdserverpb::RangeRequest& request,
                     etcdserverpb::RangeResponse& response) {
    return kv_->Range(context_with_deadline().get(), request, &response);
  }

  etcdserverpb::RangeResponse get(const std::string& key) {
    etcdserverpb::RangeRequest request;
    request.set_key(key);
    etcdserverpb::RangeResponse response;
    grpc::Status rpc = range(request, response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return response;
  }

  static void expect_node_header(const etcdserverpb::ResponseHeader& header) {
    EXPECT_EQ(header.cluster_id(), kClusterId);
    EXPECT_EQ(header.member_id(), kMemberId);
    EXPECT_GE(header.raft_term(), 1u);
  }

  TempDir dir_;
  storage::PosixFileSystem fs_;
  std::unique_ptr<server::Node> node_;
  std::unique_ptr<EtcdApiServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance_;
};

TEST_F(EtcdApiServerTest, PutThenGetWithHeaders) {
  etcdserverpb::PutResponse first = put("k", "v1");
  expect_node_header(first.header());
  const int64_t revision = first.header().revision();
  EXPECT_GE(revision, 2);  // a new store is at revision 1; the put took the next
  EXPECT_FALSE(first.has_prev_kv());

  etcdserverpb::PutResponse second = put("k", "v2", /*prev_kv=*/true);
  EXPECT_EQ(second.header().revision(), revision + 1);
  ASSERT_TRUE(second.has_prev_kv());
  EXPECT_EQ(second.prev_kv().value(), "v1");

  etcdserverpb::RangeResponse read = get("k");
  expect_node_header(read.header());
  EXPECT_EQ(read.header().revision(), revision + 1);
  ASSERT_EQ(read.kvs_size(), 1);
  EXPECT_EQ(read.kvs(0).key(), "k");
  EXPECT_EQ(read.kvs(0).value(), "v2");
  EXPECT_EQ(read.kvs(0).create_revision(), revision);
  EXPECT_EQ(read.kvs(0).mod_revision(), revision + 1);
  EXPECT_EQ(read.kvs(0).version(), 2);
  EXPECT_EQ(read.count(), 1);

  etcdserverpb::RangeRequest serializable;
  serializable.set_key("k");
  serializable.set_serializable(true);
  etcdserverpb::RangeResponse local;
  ASSERT_TRUE(range(serializable, local).ok());
  ASSERT_EQ(local.kvs_size(), 1);
  EXPECT_EQ(local.kvs(0).value(), "v2");
}

TEST_F(EtcdApiServerTest, RangeWithLimitAndSort) {
  for (const char* key : {"a", "b", "c", "d"}) put(key, std::string("value-") + key);
  put("e-outside", "x");
  etcdserverpb::RangeRequest request;
  request.set_key("a");
  request.set_range_end("e");
  request.set_limit(2);
  request.set_sort_order(etcdserverpb::RangeRequest::DESCEND);
  request.set_sort_target(etcdserverpb::RangeRequest::KEY);
  etcdserverpb::RangeResponse response;
  ASSERT_TRUE(range(request, response).ok());
  ASSERT_EQ(response.kvs_size(), 2);
  EXPECT_EQ(response.kvs(0).key(), "d");
  EXPECT_EQ(response.kvs(1).key(), "c");
  EXPECT_EQ(response.kvs(1).value(), "value-c");
  EXPECT_TRUE(response.more());
  EXPECT_EQ(response.count(), 4);

  request.set_keys_only(true);
  request.set_limit(0);
  ASSERT_TRUE(range(request, response).ok());
  ASSERT_EQ(response.kvs_size(), 4);
  EXPECT_EQ(response.kvs(3).key(), "a");
  EXPECT_EQ(response.kvs(3).value(), "");
  EXPECT_FALSE(response.more());
}

TEST_F(EtcdApiServerTest, DeleteRangeWithPrevKv) {
  for (const char* key : {"a", "b", "c"}) put(key, std::string("value-") + key);
  const int64_t before = get("a").header().revision();
  etcdserverpb::DeleteRangeRequest request;
  request.set_key("b");
  request.set_range_end("d");
  request.set_prev_kv(true);
  etcdserverpb::DeleteRangeResponse response;
  grpc::Status rpc = kv_->DeleteRange(context_with_deadline().get(), request, &response);
  ASSERT_TRUE(rpc.ok()) << rpc.error_message();
  expect_node_header(response.header());
  EXPECT_EQ(response.header().revision(), before + 1);
  EXPECT_EQ(response.deleted(), 2);
  ASSERT_EQ(response.prev_kvs_size(), 2);
  EXPECT_EQ(response.prev_kvs(0).key(), "b");
  EXPECT_EQ(response.prev_kvs(1).value(), "value-c");
  EXPECT_EQ(get("b").kvs_size(), 0);
  EXPECT_EQ(get("a").kvs_size(), 1);
}

TEST_F(EtcdApiServerTest, TxnCompareAndSwap) {
  put("lock", "free");
  auto swap = [&](const std::string& expected, const std::string& next) {
    etcdserverpb::TxnRequest request;
    etcdserverpb::Compare* compare = request.add_compare();
    compare->set_key("lock");
    compare->set_target(etcdserverpb::Compare::VALUE);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_value(expected);
    etcdserverpb::PutRequest* write = request.add_success()->mutable_request_put();
    write->set_key("lock");
    write->set_value(next);
    request.add_failure()->mutable_request_range()->set_key("lock");
    etcdserverpb::TxnResponse response;
    grpc::Status rpc = kv_->Txn(context_with_deadline().get(), request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return response;
  };

  etcdserverpb::TxnResponse taken = swap("free", "mine");
  expect_node_header(taken.header());
  EXPECT_TRUE(taken.succeeded());
  ASSERT_EQ(taken.responses_size(), 1);
  ASSERT_TRUE(taken.responses(0).has_response_put());
  // Nested responses carry their revision and nothing else, as in etcd 3.4.
  const etcdserverpb::ResponseHeader& nested = taken.responses(0).response_put().header();
  EXPECT_EQ(nested.revision(), taken.header().revision());
  EXPECT_EQ(nested.cluster_id(), 0u);
  EXPECT_EQ(nested.member_id(), 0u);

  etcdserverpb::TxnResponse refused = swap("free", "theirs");
  EXPECT_FALSE(refused.succeeded());
  EXPECT_EQ(refused.header().revision(), taken.header().revision());  // nothing written
  ASSERT_EQ(refused.responses_size(), 1);
  ASSERT_TRUE(refused.responses(0).has_response_range());
  ASSERT_EQ(refused.responses(0).response_range().kvs_size(), 1);
  EXPECT_EQ(refused.responses(0).response_range().kvs(0).value(), "mine");
}

TEST_F(EtcdApiServerTest, TxnWritingAKeyTwiceIsEtcdsDuplicateKeyError) {
  etcdserverpb::TxnRequest request;
  for (int i = 0; i < 2; ++i) request.add_success()->mutable_request_put()->set_key("twice");
  etcdserverpb::TxnResponse response;
  grpc::Status rpc = kv_->Txn(context_with_deadline().get(), request, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc.error_message(), "etcdserver: duplicate key given in txn request");
}

TEST_F(EtcdApiServerTest, CompactThenReadsBelowAndAboveFailWithEtcdsErrors) {
  const int64_t first = put("x", "1").header().revision();
  put("x", "2");
  const int64_t last = put("x", "3").header().revision();

  etcdserverpb::CompactionRequest compact;
  compact.set_revision(last);
  etcdserverpb::CompactionResponse compacted;
  grpc::Status rpc = kv_->Compact(context_with_deadline().get(), compact, &compacted);
  ASSERT_TRUE(rpc.ok()) << rpc.error_message();
  expect_node_header(compacted.header());
  EXPECT_EQ(compacted.header().revision(), last);

  etcdserverpb::RangeRequest old_read;
  old_read.set_key("x");
  old_read.set_revision(first);
  etcdserverpb::RangeResponse response;
  rpc = range(old_read, response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(rpc.error_message(), "etcdserver: mvcc: required revision has been compacted");

  old_read.set_revision(last);  // the compacted revision itself is still readable
  ASSERT_TRUE(range(old_read, response).ok());
  EXPECT_EQ(response.kvs(0).value(), "3");

  etcdserverpb::RangeRequest future_read;
  future_read.set_key("x");
  future_read.set_revision(last + 100);
  rpc = range(future_read, response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(rpc.error_message(), "etcdserver: mvcc: required revision is a future revision");

  rpc = kv_->Compact(context_with_deadline().get(), compact, &compacted);  // again: compacted
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(rpc.error_message(), "etcdserver: mvcc: required revision has been compacted");
}

TEST_F(EtcdApiServerTest, InvalidRequestsGetEtcdsCodeAndText) {
  etcdserverpb::PutRequest no_key;
  no_key.set_value("v");
  etcdserverpb::PutResponse response;
  grpc::Status rpc = kv_->Put(context_with_deadline().get(), no_key, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc.error_message(), "etcdserver: key is not provided");

  etcdserverpb::PutRequest ignore_missing;
  ignore_missing.set_key("absent");
  ignore_missing.set_ignore_value(true);
  rpc = kv_->Put(context_with_deadline().get(), ignore_missing, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc.error_message(), "etcdserver: key not found");
}

TEST_F(EtcdApiServerTest, RequestSizeLimitsAsEtcd) {
  // Above max_request_bytes but inside gRPC's allowance: the node refuses with etcd's text.
  etcdserverpb::PutRequest large;
  large.set_key("large");
  large.set_value(std::string(1536 * 1024 + 1, 'x'));
  etcdserverpb::PutResponse response;
  grpc::Status rpc = kv_->Put(context_with_deadline().get(), large, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc.error_message(), "etcdserver: request is too large");
  // Beyond max_request_bytes + 512 KiB gRPC itself refuses the message.
  large.set_value(std::string(2 * 1024 * 1024 + 1, 'x'));
  rpc = kv_->Put(context_with_deadline().get(), large, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(EtcdApiServerTest, ConcurrentClientsAllAnswered) {
  const int64_t before = get("none").header().revision();
  constexpr int kThreads = 4;
  constexpr int kPutsEach = 25;
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kPutsEach; ++i) {
        etcdserverpb::PutRequest request;
        request.set_key("c" + std::to_string(t) + "-" + std::to_string(i));
        etcdserverpb::PutResponse response;
        if (!kv_->Put(context_with_deadline().get(), request, &response).ok()) ++failures;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(get("none").header().revision(), before + kThreads * kPutsEach);
}

TEST_F(EtcdApiServerTest, MaintenanceStatusAndDefragment) {
  put("k", "v");
  etcdserverpb::StatusResponse status;
  grpc::Status rpc = maintenance_->Status(context_with_deadline().get(), {}, &status);
  ASSERT_TRUE(rpc.ok()) << rpc.error_message();
  expect_node_header(status.header());
  EXPECT_EQ(status.version(), "3.4.0");
  EXPECT_EQ(status.leader(), kMemberId);
  EXPECT_GE(status.raftindex(), status.raftappliedindex());
  EXPECT_GT(status.raftappliedindex(), 0u);
  EXPECT_EQ(status.raftterm(), status.header().raft_term());
  EXPECT_FALSE(status.islearner());
  EXPECT_EQ(status.errors_size(), 0);

  etcdserverpb::DefragmentResponse defragmented;
  rpc = maintenance_->Defragment(context_with_deadline().get(), {}, &defragmented);
  EXPECT_TRUE(rpc.ok()) << rpc.error_message();  // nothing to reclaim (docs/maintenance.md)
}

TEST_F(EtcdApiServerTest, StopIsIdempotentAndRefusesLaterCalls) {
  server_->stop();
  server_->stop();
  etcdserverpb::RangeRequest request;
  request.set_key("k");
  etcdserverpb::RangeResponse response;
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 2s);
  grpc::Status rpc = kv_->Range(context.get(), request, &response);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(EtcdApiServerTest, SeveralAddressesAndAPortInUse) {
  EtcdApiServer two(*node_, ApiServerOptions{.listen_addresses = {"127.0.0.1:0", "127.0.0.1:0"}});
  ASSERT_TRUE(two.start().ok());
  ASSERT_EQ(two.bound_ports().size(), 2u);
  EXPECT_GT(two.bound_ports()[0], 0);
  EXPECT_GT(two.bound_ports()[1], 0);
  EXPECT_NE(two.bound_ports()[0], two.bound_ports()[1]);

  const std::string taken = "127.0.0.1:" + std::to_string(server_->bound_ports()[0]);
  EtcdApiServer clash(*node_, ApiServerOptions{.listen_addresses = {"127.0.0.1:0", taken}});
  Status status = clash.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(taken), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("127.0.0.1:0"), std::string::npos) << status.message();
}

TEST(EtcdApiServerOptions, RefusedBeforeBinding) {
  TempDir dir;
  storage::PosixFileSystem fs;
  server::Node node(single_node_config(dir.path("data")), fs);  // never started
  EtcdApiServer none(node, ApiServerOptions{});
  Status status = none.start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "etcd API server: no listen address");
  EtcdApiServer bad(node, ApiServerOptions{.listen_addresses = {"not an address"}});
  status = bad.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not an address"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace synod::api::etcd
