#pragma once
// etcd's Lease service (LeaseGrant, LeaseRevoke, LeaseKeepAlive, LeaseTimeToLive, LeaseLeases)
// over a server::Node. Unary calls work as KvService's; LeaseKeepAlive is a bidirectional stream
// (lease_keep_alive_stream.h). As etcd: an unknown lease answers a keep-alive with TTL 0 and a
// time-to-live with TTL -1; a revoke of an unknown lease fails with NotFound.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

class LeaseService final : public etcdserverpb::Lease::CallbackService {
 public:
  // `node` must outlive the service and every call it started.
  explicit LeaseService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* LeaseGrant(grpc::CallbackServerContext* context,
                                       const etcdserverpb::LeaseGrantRequest* request,
                                       etcdserverpb::LeaseGrantResponse* response) override;
  grpc::ServerUnaryReactor* LeaseRevoke(grpc::CallbackServerContext* context,
                                        const etcdserverpb::LeaseRevokeRequest* request,
                                        etcdserverpb::LeaseRevokeResponse* response) override;
  grpc::ServerBidiReactor<etcdserverpb::LeaseKeepAliveRequest, etcdserverpb::LeaseKeepAliveResponse>*
  LeaseKeepAlive(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* LeaseTimeToLive(grpc::CallbackServerContext* context,
                                            const etcdserverpb::LeaseTimeToLiveRequest* request,
                                            etcdserverpb::LeaseTimeToLiveResponse* response) override;
  grpc::ServerUnaryReactor* LeaseLeases(grpc::CallbackServerContext* context,
                                        const etcdserverpb::LeaseLeasesRequest* request,
                                        etcdserverpb::LeaseLeasesResponse* response) override;

 private:
  server::Node& node_;
};

}  // namespace synod::api::etcd
