#pragma once
// etcd's Maintenance service: Status (what `etcdctl endpoint status` shows), Hash and HashKV
// (maintenance_hash.cc), Snapshot (maintenance_snapshot.cc), Defragment, MoveLeader and Alarm
// (maintenance_admin.cc). docs/maintenance.md says how each behaves next to etcd's.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

// The etcd version Status reports: the etcd API this server implements, 3.4's v3 API. Clients and
// tools read its major.minor as the API level the server speaks (etcdctl endpoint status prints
// it), so it names the protocol, not a Synod release; patch 0 since no 3.4.x fix is claimed.
inline constexpr const char* kImplementedEtcdVersion = "3.4.0";

// "etcdserver: no leader", the error etcd lists in Status while it knows no leader.
inline constexpr const char* kNoLeaderError = "etcdserver: no leader";

class MaintenanceService final : public etcdserverpb::Maintenance::CallbackService {
 public:
  explicit MaintenanceService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* context,
                                   const etcdserverpb::StatusRequest* request,
                                   etcdserverpb::StatusResponse* response) override;
  grpc::ServerUnaryReactor* Hash(grpc::CallbackServerContext* context,
                                 const etcdserverpb::HashRequest* request,
                                 etcdserverpb::HashResponse* response) override;
  grpc::ServerUnaryReactor* HashKV(grpc::CallbackServerContext* context,
                                   const etcdserverpb::HashKVRequest* request,
                                   etcdserverpb::HashKVResponse* response) override;
  grpc::ServerWriteReactor<etcdserverpb::SnapshotResponse>* Snapshot(
      grpc::CallbackServerContext* context, const etcdserverpb::SnapshotRequest* request) override;
  grpc::ServerUnaryReactor* Defragment(grpc::CallbackServerContext* context,
                                       const etcdserverpb::DefragmentRequest* request,
                                       etcdserverpb::DefragmentResponse* response) override;
  grpc::ServerUnaryReactor* MoveLeader(grpc::CallbackServerContext* context,
                                       const etcdserverpb::MoveLeaderRequest* request,
                                       etcdserverpb::MoveLeaderResponse* response) override;
  grpc::ServerUnaryReactor* Alarm(grpc::CallbackServerContext* context,
                                  const etcdserverpb::AlarmRequest* request,
                                  etcdserverpb::AlarmResponse* response) override;

 private:
  server::Node& node_;
};

// The StatusResponse for a node status, as etcd's maintenance server fills it.
void status_to_proto(const server::NodeStatus& status, etcdserverpb::StatusResponse& out);

}  // namespace synod::api::etcd
