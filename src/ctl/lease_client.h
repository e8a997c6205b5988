#pragma once
// etcd's Lease calls for synodctl, over an EtcdClient's channel, with etcdctl's timeouts and
// error texts. keep_alive_once is clientv3's KeepAliveOnce: one request on a LeaseKeepAlive
// stream, and a TTL <= 0 answer is "requested lease not found".
#include <memory>

#include "ctl/etcd_client.h"

namespace synod::ctl {

class LeaseClient {
 public:
  LeaseClient(std::shared_ptr<grpc::Channel> channel, const ClientTimeouts& timeouts);

  Outcome<etcdserverpb::LeaseGrantResponse> grant(int64_t ttl);
  Outcome<etcdserverpb::LeaseRevokeResponse> revoke(int64_t id);
  Outcome<etcdserverpb::LeaseTimeToLiveResponse> time_to_live(int64_t id, bool keys);
  Outcome<etcdserverpb::LeaseLeasesResponse> leases();
  Outcome<etcdserverpb::LeaseKeepAliveResponse> keep_alive_once(int64_t id);

 private:
  std::unique_ptr<grpc::ClientContext> context_with_deadline() const;

  ClientTimeouts timeouts_;
  std::unique_ptr<etcdserverpb::Lease::Stub> stub_;
};

}  // namespace synod::ctl
