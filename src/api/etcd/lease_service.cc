#include "api/etcd/lease_service.h"

#include "api/etcd/lease_keep_alive_stream.h"
#include "api/etcd/submit_command.h"

namespace synod::api::etcd {

grpc::ServerUnaryReactor* LeaseService::LeaseGrant(grpc::CallbackServerContext* /*context*/,
                                                   const etcdserverpb::LeaseGrantRequest* request,
                                                   etcdserverpb::LeaseGrantResponse* response) {
  return submit_command<kv::LeaseGrantRequest, kv::LeaseGrantResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* LeaseService::LeaseRevoke(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::LeaseRevokeRequest* request,
                                                    etcdserverpb::LeaseRevokeResponse* response) {
  return submit_command<kv::LeaseRevokeRequest, kv::LeaseRevokeResponse>(node_, *request, response);
}

grpc::ServerBidiReactor<etcdserverpb::LeaseKeepAliveRequest, etcdserverpb::LeaseKeepAliveResponse>*
LeaseService::LeaseKeepAlive(grpc::CallbackServerContext* /*context*/) {
  return LeaseKeepAliveStream::start(node_);
}

grpc::ServerUnaryReactor* LeaseService::LeaseTimeToLive(
    grpc::CallbackServerContext* /*context*/, const etcdserverpb::LeaseTimeToLiveRequest* request,
    etcdserverpb::LeaseTimeToLiveResponse* response) {
  return submit_command<kv::LeaseTimeToLiveRequest, kv::LeaseTimeToLiveResponse>(node_, *request, response);
}

grpc::ServerUnaryReactor* LeaseService::LeaseLeases(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::LeaseLeasesRequest* request,
                                                    etcdserverpb::LeaseLeasesResponse* response) {
  return submit_command<kv::LeaseLeasesRequest, kv::LeaseLeasesResponse>(node_, *request, response);
}

}  // namespace synod::api::etcd
