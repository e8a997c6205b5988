#pragma once
// EtcdApiServer: etcd 3.4's v3 gRPC API (KV, Watch, Lease, Maintenance, Cluster, and the v3lock
// and v3election services) over a server::Node, on plain
// (insecure) HTTP/2 like etcd's default http:// client URLs, so that etcdctl and etcd's client
// libraries talk to Synod unchanged.
//
// Limits as etcd sets them: a received message may be max_request_bytes plus 512 KiB of gRPC
// overhead (the node refuses a command above max_request_bytes with "request is too large");
// sent messages are unbounded up to 2 GiB. Keepalive pings closer than 5 s apart are refused as
// etcd's server refuses them.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace grpc {
class Server;
}
namespace synod::server {
class Node;
}

namespace synod::api::etcd {

class KvService;
class LeaseService;
class MaintenanceService;
class WatchService;
class ClusterService;
class LockService;
class ElectionService;

struct ApiServerOptions {
  std::vector<std::string> listen_addresses;  // "127.0.0.1:2379"; port 0 picks a free one
  uint64_t max_request_bytes = 1536 * 1024;   // grpc max receive = this + 512 KiB, as etcd
  size_t watch_max_queued_responses = 1024;   // per watch stream (watch_service.h)
};

class EtcdApiServer {
 public:
  // `node` must outlive the server.
  EtcdApiServer(server::Node& node, ApiServerOptions options);
  ~EtcdApiServer();  // stop()
  EtcdApiServer(const EtcdApiServer&) = delete;
  EtcdApiServer& operator=(const EtcdApiServer&) = delete;

  // Binds every address; an error names the address that failed. Once only.
  Status start();
  // In listen_addresses order, after start().
  const std::vector<int>& bound_ports() const { return bound_ports_; }
  // Refuses new calls, lets running ones finish for up to kStopGrace, then cancels the rest
  // (the node's late answers to them are dropped). Idempotent.
  void stop();

  static constexpr int kStopGraceMilliseconds = 2000;

 private:
  server::Node& node_;
  ApiServerOptions options_;
  // Invariant: the services outlive server_ (declared first, destroyed last).
  std::unique_ptr<KvService> kv_service_;
  std::unique_ptr<MaintenanceService> maintenance_service_;
  std::unique_ptr<WatchService> watch_service_;
  std::unique_ptr<LeaseService> lease_service_;
  std::unique_ptr<ClusterService> cluster_service_;
  std::unique_ptr<LockService> lock_service_;          // v3lock
  std::unique_ptr<ElectionService> election_service_;  // v3election
  std::unique_ptr<grpc::Server> server_;
  std::vector<int> bound_ports_;
  bool started_ = false;
};

}  // namespace synod::api::etcd
