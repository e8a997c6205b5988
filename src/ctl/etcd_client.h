#pragma once
// A small etcd v3 client over gRPC: the KV and Maintenance calls synodctl makes, each failure
// turned into the text etcdctl prints (grpc_error_text.h).
//
// Timeouts follow etcdctl's flags: connecting may take up to the dial timeout (every endpoint
// is dialled at once and the first one ready is used), then each call may take up to the
// command timeout. A client that connects to nothing fails with "context deadline exceeded",
// which is what etcdctl 3.4 prints when its call times out for want of a connection.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/ctl_error.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace synod::ctl {

struct ClientTimeouts {
  std::chrono::nanoseconds dial{std::chrono::seconds(2)};
  std::chrono::nanoseconds command{std::chrono::seconds(5)};
};

// The gRPC target for an endpoint as etcdctl takes it: host:port or http://host:port (any path
// dropped). TLS endpoints (https://, unixs://) are refused: synodctl speaks plain gRPC only.
Outcome<std::string> grpc_target(std::string_view endpoint);

class EtcdClient {
 public:
  static Outcome<std::unique_ptr<EtcdClient>> connect(const std::vector<std::string>& endpoints,
                                                      const ClientTimeouts& timeouts);

  Outcome<etcdserverpb::RangeResponse> range(const etcdserverpb::RangeRequest& request);
  Outcome<etcdserverpb::PutResponse> put(const etcdserverpb::PutRequest& request);
  Outcome<etcdserverpb::DeleteRangeResponse> delete_range(
      const etcdserverpb::DeleteRangeRequest& request);
  Outcome<etcdserverpb::TxnResponse> txn(const etcdserverpb::TxnRequest& request);
  Outcome<etcdserverpb::CompactionResponse> compact(const etcdserverpb::CompactionRequest& request);
  Outcome<etcdserverpb::StatusResponse> status();
  Outcome<etcdserverpb::HashKVResponse> hash_kv(const etcdserverpb::HashKVRequest& request);
  Outcome<etcdserverpb::DefragmentResponse> defragment();
  Outcome<etcdserverpb::MoveLeaderResponse> move_leader(
      const etcdserverpb::MoveLeaderRequest& request);
  Outcome<etcdserverpb::AlarmResponse> alarm(const etcdserverpb::AlarmRequest& request);
  // Maintenance.Snapshot: every blob of the stream, concatenated (the data, then its SHA-256).
  Outcome<std::string> snapshot();
  // Cluster (member_commands.cc).
  Outcome<etcdserverpb::MemberListResponse> member_list();
  Outcome<etcdserverpb::MemberAddResponse> member_add(const etcdserverpb::MemberAddRequest& request);
  Outcome<etcdserverpb::MemberRemoveResponse> member_remove(uint64_t id);
  Outcome<etcdserverpb::MemberUpdateResponse> member_update(const etcdserverpb::MemberUpdateRequest& request);
  Outcome<etcdserverpb::MemberPromoteResponse> member_promote(uint64_t id);

  EtcdClient(std::shared_ptr<grpc::Channel> channel, const ClientTimeouts& timeouts);
  // The connected channel, for clients of other services (lease_client.h) and streams (watch).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  template <typename Stub, typename Request, typename Response>
  Outcome<Response> call(Stub& stub,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                      Response*),
                         const Request& request);

  std::shared_ptr<grpc::Channel> channel_;
  ClientTimeouts timeouts_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance_;
  std::unique_ptr<etcdserverpb::Cluster::Stub> cluster_;
};

}  // namespace synod::ctl
