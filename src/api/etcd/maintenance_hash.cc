// Hash and HashKV: computed on the node thread from the local store, as etcd computes them from
// its local backend (neither goes through the log: members that applied the same entries agree).
#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/maintenance_service.h"
#include "api/etcd/unary_call.h"
#include "kv/snapshot_blob.h"
#include "kv/errors.h"
#include "replica/replica.h"
#include "replica/request_errors.h"

namespace synod::api::etcd {

grpc::ServerUnaryReactor* MaintenanceService::Hash(grpc::CallbackServerContext* /*context*/,
                                                   const etcdserverpb::HashRequest* /*request*/,
                                                   etcdserverpb::HashResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  node_.run_on_node_thread([handle = call->handle(), response,
                            &node = node_](replica::Replica* replica) {
    handle.finish([&] {
      if (replica == nullptr) return to_grpc_status(replica::error_stopped());
      const kv::MvccStore& store = replica->store();
      fill_header(store.current_revision(), node.header(), *response->mutable_header());
      response->set_hash(kv::whole_store_hash(store.snapshot()));
      return grpc::Status::OK;
    });
    return true;
  });
  return call;
}

grpc::ServerUnaryReactor* MaintenanceService::HashKV(grpc::CallbackServerContext* /*context*/,
                                                     const etcdserverpb::HashKVRequest* request,
                                                     etcdserverpb::HashKVResponse* response) {
  auto* call = new UnaryCall();
  const int64_t revision = request->revision();
  node_.run_on_node_thread([handle = call->handle(), response, revision,
                            &node = node_](replica::Replica* replica) {
    handle.finish([&] {
      if (replica == nullptr) return to_grpc_status(replica::error_stopped());
      const kv::MvccStore& store = replica->store();
      // etcd refuses the compacted revision itself here (reads at it are served), and reads a
      // negative revision as 0, the current one.
      if (revision > 0 && revision <= store.compacted_revision())
        return to_grpc_status(kv::error_compacted());
      kv::HashResult hashed = store.hash(revision > 0 ? revision : 0);
      if (!hashed.status.ok()) return to_grpc_status(hashed.status);
      fill_header(hashed.header_revision, node.header(), *response->mutable_header());
      response->set_hash(kv::fold_hash(hashed.hash));
      response->set_compact_revision(hashed.compact_revision);
      return grpc::Status::OK;
    });
    return true;
  });
  return call;
}

}  // namespace synod::api::etcd
