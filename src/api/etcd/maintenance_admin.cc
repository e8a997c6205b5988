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

// GET lists the alarms this member has applied (served locally, not through the log as etcd
// does); ACTIVATE and DEACTIVATE go through the log and answer with the alarm they changed.
grpc::ServerUnaryReactor* MaintenanceService::Alarm(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::AlarmRequest* request,
                                                    etcdserverpb::AlarmResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
  const etcdserverpb::AlarmRequest::AlarmAction action = request->action();
  const etcdserverpb::AlarmType type = request->alarm();
  const bool known_type = type == etcdserverpb::NOSPACE || type == etcdserverpb::CORRUPT;
  // etcd lists only the alarms of the type asked for (all for NONE) and deactivates an alarm no
  // member raised with an empty answer, whatever its type: so does Synod. It activates only the
  // types it acts upon, and refuses an unknown action (etcd 3.4 crashes on one).
  if (action == etcdserverpb::AlarmRequest::DEACTIVATE && !known_type) {
    handle.finish([] { return grpc::Status::OK; });
    return call;
  }
  if (action != etcdserverpb::AlarmRequest::GET &&
      (!known_type || action != etcdserverpb::AlarmRequest::ACTIVATE) &&
      action != etcdserverpb::AlarmRequest::DEACTIVATE) {
    handle.finish([] {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "synod: unknown alarm action or type");
    });
    return call;
  }
  auto add_alarm = [response](const replica::Alarm& alarm) {
    etcdserverpb::AlarmMember* member = response->add_alarms();
    member->set_memberid(alarm.member);
    member->set_alarm(static_cast<etcdserverpb::AlarmType>(alarm.type));
  };
  node_.run_on_node_thread([handle, response, action, type, add_alarm,
                            member = request->memberid()](replica::Replica* replica) {
    if (replica == nullptr) {
      handle.finish([] { return to_grpc_status(replica::error_stopped()); });
      return true;
    }
    if (action == etcdserverpb::AlarmRequest::GET) {
      handle.finish([&] {  // no header: etcd's AlarmResponse carries none
        for (const replica::Alarm& alarm : replica->alarms()) {
          if (type == etcdserverpb::NONE || alarm.type == static_cast<replica::AlarmType>(type))
            add_alarm(alarm);
        }
        return grpc::Status::OK;
      });
      return true;
    }
    const replica::AlarmChange change{action == etcdserverpb::AlarmRequest::ACTIVATE,
                                      {member, static_cast<replica::AlarmType>(type)}};
    replica->submit_alarm(change, [handle, add_alarm, replica](const kv::ApplyResult& result) {
      handle.finish([&] {
        if (!result.status.ok()) return to_grpc_status(result.status);
        if (replica->last_alarm_change()) add_alarm(*replica->last_alarm_change());
        return grpc::Status::OK;
      });
    });
    return true;
  });
  return call;
}

}  // namespace synod::api::etcd
