#pragma once
// The unary methods that are one node command each (KV, Lease): convert the request, submit it
// and answer the call with the node's response.
#include <utility>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/lease_convert.h"
#include "api/etcd/unary_call.h"
#include "core/check.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "kv/command.h"
#include "server/node.h"

namespace synod::api::etcd {

// etcd 3.4 lets a learner serve serializable reads only (isRPCSupportedForLearner).
inline bool served_by_learner(const etcdserverpb::RangeRequest& request) {
  return request.serializable();
}
template <typename ProtoRequest>
bool served_by_learner(const ProtoRequest& /*request*/) {
  return false;
}

// Converts `request` (with the from_proto overload for its type) to a KvRequest, submits it and
// answers with the node's KvResponse (to_proto). The callback captures the call's handle and the
// response only (never the service), so a call the node answers after the server stopped
// touches nothing that is gone.
template <typename KvRequest, typename KvResponse, typename ProtoRequest, typename ProtoResponse>
grpc::ServerUnaryReactor* submit_command(server::Node& node, const ProtoRequest& request,
                                         ProtoResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
  if (!served_by_learner(request) && node.is_learner()) {
    handle.finish([] {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: rpc not supported for learner");
    });
    return call;
  }
  KvRequest command;
  Status refused = from_proto(request, command);
  if (!refused.ok()) {
    handle.finish([&refused] { return to_grpc_status(refused); });
    return call;
  }
  node.submit(kv::Command(std::move(command)),
              [handle, response](const kv::ApplyResult& result, const server::HeaderInfo& header) {
                handle.finish([&] {
                  if (!result.status.ok()) return to_grpc_status(result.status);
                  const auto* answer = std::get_if<KvResponse>(&result.response);
                  SYNOD_CHECK(answer != nullptr, "the node answered with another response type");
                  to_proto(*answer, header, *response);
                  return grpc::Status::OK;
                });
              });
  return call;
}

}  // namespace synod::api::etcd
