#pragma once
// etcd's KV service (Range, Put, DeleteRange, Txn, Compact) over a server::Node.
//
// Each call converts its request (convert.h), submits it to the node and returns at once; the
// node's callback, on the node thread, converts the answer and finishes the call. No gRPC thread
// ever waits for the node. A request refused by the conversion is answered without the node.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

class KvService final : public etcdserverpb::KV::CallbackService {
 public:
  // `node` must outlive the service and every call it started (Node::stop answers them all).
  explicit KvService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* Range(grpc::CallbackServerContext* context,
                                  const etcdserverpb::RangeRequest* request,
                                  etcdserverpb::RangeResponse* response) override;
  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* context,
                                const etcdserverpb::PutRequest* request,
                                etcdserverpb::PutResponse* response) override;
  grpc::ServerUnaryReactor* DeleteRange(grpc::CallbackServerContext* context,
                                        const etcdserverpb::DeleteRangeRequest* request,
                                        etcdserverpb::DeleteRangeResponse* response) override;
  grpc::ServerUnaryReactor* Txn(grpc::CallbackServerContext* context,
                                const etcdserverpb::TxnRequest* request,
                                etcdserverpb::TxnResponse* response) override;
  grpc::ServerUnaryReactor* Compact(grpc::CallbackServerContext* context,
                                    const etcdserverpb::CompactionRequest* request,
                                    etcdserverpb::CompactionResponse* response) override;

 private:
  server::Node& node_;
};

}  // namespace synod::api::etcd
