// gRPC channels to etcd's endpoints and the unary calls synodctl makes.
#include "ctl/etcd_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>

#include "ctl/grpc_error_text.h"

namespace synod::ctl {
namespace {

// How long a dial waits on one channel before it looks at the next.
constexpr auto kDialPollInterval = std::chrono::milliseconds(5);
// A refused connection is retried this soon, so a server that comes up while we dial is found.
constexpr int kReconnectBackoffMs = 100;
// DEADLINE_EXCEEDED within this of our deadline is our own command timeout.
constexpr auto kDeadlineSlack = std::chrono::milliseconds(50);

std::shared_ptr<grpc::Channel> make_channel(const std::string& target) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // endpoints are dialled directly
  arguments.SetMaxReceiveMessageSize(-1);           // as clientv3: responses of any size
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kReconnectBackoffMs);
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per endpoint
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Outcome<std::string> grpc_target(std::string_view endpoint) {
  if (starts_with(endpoint, "https://") || starts_with(endpoint, "unixs://")) {
    return bad_args("TLS endpoints are not supported: " + std::string(endpoint));
  }
  if (starts_with(endpoint, "unix://")) return "unix:" + std::string(endpoint.substr(7));
  if (starts_with(endpoint, "http://")) endpoint.remove_prefix(7);
  endpoint = endpoint.substr(0, endpoint.find('/'));
  if (endpoint.empty()) return bad_args("empty endpoint");
  return std::string(endpoint);
}

EtcdClient::EtcdClient(std::shared_ptr<grpc::Channel> channel, const ClientTimeouts& timeouts)
    : channel_(std::move(channel)),
      timeouts_(timeouts),
      kv_(etcdserverpb::KV::NewStub(channel_)),
      maintenance_(etcdserverpb::Maintenance::NewStub(channel_)),
      cluster_(etcdserverpb::Cluster::NewStub(channel_)) {}

Outcome<std::unique_ptr<EtcdClient>> EtcdClient::connect(const std::vector<std::string>& endpoints,
                                                         const ClientTimeouts& timeouts) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const std::string& endpoint : endpoints) {
    Outcome<std::string> target = grpc_target(endpoint);
    if (!target.ok()) return target.error();
    channels.push_back(make_channel(target.value()));
  }
  if (channels.empty()) return bad_args("no endpoints given");
  const auto deadline =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(timeouts.dial);
  for (;;) {
    for (const std::shared_ptr<grpc::Channel>& channel : channels) {
      const grpc_connectivity_state state = channel->GetState(/*try_to_connect=*/true);
      if (state == GRPC_CHANNEL_READY) return std::make_unique<EtcdClient>(channel, timeouts);
      // Waiting on a channel is what drives gRPC's I/O; a plain sleep would never connect.
      channel->WaitForStateChange(
          state, std::min(deadline, std::chrono::system_clock::now() + kDialPollInterval));
    }
    if (std::chrono::system_clock::now() >= deadline) {
      return general_error("context deadline exceeded");
    }
  }
}

template <typename Stub, typename Request, typename Response>
Outcome<Response> EtcdClient::call(Stub& stub,
                                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                const Request&, Response*),
                                   const Request& request) {
  grpc::ClientContext context;
  const auto deadline =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(timeouts_.command);
  context.set_deadline(deadline);
  context.set_wait_for_ready(true);  // as clientv3: ride out a reconnect until the deadline
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (status.ok()) return response;
  const bool deadline_passed = std::chrono::system_clock::now() + kDeadlineSlack >= deadline;
  return general_error(etcd_error_text(status, deadline_passed));
}

Outcome<etcdserverpb::RangeResponse> EtcdClient::range(const etcdserverpb::RangeRequest& request) {
  return call(*kv_, &etcdserverpb::KV::Stub::Range, request);
}

Outcome<etcdserverpb::PutResponse> EtcdClient::put(const etcdserverpb::PutRequest& request) {
  return call(*kv_, &etcdserverpb::KV::Stub::Put, request);
}

Outcome<etcdserverpb::DeleteRangeResponse> EtcdClient::delete_range(
    const etcdserverpb::DeleteRangeRequest& request) {
  return call(*kv_, &etcdserverpb::KV::Stub::DeleteRange, request);
}

Outcome<etcdserverpb::TxnResponse> EtcdClient::txn(const etcdserverpb::TxnRequest& request) {
  return call(*kv_, &etcdserverpb::KV::Stub::Txn, request);
}

Outcome<etcdserverpb::CompactionResponse> EtcdClient::compact(
    const etcdserverpb::CompactionRequest& request) {
  return call(*kv_, &etcdserverpb::KV::Stub::Compact, request);
}

Outcome<etcdserverpb::StatusResponse> EtcdClient::status() {
  return call(*maintenance_, &etcdserverpb::Maintenance::Stub::Status,
              etcdserverpb::StatusRequest());
}


Outcome<etcdserverpb::HashKVResponse> EtcdClient::hash_kv(
    const etcdserverpb::HashKVRequest& request) {
  return call(*maintenance_, &etcdserverpb::Maintenance::Stub::HashKV, request);
}

Outcome<etcdserverpb::DefragmentResponse> EtcdClient::defragment() {
  return call(*maintenance_, &etcdserverpb::Maintenance::Stub::Defragment,
              etcdserverpb::DefragmentRequest());
}

Outcome<etcdserverpb::MoveLeaderResponse> EtcdClient::move_leader(
    const etcdserverpb::MoveLeaderRequest& request) {
  return call(*maintenance_, &etcdserverpb::Maintenance::Stub::MoveLeader, request);
}

Outcome<etcdserverpb::AlarmResponse> EtcdClient::alarm(const etcdserverpb::AlarmRequest& request) {
  return call(*maintenance_, &etcdserverpb::Maintenance::Stub::Alarm, request);
}

Outcome<std::string> EtcdClient::snapshot() {
  grpc::ClientContext context;
  const auto deadline =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(timeouts_.command);
  context.set_deadline(deadline);
  context.set_wait_for_ready(true);
  std::unique_ptr<grpc::ClientReader<etcdserverpb::SnapshotResponse>> reader =
      maintenance_->Snapshot(&context, etcdserverpb::SnapshotRequest());
  std::string blob;
  etcdserverpb::SnapshotResponse response;
  while (reader->Read(&response)) blob += response.blob();
  const grpc::Status status = reader->Finish();
  if (status.ok()) return blob;
  const bool deadline_passed = std::chrono::system_clock::now() + kDeadlineSlack >= deadline;
  return general_error(etcd_error_text(status, deadline_passed));
}

Outcome<etcdserverpb::MemberListResponse> EtcdClient::member_list() {
  return call(*cluster_, &etcdserverpb::Cluster::Stub::MemberList, etcdserverpb::MemberListRequest());
}

Outcome<etcdserverpb::MemberAddResponse> EtcdClient::member_add(
    const etcdserverpb::MemberAddRequest& request) {
  return call(*cluster_, &etcdserverpb::Cluster::Stub::MemberAdd, request);
}

Outcome<etcdserverpb::MemberRemoveResponse> EtcdClient::member_remove(uint64_t id) {
  etcdserverpb::MemberRemoveRequest request;
  request.set_id(id);
  return call(*cluster_, &etcdserverpb::Cluster::Stub::MemberRemove, request);
}

Outcome<etcdserverpb::MemberUpdateResponse> EtcdClient::member_update(
    const etcdserverpb::MemberUpdateRequest& request) {
  return call(*cluster_, &etcdserverpb::Cluster::Stub::MemberUpdate, request);
}

Outcome<etcdserverpb::MemberPromoteResponse> EtcdClient::member_promote(uint64_t id) {
  etcdserverpb::MemberPromoteRequest request;
  request.set_id(id);
  return call(*cluster_, &etcdserverpb::Cluster::Stub::MemberPromote, request);
}

}  // namespace synod::ctl
