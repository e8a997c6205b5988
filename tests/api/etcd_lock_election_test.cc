// etcd's v3lock and v3election services end to end in one process: a single-node server::Node,
// the EtcdApiServer on a free port, and etcd's generated stubs as clients. Waiting calls run on
// their own threads; a test observes that one waits by its key being in the store while its call
// has not returned, and then that it returns once the holder's key goes away.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "api/etcd/api_server.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/api/v3lock/v3lockpb/v3lock.grpc.pb.h"
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

void set_deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + 30s);
}

std::string hex(int64_t id) {
  char text[24];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(id));
  return text;
}

struct LockOutcome {
  grpc::Status status;
  v3lockpb::LockResponse response;
};

struct CampaignOutcome {
  grpc::Status status;
  v3electionpb::CampaignResponse response;
};

class LockElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::NodeConfig config;
    config.id = kMemberId;
    config.cluster_id = kClusterId;
    config.data_dir = dir_.path("data");
    config.heartbeat_interval = 10ms;
    config.election_timeout = 100ms;
    server::Member self;
    self.id = kMemberId;
    self.name = "solo";
    config.initial_members = {self};
    config.log = [](const std::string&) {};
    node_ = std::make_unique<server::Node>(config, fs_);
    Status started = node_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    server_ = std::make_unique<EtcdApiServer>(
        *node_, ApiServerOptions{.listen_addresses = {"127.0.0.1:0"}});
    started = server_->start();
    ASSERT_TRUE(started.ok()) << started.message();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->bound_ports()[0]),
                                   grpc::InsecureChannelCredentials());
    kv_ = etcdserverpb::KV::NewStub(channel_);
    lease_ = etcdserverpb::Lease::NewStub(channel_);
    lock_ = v3lockpb::Lock::NewStub(channel_);
    election_ = v3electionpb::Election::NewStub(channel_);
    for (int attempt = 0; attempt < 250 && node_->status().leader != kMemberId; ++attempt) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(node_->status().leader, kMemberId);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (node_) node_->stop();
  }

  int64_t grant() {
    etcdserverpb::LeaseGrantRequest request;
    request.set_ttl(60);
    etcdserverpb::LeaseGrantResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    grpc::Status rpc = lease_->LeaseGrant(&context, request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return response.id();
  }

  void revoke(int64_t lease) {
    etcdserverpb::LeaseRevokeRequest request;
    request.set_id(lease);
    etcdserverpb::LeaseRevokeResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    grpc::Status rpc = lease_->LeaseRevoke(&context, request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
  }

  // The keys under `prefix`, in create order (a linearizable read).
  std::vector<std::string> keys_under(const std::string& prefix) {
    etcdserverpb::RangeRequest request;
    request.set_key(prefix);
    std::string end = prefix;
    end.back()++;
    request.set_range_end(end);
    request.set_sort_target(etcdserverpb::RangeRequest::CREATE);
    request.set_sort_order(etcdserverpb::RangeRequest::ASCEND);
    etcdserverpb::RangeResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    grpc::Status rpc = kv_->Range(&context, request, &response);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    std::vector<std::string> keys;
    for (const auto& kv : response.kvs()) keys.push_back(kv.key());
    return keys;
  }

  // Waits (bounded) until `prefix` holds `count` keys: a contender's key is in the store.
  void await_key_count(const std::string& prefix, size_t count) {
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (keys_under(prefix).size() == count) return;
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "never " << count << " keys under " << prefix;
  }

  LockOutcome lock(const std::string& name, int64_t lease, grpc::ClientContext* context = nullptr) {
    v3lockpb::LockRequest request;
    request.set_name(name);
    request.set_lease(lease);
    LockOutcome outcome;
    grpc::ClientContext own_context;
    if (context == nullptr) {
      context = &own_context;
      set_deadline(*context);
    }
    outcome.status = lock_->Lock(context, request, &outcome.response);
    return outcome;
  }

  grpc::Status unlock(const std::string& key, int64_t* revision = nullptr) {
    v3lockpb::UnlockRequest request;
    request.set_key(key);
    v3lockpb::UnlockResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    grpc::Status rpc = lock_->Unlock(&context, request, &response);
    if (revision != nullptr) *revision = response.header().revision();
    return rpc;
  }

  CampaignOutcome campaign(const std::string& name, int64_t lease, const std::string& value) {
    v3electionpb::CampaignRequest request;
    request.set_name(name);
    request.set_lease(lease);
    request.set_value(value);
    CampaignOutcome outcome;
    grpc::ClientContext context;
    set_deadline(context);
    outcome.status = election_->Campaign(&context, request, &outcome.response);
    return outcome;
  }

  grpc::Status leader(const std::string& name, v3electionpb::LeaderResponse* response) {
    v3electionpb::LeaderRequest request;
    request.set_name(name);
    grpc::ClientContext context;
    set_deadline(context);
    return election_->Leader(&context, request, response);
  }

  grpc::Status proclaim(const v3electionpb::LeaderKey& leader, const std::string& value) {
    v3electionpb::ProclaimRequest request;
    *request.mutable_leader() = leader;
    request.set_value(value);
    v3electionpb::ProclaimResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    return election_->Proclaim(&context, request, &response);
  }

  grpc::Status resign(const v3electionpb::LeaderKey& leader) {
    v3electionpb::ResignRequest request;
    *request.mutable_leader() = leader;
    v3electionpb::ResignResponse response;
    grpc::ClientContext context;
    set_deadline(context);
    return election_->Resign(&context, request, &response);
  }

  TempDir dir_;
  storage::PosixFileSystem fs_;
  std::unique_ptr<server::Node> node_;
  std::unique_ptr<EtcdApiServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;
  std::unique_ptr<v3lockpb::Lock::Stub> lock_;
  std::unique_ptr<v3electionpb::Election::Stub> election_;
};

TEST_F(LockElectionTest, SecondLockWaitsUntilTheFirstUnlocks) {
  const int64_t first_lease = grant();
  const int64_t second_lease = grant();
  LockOutcome first = lock("job", first_lease);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.response.key(), "job/" + hex(first_lease));
  EXPECT_EQ(first.response.header().member_id(), kMemberId);

  auto second = std::async(std::launch::async, [&] { return lock("job", second_lease); });
  await_key_count("job/", 2);
  // Its key exists, yet it has not returned: it waits for the first key.
  keys_under("job/");
  EXPECT_EQ(second.wait_for(0s), std::future_status::timeout);

  int64_t unlock_revision = 0;
  ASSERT_TRUE(unlock(first.response.key(), &unlock_revision).ok());
  LockOutcome acquired = second.get();
  ASSERT_TRUE(acquired.status.ok()) << acquired.status.error_message();
  EXPECT_EQ(acquired.response.key(), "job/" + hex(second_lease));
  EXPECT_GE(acquired.response.header().revision(), unlock_revision);
  EXPECT_EQ(keys_under("job/"), std::vector<std::string>{"job/" + hex(second_lease)});
}

TEST_F(LockElectionTest, SameLeaseLocksAgainAtOnce) {
  const int64_t lease = grant();
  LockOutcome first = lock("again", lease);
  ASSERT_TRUE(first.status.ok());
  LockOutcome second = lock("again", lease);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.response.key(), first.response.key());
}

TEST_F(LockElectionTest, RevokedHolderLeasePassesTheLock) {
  const int64_t holder_lease = grant();
  const int64_t waiter_lease = grant();
  ASSERT_TRUE(lock("pass", holder_lease).status.ok());
  auto waiter = std::async(std::launch::async, [&] { return lock("pass", waiter_lease); });
  await_key_count("pass/", 2);
  EXPECT_EQ(waiter.wait_for(0s), std::future_status::timeout);
  revoke(holder_lease);
  LockOutcome acquired = waiter.get();
  ASSERT_TRUE(acquired.status.ok()) << acquired.status.error_message();
  EXPECT_EQ(acquired.response.key(), "pass/" + hex(waiter_lease));
}

TEST_F(LockElectionTest, ExpiredHolderLeasePassesTheLock) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(1);  // etcd's minimum TTL is a few seconds: the node raises it
  etcdserverpb::LeaseGrantResponse granted;
  grpc::ClientContext context;
  set_deadline(context);
  ASSERT_TRUE(lease_->LeaseGrant(&context, request, &granted).ok());
  const int64_t waiter_lease = grant();
  ASSERT_TRUE(lock("expire", granted.id()).status.ok());
  LockOutcome acquired = lock("expire", waiter_lease);  // returns once the holder's lease expired
  ASSERT_TRUE(acquired.status.ok()) << acquired.status.error_message();
  EXPECT_EQ(keys_under("expire/"), std::vector<std::string>{"expire/" + hex(waiter_lease)});
}

TEST_F(LockElectionTest, WaiterWhoseLeaseIsRevokedGetsSessionExpired) {
  const int64_t holder_lease = grant();
  const int64_t waiter_lease = grant();
  ASSERT_TRUE(lock("lost", holder_lease).status.ok());
  auto waiter = std::async(std::launch::async, [&] { return lock("lost", waiter_lease); });
  await_key_count("lost/", 2);
  revoke(waiter_lease);
  LockOutcome outcome = waiter.get();
  EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(outcome.status.error_message(), "session expired");
}

TEST_F(LockElectionTest, CancelledLockRemovesItsKey) {
  const int64_t holder_lease = grant();
  const int64_t waiter_lease = grant();
  ASSERT_TRUE(lock("cancel", holder_lease).status.ok());
  grpc::ClientContext context;
  set_deadline(context);
  auto waiter =
      std::async(std::launch::async, [&] { return lock("cancel", waiter_lease, &context); });
  await_key_count("cancel/", 2);
  context.TryCancel();
  EXPECT_EQ(waiter.get().status.error_code(), grpc::StatusCode::CANCELLED);
  await_key_count("cancel/", 1);
  EXPECT_EQ(keys_under("cancel/"), std::vector<std::string>{"cancel/" + hex(holder_lease)});
}

TEST_F(LockElectionTest, LockAndUnlockErrors) {
  LockOutcome unknown_lease = lock("bad", 12345);
  EXPECT_EQ(unknown_lease.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown_lease.status.error_message(), "etcdserver: requested lease not found");
  EXPECT_TRUE(keys_under("bad/").empty());
  grpc::Status empty = unlock("");
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(empty.error_message(), "etcdserver: key is not provided");
  EXPECT_TRUE(unlock("not/held").ok());  // as etcd: deleting nothing succeeds
}

TEST_F(LockElectionTest, CampaignProclaimLeaderObserveResign) {
  v3electionpb::LeaderResponse current;
  grpc::Status none = leader("vote", &current);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(none.error_message(), "election: no leader");

  const int64_t first_lease = grant();
  const int64_t second_lease = grant();
  CampaignOutcome first = campaign("vote", first_lease, "alpha");
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const v3electionpb::LeaderKey first_key = first.response.leader();
  EXPECT_EQ(first_key.name(), "vote");
  EXPECT_EQ(first_key.key(), "vote/" + hex(first_lease));
  EXPECT_EQ(first_key.lease(), first_lease);
  EXPECT_EQ(first_key.rev(), first.response.header().revision());

  ASSERT_TRUE(leader("vote", &current).ok());
  EXPECT_EQ(current.kv().value(), "alpha");
  EXPECT_EQ(current.kv().create_revision(), first_key.rev());

  grpc::ClientContext observe_context;
  set_deadline(observe_context);
  v3electionpb::LeaderRequest observe_request;
  observe_request.set_name("vote");
  auto observer = election_->Observe(&observe_context, observe_request);
  v3electionpb::LeaderResponse seen;
  ASSERT_TRUE(observer->Read(&seen));
  EXPECT_EQ(seen.kv().value(), "alpha");

  auto second = std::async(std::launch::async, [&] { return campaign("vote", second_lease, "beta"); });
  await_key_count("vote/", 2);
  EXPECT_EQ(second.wait_for(0s), std::future_status::timeout);

  ASSERT_TRUE(proclaim(first_key, "alpha2").ok());
  ASSERT_TRUE(observer->Read(&seen));
  EXPECT_EQ(seen.kv().value(), "alpha2");
  ASSERT_TRUE(leader("vote", &current).ok());
  EXPECT_EQ(current.kv().value(), "alpha2");

  v3electionpb::LeaderKey stale = first_key;
  stale.set_rev(first_key.rev() + 1000);
  grpc::Status not_leader = proclaim(stale, "x");
  EXPECT_EQ(not_leader.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(not_leader.error_message(), "election: not leader");

  ASSERT_TRUE(resign(first_key).ok());
  CampaignOutcome elected = second.get();
  ASSERT_TRUE(elected.status.ok()) << elected.status.error_message();
  EXPECT_EQ(elected.response.leader().key(), "vote/" + hex(second_lease));
  ASSERT_TRUE(observer->Read(&seen));
  EXPECT_EQ(seen.kv().key(), "vote/" + hex(second_lease));
  EXPECT_EQ(seen.kv().value(), "beta");

  // The old leader's key is gone: proclaiming on it fails; resigning it again is no error.
  EXPECT_EQ(proclaim(first_key, "late").error_message(), "election: not leader");
  EXPECT_TRUE(resign(first_key).ok());
  observe_context.TryCancel();
}

TEST_F(LockElectionTest, CampaignAgainWithTheSameLeaseProclaimsTheNewValue) {
  const int64_t lease = grant();
  CampaignOutcome first = campaign("same", lease, "one");
  ASSERT_TRUE(first.status.ok());
  CampaignOutcome again = campaign("same", lease, "two");
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.response.leader().key(), first.response.leader().key());
  EXPECT_EQ(again.response.leader().rev(), first.response.leader().rev());
  v3electionpb::LeaderResponse current;
  ASSERT_TRUE(leader("same", &current).ok());
  EXPECT_EQ(current.kv().value(), "two");
}

TEST_F(LockElectionTest, MissingLeaderFieldIsRefused) {
  v3electionpb::ProclaimRequest proclaim_request;
  v3electionpb::ProclaimResponse proclaim_response;
  grpc::ClientContext proclaim_context;
  set_deadline(proclaim_context);
  grpc::Status refused = election_->Proclaim(&proclaim_context, proclaim_request, &proclaim_response);
  EXPECT_EQ(refused.error_message(), "\"leader\" field must be provided");
  v3electionpb::ResignRequest resign_request;
  v3electionpb::ResignResponse resign_response;
  grpc::ClientContext resign_context;
  set_deadline(resign_context);
  refused = election_->Resign(&resign_context, resign_request, &resign_response);
  EXPECT_EQ(refused.error_message(), "\"leader\" field must be provided");
}

TEST_F(LockElectionTest, CancelledCampaignResignsAndBadRequestsGetErrors) {
  const int64_t leader_lease = grant();
  const int64_t waiter_lease = grant();
  ASSERT_TRUE(campaign("quit", leader_lease, "a").status.ok());
  grpc::ClientContext context;
  set_deadline(context);
  v3electionpb::CampaignRequest request;
  request.set_name("quit");
  request.set_lease(waiter_lease);
  request.set_value("b");
  v3electionpb::CampaignResponse response;
  auto waiter = std::async(std::launch::async,
                           [&] { return election_->Campaign(&context, request, &response); });
  await_key_count("quit/", 2);
  context.TryCancel();
  EXPECT_EQ(waiter.get().error_code(), grpc::StatusCode::CANCELLED);
  await_key_count("quit/", 1);

  v3electionpb::LeaderKey empty_key;
  empty_key.set_name("quit");
  EXPECT_FALSE(proclaim(empty_key, "x").ok());
  // A name beyond the request limit (1.5 MiB) is refused by the node, not the transport.
  const std::string huge(1600 * 1024, 'n');
  LockOutcome too_large = lock(huge, grant());
  EXPECT_EQ(too_large.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(too_large.status.error_message(), "etcdserver: request is too large");
  CampaignOutcome too_large_campaign = campaign(huge, grant(), "v");
  EXPECT_EQ(too_large_campaign.status.error_message(), "etcdserver: request is too large");
  v3electionpb::LeaderResponse current;
  ASSERT_TRUE(leader("quit", &current).ok());  // the server still serves
  EXPECT_EQ(current.kv().value(), "a");
}

}  // namespace
}  // namespace synod::api::etcd
