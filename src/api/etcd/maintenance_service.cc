#include "api/etcd/maintenance_service.h"

#include <string>

#include "api/etcd/convert.h"

namespace synod::api::etcd {

void status_to_proto(const server::NodeStatus& status, etcdserverpb::StatusResponse& out) {
  out.Clear();
  server::HeaderInfo header;
  header.cluster_id = status.cluster_id;
  header.member_id = status.member_id;
  header.revision = status.revision;
  header.raft_term = status.raft_term;
  fill_header(0, header, *out.mutable_header());
  out.set_version(kImplementedEtcdVersion);
  // The store has one size, the estimate its quota counts: no free pages to tell apart.
  out.set_dbsize(status.db_size);
  out.set_dbsizeinuse(status.db_size);
  out.set_leader(status.leader);
  out.set_raftindex(status.raft_index);
  out.set_raftterm(status.raft_term);
  out.set_raftappliedindex(status.raft_applied_index);
  out.set_islearner(status.is_learner);
  // etcd lists "no leader" first, then its alarms; the node may list it itself.
  if (status.leader == consensus::kNoNode) out.add_errors(kNoLeaderError);
  for (const std::string& error : status.errors) {
    if (error != kNoLeaderError) out.add_errors(error);
  }
}

grpc::ServerUnaryReactor* MaintenanceService::Status(grpc::CallbackServerContext* context,
                                                     const etcdserverpb::StatusRequest* /*request*/,
                                                     etcdserverpb::StatusResponse* response) {
  // node.status() is a copy any thread may take (node.h): answered here, not via the node thread.
  status_to_proto(node_.status(), *response);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace synod::api::etcd
