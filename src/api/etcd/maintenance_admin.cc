// Defragment, MoveLeader and Alarm.
#include <chrono>

#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/maintenance_service.h"
#include "api/etcd/unary_call.h"
#include "replica/replica.h"
#include "replica/request_errors.h"

namespace synod::api::etcd {
namespace {

using Clock = std::chrono::steady_clock;

// etcd waits for the transfer as long as the client's context allows; this bounds a client that
// set no deadline.
constexpr std::chrono::seconds kLeaderTransferTimeout{7};

Status error_not_leader() { return {StatusCode::kNotLeader, "etcdserver: not leader"}; }
Status error_bad_leader_transferee() {
  return {StatusCode::kInvalidArgument, "etcdserver: bad leader transferee"};
}
Status error_leader_transfer_timeout() {
  return {StatusCode::kUnavailable, "etcdserver: request timed out, leader transfer took too long"};
}

}  // namespace

// The store is in memory: there is nothing to reclaim, so it succeeds at once (and, like etcd's,
// its response carries no header).
grpc::ServerUnaryReactor* MaintenanceService::Defragment(
    grpc::CallbackServerContext* context, const etcdserverpb::DefragmentRequest* /*request*/,
    etcdserverpb::DefragmentResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// As etcd: only the leader takes it; the target must be a voting member; the call returns once
// this member sees the target lead (leadership moves by the engine's transfer: the target
// campaigns at once with the leader's blessing).
grpc::ServerUnaryReactor* MaintenanceService::MoveLeader(
    grpc::CallbackServerContext* /*context*/, const etcdserverpb::MoveLeaderRequest* request,
    etcdserverpb::MoveLeaderResponse* /*response*/) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  const consensus::NodeId target = request->targetid();
  bool started = false;
  Clock::time_point deadline;
  node_.run_on_node_thread([handle = call->handle(), target, started,
                            deadline](replica::Replica* replica) mutable {
    auto fail = [&handle](const synod::Status& status) {
      handle.finish([&] { return to_grpc_status(status); });
      return true;
    };
    if (replica == nullptr) return fail(replica::error_stopped());
    const consensus::EngineStatus engine = replica->status().engine;
    if (!started) {
      if (engine.leader != replica->id()) return fail(error_not_leader());
      if (!engine.membership.is_voter(target)) return fail(error_bad_leader_transferee());
      synod::Status transfer = replica->transfer_leadership(target);
      if (!transfer.ok()) {
        return fail(transfer.code() == StatusCode::kNotLeader ? error_not_leader() : transfer);
      }
      started = true;
      deadline = Clock::now() + kLeaderTransferTimeout;
    }
    if (replica->status().engine.leader == target) {
      handle.finish([] { return grpc::Status::OK; });
      return true;
    }
    if (Clock::now() >= deadline) return fail(error_leader_transfer_timeout());
    return false;
  });
  return call;
}

grpc::ServerUnaryReactor* MaintenanceService::Alarm(grpc::CallbackServerContext* context,
                                                    const etcdserverpb::AlarmRequest* request,
                                                    etcdserverpb::AlarmResponse* response) {
  fill_header(0, node_.header(), *response->mutable_header());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  switch (request->action()) {
    case etcdserverpb::AlarmRequest::GET:
    case etcdserverpb::AlarmRequest::DEACTIVATE:
      // No alarm is ever raised yet (see docs/maintenance.md): nothing to list or disarm.
      reactor->Finish(grpc::Status::OK);
      break;
    default:
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                   "synod: raising an alarm by request is not supported"));
  }
  return reactor;
}

}  // namespace synod::api::etcd
