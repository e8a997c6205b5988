#include "api/etcd/kv_service.h"

#include "api/etcd/submit_command.h"

namespace synod::api::etcd {

grpc::ServerUnaryReactor* KvService::Range(grpc::CallbackServerContext* /*context*/,
                                           const etcdserverpb::RangeRequest* request,
                                           etcdserverpb::RangeResponse* response) {
  return submit_command<kv::RangeRequest, kv::RangeResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Put(grpc::CallbackServerContext* /*context*/,
                                         const etcdserverpb::PutRequest* request,
                                         etcdserverpb::PutResponse* response) {
  return submit_command<kv::PutRequest, kv::PutResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::DeleteRange(grpc::CallbackServerContext* /*context*/,
                                                 const etcdserverpb::DeleteRangeRequest* request,
                                                 etcdserverpb::DeleteRangeResponse* response) {
  return submit_command<kv::DeleteRangeRequest, kv::DeleteRangeResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Txn(grpc::CallbackServerContext* /*context*/,
                                         const etcdserverpb::TxnRequest* request,
                                         etcdserverpb::TxnResponse* response) {
  return submit_command<kv::TxnRequest, kv::TxnResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* KvService::Compact(grpc::CallbackServerContext* /*context*/,
                                             const etcdserverpb::CompactionRequest* request,
                                             etcdserverpb::CompactionResponse* response) {
  return submit_command<kv::CompactionRequest, kv::CompactionResponse>(node_, *request, response);
}

}  // namespace synod::api::etcd
