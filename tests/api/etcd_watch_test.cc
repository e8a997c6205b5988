// etcd's Watch service end to end in one process: a single-node server::Node, the EtcdApiServer on
// a free port, and etcd's generated stubs as the client, over one bidirectional stream per test.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "api/etcd/api_server.h"
#include "api/etcd/grpc_limits.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "kv/watch_hub.h"
#include "server/node.h"
#include "temp_dir.h"
#include "storage/file_system.h"

namespace synod::api::etcd {
namespace {

using namespace std::chrono_literals;
using WatchStream =
    grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>;

constexpr uint64_t kClusterId = 99;
constexpr uint64_t kMemberId = 7;

using testing::TempDir;

std::unique_ptr<grpc::ClientContext> context_with_deadline(std::chrono::seconds seconds = 30s) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + seconds);
  return context;
}

etcdserverpb::WatchRequest create_request(const std::string& key, const std::string& range_end,
                                          int64_t start_revision = 0) {
  etcdserverpb::WatchRequest request;
  auto& create = *request.mutable_create_request();
  create.set_key(key);
  create.set_range_end(range_end);
  create.set_start_revision(start_revision);
  return request;
}

class EtcdWatchTest : public ::testing::Test {
 protected:
  void start(size_t max_queued_responses = 1024, uint64_t max_request_bytes = 1536 * 1024,
             std::chrono::milliseconds progress_interval = 10min) {
    server::NodeConfig config;
    config.id = kMemberId;
    config.cluster_id = kClusterId;
    config.data_dir = dir_.path("data");
    config.heartbeat_interval = 10ms;
    config.election_timeout = 100ms;
    config.watch_progress_notify_interval = progress_interval;
    server::Member self;
    self.id = kMemberId;
    self.name = "solo";
    config.initial_members = {self};
    config.log = [](const std::string&) {};
    node_ = std::make_unique<server::Node>(config, fs_);
    Status started = node_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    server_ = std::make_unique<EtcdApiServer>(
        *node_, ApiServerOptions{.listen_addresses = {"127.0.0.1:0"},
                                 .max_request_bytes = max_request_bytes,
                                 .watch_max_queued_responses = max_queued_responses});
    started = server_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->bound_ports()[0]),
                                   grpc::InsecureChannelCredentials());
    kv_ = etcdserverpb::KV::NewStub(channel_);
    watch_ = etcdserverpb::Watch::NewStub(channel_);
    wait_for_leader();
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (node_) node_->stop();
  }

  void wait_for_leader() {
    for (int attempt = 0; attempt < 250; ++attempt) {
      if (node_->status().leader == kMemberId) return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "the node never became leader";
  }

  int64_t put(const std::string& key, const std::string& value) {
    etcdserverpb::PutRequest request;
    request.set_key(key);
    request.set_value(value);
    etcdserverpb::PutResponse response;
    grpc::Status rpc = kv_->Put(context_with_deadline().get(), request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return response.header().revision();
  }

  etcdserverpb::WatchResponse read(WatchStream& stream) {
    etcdserverpb::WatchResponse response;
    EXPECT_TRUE(stream.Read(&response)) << "the stream ended";
    return response;
  }

  TempDir dir_;
  storage::PosixFileSystem fs_;
  std::unique_ptr<server::Node> node_;
  std::unique_ptr<EtcdApiServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch_;
};

TEST_F(EtcdWatchTest, CreatedEventsPrevKvFilterCancelAndProgress) {
  start();
  put("a", "0");
  auto context = context_with_deadline();
  auto stream = watch_->Watch(context.get());
  auto request = create_request("a", "");
  request.mutable_create_request()->set_prev_kv(true);
  request.mutable_create_request()->add_filters(etcdserverpb::WatchCreateRequest::NODELETE);
  ASSERT_TRUE(stream->Write(request));
  etcdserverpb::WatchResponse created = read(*stream);
  EXPECT_TRUE(created.created());
  EXPECT_EQ(created.watch_id(), 0);
  EXPECT_EQ(created.header().revision(), 2);
  EXPECT_EQ(created.header().cluster_id(), kClusterId);
  EXPECT_EQ(created.header().member_id(), kMemberId);

  int64_t revision = put("a", "1");
  etcdserverpb::WatchResponse event = read(*stream);
  EXPECT_EQ(event.header().revision(), revision);
  ASSERT_EQ(event.events_size(), 1);
  EXPECT_EQ(event.events(0).kv().value(), "1");
  EXPECT_EQ(event.events(0).prev_kv().value(), "0");

  etcdserverpb::WatchRequest progress;
  progress.mutable_progress_request();
  ASSERT_TRUE(stream->Write(progress));
  etcdserverpb::WatchResponse progressed = read(*stream);
  EXPECT_EQ(progressed.watch_id(), -1);
  EXPECT_EQ(progressed.header().revision(), revision);

  auto duplicate = create_request("b", "");
  duplicate.mutable_create_request()->set_watch_id(5);
  ASSERT_TRUE(stream->Write(duplicate));
  EXPECT_EQ(read(*stream).watch_id(), 5);
  ASSERT_TRUE(stream->Write(duplicate));
  etcdserverpb::WatchResponse refused = read(*stream);
  EXPECT_TRUE(refused.created() && refused.canceled());
  EXPECT_EQ(refused.watch_id(), -1);
  EXPECT_EQ(refused.cancel_reason(), kv::kErrWatcherDuplicateId);

  etcdserverpb::WatchRequest cancel;
  cancel.mutable_cancel_request()->set_watch_id(0);
  ASSERT_TRUE(stream->Write(cancel));
  etcdserverpb::WatchResponse canceled = read(*stream);
  EXPECT_TRUE(canceled.canceled());
  EXPECT_EQ(canceled.watch_id(), 0);
  // As etcd's: closing the client's side keeps the stream and its watchers (5, on "b") going.
  stream->WritesDone();
  int64_t after_close = put("b", "x");
  etcdserverpb::WatchResponse still_watching = read(*stream);
  EXPECT_EQ(still_watching.watch_id(), 5);
  ASSERT_EQ(still_watching.events_size(), 1);
  EXPECT_EQ(still_watching.events(0).kv().mod_revision(), after_close);
  context->TryCancel();
  etcdserverpb::WatchResponse none;
  EXPECT_FALSE(stream->Read(&none));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(EtcdWatchTest, CompactedStartIsCanceledWithTheCompactRevision) {
  start();
  put("a", "1");
  int64_t revision = put("a", "2");
  etcdserverpb::CompactionRequest compact;
  compact.set_revision(revision);
  etcdserverpb::CompactionResponse compacted;
  ASSERT_TRUE(kv_->Compact(context_with_deadline().get(), compact, &compacted).ok());
  auto context = context_with_deadline();
  auto stream = watch_->Watch(context.get());
  ASSERT_TRUE(stream->Write(create_request("a", "", 1)));
  EXPECT_TRUE(read(*stream).created());
  etcdserverpb::WatchResponse canceled = read(*stream);
  EXPECT_TRUE(canceled.canceled());
  EXPECT_EQ(canceled.compact_revision(), revision);
  context->TryCancel();
}

TEST_F(EtcdWatchTest, LargeResponsesAreFragmentedForWatchersThatAsk) {
  constexpr uint64_t kMaxRequestBytes = 4096;
  start(1024, kMaxRequestBytes);
  // 20 events of 30 kB: etcd fragments from --max-request-bytes + 512 KiB on, not from the limit.
  for (int i = 0; i < 20; ++i) put("big/" + std::to_string(i), std::string(30000, 'x'));
  auto context = context_with_deadline();
  auto stream = watch_->Watch(context.get());
  auto request = create_request("big/", "big0", 1);
  request.mutable_create_request()->set_fragment(true);
  ASSERT_TRUE(stream->Write(request));
  EXPECT_TRUE(read(*stream).created());
  int events = 0;
  int pieces = 0;
  for (;;) {  // the 20 replayed events come as one response, in fragments
    etcdserverpb::WatchResponse piece = read(*stream);
    ++pieces;
    EXPECT_LT(piece.ByteSizeLong(), kMaxRequestBytes + kGrpcOverheadBytes);
    EXPECT_GT(piece.ByteSizeLong(), kMaxRequestBytes);
    for (const auto& event : piece.events()) EXPECT_EQ(event.kv().key(), "big/" + std::to_string(events++));
    if (!piece.fragment()) break;
  }
  EXPECT_EQ(events, 20);
  EXPECT_EQ(pieces, 2);  // 17 events fill the first piece
  context->TryCancel();
}

TEST_F(EtcdWatchTest, ProgressNotifyAtTheConfiguredInterval) {
  start(1024, 1536 * 1024, 50ms);
  auto context = context_with_deadline();
  auto stream = watch_->Watch(context.get());
  auto request = create_request("a", "");
  request.mutable_create_request()->set_progress_notify(true);
  ASSERT_TRUE(stream->Write(request));
  EXPECT_TRUE(read(*stream).created());
  etcdserverpb::WatchResponse notification = read(*stream);
  EXPECT_EQ(notification.watch_id(), 0);
  EXPECT_EQ(notification.events_size(), 0);
  EXPECT_FALSE(notification.canceled());
  EXPECT_EQ(notification.header().revision(), 1);
  context->TryCancel();
}

TEST_F(EtcdWatchTest, ServerStopEndsTheStreamWithServerStopped) {
  start();
  auto context = context_with_deadline();
  auto stream = watch_->Watch(context.get());
  ASSERT_TRUE(stream->Write(create_request("a", "")));
  EXPECT_TRUE(read(*stream).created());
  server_->stop();
  etcdserverpb::WatchResponse none;
  EXPECT_FALSE(stream->Read(&none));
  grpc::Status finished = stream->Finish();
  EXPECT_EQ(finished.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(finished.error_message(), "etcdserver: server stopped");
}

// 1,000 watchers on one prefix on one connection whose outbox holds 32 responses, so most of them
// fall behind and catch up from history while writes go on: each gets every event, in order,
// exactly once.
TEST_F(EtcdWatchTest, ThousandWatchersOnOneConnectionGetEveryEventOnceInOrder) {
  constexpr int kWatchers = 1000;
  constexpr int kWrites = 300;
  start(32);
  auto context = context_with_deadline(120s);
  auto stream = watch_->Watch(context.get());
  for (int i = 0; i < kWatchers; ++i) ASSERT_TRUE(stream->Write(create_request("p/", "p0")));
  std::set<int64_t> created;
  while (created.size() < kWatchers) {
    etcdserverpb::WatchResponse response = read(*stream);
    ASSERT_TRUE(response.created());
    ASSERT_FALSE(response.canceled());
    created.insert(response.watch_id());
  }
  std::vector<int64_t> written;
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) written.push_back(put("p/" + std::to_string(i % 17), std::to_string(i)));
  });
  std::map<int64_t, std::vector<int64_t>> seen;
  int64_t events = 0;
  while (events < int64_t{kWatchers} * kWrites) {
    etcdserverpb::WatchResponse response;
    if (!stream->Read(&response)) break;
    for (const auto& event : response.events()) {
      seen[response.watch_id()].push_back(event.kv().mod_revision());
      ++events;
    }
  }
  writer.join();
  ASSERT_EQ(written.size(), static_cast<size_t>(kWrites));
  ASSERT_EQ(seen.size(), static_cast<size_t>(kWatchers));
  for (const auto& [id, revisions] : seen) ASSERT_EQ(revisions, written) << "watcher " << id;
  context->TryCancel();
}

}  // namespace
}  // namespace synod::api::etcd
