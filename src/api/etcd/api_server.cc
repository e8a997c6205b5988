#include "api/etcd/api_server.h"

#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <climits>
#include <utility>

#include "api/etcd/cluster_service.h"
#include "api/etcd/election_service.h"
#include "api/etcd/kv_service.h"
#include "api/etcd/lease_service.h"
#include "api/etcd/lock_service.h"
#include "api/etcd/grpc_limits.h"
#include "api/etcd/maintenance_service.h"
#include "api/etcd/watch_service.h"

namespace synod::api::etcd {
namespace {

// etcd's server keepalive enforcement (GRPCKeepAliveMinTime): pings closer than this are abuse.
constexpr int kMinClientPingIntervalMilliseconds = 5000;

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

}  // namespace

EtcdApiServer::EtcdApiServer(server::Node& node, ApiServerOptions options)
    : node_(node), options_(std::move(options)) {}

EtcdApiServer::~EtcdApiServer() { stop(); }

Status EtcdApiServer::start() {
  if (started_) return invalid("etcd API server: start() called twice");
  if (options_.listen_addresses.empty()) return invalid("etcd API server: no listen address");
  if (options_.max_request_bytes == 0 ||
      options_.max_request_bytes > static_cast<uint64_t>(INT_MAX) - kGrpcOverheadBytes) {
    return invalid("etcd API server: max_request_bytes must be in [1, 2 GiB - 512 KiB], not " +
                   std::to_string(options_.max_request_bytes));
  }
  started_ = true;

  kv_service_ = std::make_unique<KvService>(node_);
  maintenance_service_ = std::make_unique<MaintenanceService>(node_);
  watch_service_ = std::make_unique<WatchService>(
      node_, WatchServiceOptions{options_.max_request_bytes, options_.watch_max_queued_responses});
  lease_service_ = std::make_unique<LeaseService>(node_);
  cluster_service_ = std::make_unique<ClusterService>(node_);
  lock_service_ = std::make_unique<LockService>(node_);
  election_service_ = std::make_unique<ElectionService>(node_);
  grpc::ServerBuilder builder;
  std::vector<int> ports(options_.listen_addresses.size(), 0);
  for (size_t i = 0; i < options_.listen_addresses.size(); ++i) {
    builder.AddListeningPort(options_.listen_addresses[i], grpc::InsecureServerCredentials(),
                             &ports[i]);
  }
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(options_.max_request_bytes + kGrpcOverheadBytes));
  builder.SetMaxSendMessageSize(INT_MAX);
  // gRPC sets SO_REUSEPORT by default, which would let two servers share a port silently; etcd
  // fails to start on a port in use, and so do we.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinClientPingIntervalMilliseconds);
  builder.RegisterService(kv_service_.get());
  builder.RegisterService(maintenance_service_.get());
  builder.RegisterService(watch_service_.get());
  builder.RegisterService(lease_service_.get());
  builder.RegisterService(cluster_service_.get());
  builder.RegisterService(lock_service_.get());
  builder.RegisterService(election_service_.get());

  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    // gRPC binds in order and stops at the first failure, whose port stays 0.
    for (size_t i = 0; i < ports.size(); ++i) {
      if (ports[i] == 0) {
        return Status(StatusCode::kUnavailable,
                      "etcd API server: cannot listen on " + options_.listen_addresses[i] +
                          " (address in use, not local, or malformed)");
      }
    }
    return Status(StatusCode::kUnavailable, "etcd API server: gRPC failed to start");
  }
  bound_ports_ = std::move(ports);
  return Status::Ok();
}

void EtcdApiServer::stop() {
  if (server_ == nullptr) return;
  // Watch streams never end by themselves: end them first, so the grace period is not spent.
  watch_service_->stop();
  // Calls still running at the deadline are cancelled; UnaryCall finishes them on cancel, so
  // Shutdown returns without waiting for the node.
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(kStopGraceMilliseconds));
  server_.reset();
}

}  // namespace synod::api::etcd
