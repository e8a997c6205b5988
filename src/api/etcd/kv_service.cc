#include "api/etcd/kv_service.h"

#include <utility>
#include <variant>

#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/unary_call.h"
#include "core/check.h"

namespace synod::api::etcd {
namespace {

// etcd 3.4 lets a learner serve serializable reads only (isRPCSupportedForLearner).
bool served_by_learner(const etcdserverpb::RangeRequest& request) { return request.serializable(); }
template <typename ProtoRequest>
bool served_by_learner(const ProtoRequest& /*request*/) { return false; }

// Converts `request` to a KvRequest, submits it and answers the call with the node's KvResponse.
// The callback captures the call's handle and the response only (never the service), so a call
// the node answers after the server stopped touches nothing that is gone.
template <typename KvRequest, typename KvResponse, typename ProtoRequest, typename ProtoResponse>
grpc::ServerUnaryReactor* submit(server::Node& node, const ProtoRequest& request,
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

}  // namespace

grpc::ServerUnaryReactor* KvService::Range(grpc::CallbackServerContext* /*context*/,
                                           const etcdserverpb::RangeRequest* request,
                                           etcdserverpb::RangeResponse* response) {
  return submit<kv::RangeRequest, kv::RangeResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Put(grpc::CallbackServerContext* /*context*/,
                                         const etcdserverpb::PutRequest* request,
                                         etcdserverpb::PutResponse* response) {
  return submit<kv::PutRequest, kv::PutResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::DeleteRange(grpc::CallbackServerContext* /*context*/,
                                                 const etcdserverpb::DeleteRangeRequest* request,
                                                 etcdserverpb::DeleteRangeResponse* response) {
  return submit<kv::DeleteRangeRequest, kv::DeleteRangeResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Txn(grpc::CallbackServerContext* /*context*/,
                                         const etcdserverpb::TxnRequest* request,
                                         etcdserverpb::TxnResponse* response) {
  return submit<kv::TxnRequest, kv::TxnResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Compact(grpc::CallbackServerContext* /*context*/,
                                             const etcdserverpb::CompactionRequest* request,
                                             etcdserverpb::CompactionResponse* response) {
  return submit<kv::CompactionRequest, kv::CompactionResponse>(node_, *request, response);
}

}  // namespace synod::api::etcd
