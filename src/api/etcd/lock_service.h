#pragma once
// etcd 3.4's v3lock service (Lock, Unlock) over a server::Node, with clientv3/concurrency
// Mutex's semantics run server-side as etcd's lock server does: Lock creates
// `<name>/<lease hex>` with the lease (concurrency_keys.h) and answers once every key under
// `<name>/` created before it is deleted (contender_wait.h); Unlock deletes the given key.
// While waiting: a revoked or expired lease ends the call with "session expired"; a cancelled
// call deletes its key.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/api/v3lock/v3lockpb/v3lock.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

class LockService final : public v3lockpb::Lock::CallbackService {
 public:
  // `node` must outlive the service and every call it started.
  explicit LockService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* Lock(grpc::CallbackServerContext* context,
                                 const v3lockpb::LockRequest* request,
                                 v3lockpb::LockResponse* response) override;
  grpc::ServerUnaryReactor* Unlock(grpc::CallbackServerContext* context,
                                   const v3lockpb::UnlockRequest* request,
                                   v3lockpb::UnlockResponse* response) override;

 private:
  server::Node& node_;
};

}  // namespace synod::api::etcd
