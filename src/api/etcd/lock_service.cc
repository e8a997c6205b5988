#include "api/etcd/lock_service.h"

#include <utility>
#include <variant>

#include "api/etcd/contender_wait.h"
#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/unary_call.h"
#include "kv/errors.h"

namespace synod::api::etcd {

grpc::ServerUnaryReactor* LockService::Lock(grpc::CallbackServerContext* /*context*/,
                                            const v3lockpb::LockRequest* request,
                                            v3lockpb::LockResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
  Contender contender{.name = request->name(), .lease = request->lease(), .value = "",
                      .end_if_key_lost = true, .proclaim_existing = false};
  acquire(node_, std::move(contender), [handle] { return handle.finished(); },
          [handle, response, &node = node_](const Acquired& acquired) {
            handle.finish([&] {
              if (!acquired.status.ok()) return acquired.status;
              fill_header(acquired.turn_revision, node.header(), *response->mutable_header());
              response->set_key(acquired.key);
              return grpc::Status::OK;
            });
          });
  return call;
}

grpc::ServerUnaryReactor* LockService::Unlock(grpc::CallbackServerContext* /*context*/,
                                              const v3lockpb::UnlockRequest* request,
                                              v3lockpb::UnlockResponse* response) {
  auto* call = new UnaryCall();
  UnaryCall::Handle handle = call->handle();
  if (request->key().empty()) {
    handle.finish([] {
      return to_grpc_status(Status(StatusCode::kInvalidArgument, std::string(kv::kErrEmptyKey)));
    });
    return call;
  }
  kv::DeleteRangeRequest erase;
  erase.key = request->key();
  node_.submit(kv::Command(std::move(erase)),
               [handle, response](const kv::ApplyResult& result, const server::HeaderInfo& header) {
                 handle.finish([&] {
                   if (!result.status.ok()) return to_grpc_status(result.status);
                   const auto* deleted = std::get_if<kv::DeleteRangeResponse>(&result.response);
                   fill_header(deleted != nullptr ? deleted->header.revision : 0, header,
                               *response->mutable_header());
                   return grpc::Status::OK;
                 });
               });
  return call;
}

}  // namespace synod::api::etcd
