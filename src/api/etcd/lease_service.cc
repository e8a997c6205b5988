#include "api/etcd/lease_service.h"

#include <utility>
#include <variant>

#include "api/etcd/grpc_errors.h"
#include "api/etcd/lease_convert.h"
#include "api/etcd/lease_keep_alive_stream.h"
#include "api/etcd/unary_call.h"
#include "core/check.h"

namespace synod::api::etcd {
namespace {

// As KvService's submit: convert, submit, answer from the node thread through the call's handle.
template <typename KvRequest, typename KvResponse, typename ProtoRequest, typename ProtoResponse>
grpc::ServerUnaryReactor* submit(server::Node& node, const ProtoRequest& request,
                                 ProtoResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
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

}  // namespace

grpc::ServerUnaryReactor* LeaseService::LeaseGrant(grpc::CallbackServerContext* /*context*/,
                                                   const etcdserverpb::LeaseGrantRequest* request,
                                                   etcdserverpb::LeaseGrantResponse* response) {
  return submit<kv::LeaseGrantRequest, kv::LeaseGrantResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* LeaseService::LeaseRevoke(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::LeaseRevokeRequest* request,
                                                    etcdserverpb::LeaseRevokeResponse* response) {
  return submit<kv::LeaseRevokeRequest, kv::LeaseRevokeResponse>(node_, *request, response);
}

grpc::ServerBidiReactor<etcdserverpb::LeaseKeepAliveRequest, etcdserverpb::LeaseKeepAliveResponse>*
LeaseService::LeaseKeepAlive(grpc::CallbackServerContext* /*context*/) {
  return LeaseKeepAliveStream::start(node_);
}

grpc::ServerUnaryReactor* LeaseService::LeaseTimeToLive(
    grpc::CallbackServerContext* /*context*/, const etcdserverpb::LeaseTimeToLiveRequest* request,
    etcdserverpb::LeaseTimeToLiveResponse* response) {
  return submit<kv::LeaseTimeToLiveRequest, kv::LeaseTimeToLiveResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* LeaseService::LeaseLeases(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::LeaseLeasesRequest* request,
                                                    etcdserverpb::LeaseLeasesResponse* response) {
  return submit<kv::LeaseLeasesRequest, kv::LeaseLeasesResponse>(node_, *request, response);
}

}  // namespace synod::api::etcd
