// Channels, clients and the unary workloads' run.
#include "bench/runner.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "bench/unary_client.h"
#include "ctl/etcd_client.h"

namespace synod::bench {
namespace {

RunResult run_unary(const BenchOptions& options,
                    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                    const ProgressFn& progress) {
  RunControl control(options, options.clients);
  std::vector<std::unique_ptr<UnaryClient>> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.push_back(make_unary_client(options, channels[static_cast<size_t>(i) % channels.size()],
                                        control, static_cast<uint64_t>(i) + 1));
  }
  control.start();
  for (auto& client : clients) client->start();
  control.wait_for_clients(progress);

  RunResult result;
  result.workload = options.workload;
  result.elapsed_seconds = control.elapsed_seconds();
  result.operations = control.completed();
  result.latency_meaning = "request to response";
  for (const auto& client : clients) result.stats.merge(client->stats());
  return result;
}

}  // namespace

std::vector<std::shared_ptr<grpc::Channel>> open_channels(const BenchOptions& options) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < options.conns; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection per channel
    arguments.SetMaxReceiveMessageSize(-1);
    const std::string& endpoint = options.endpoints[static_cast<size_t>(i) % options.endpoints.size()];
    // parse_bench_options checked every endpoint, so the target is there.
    channels.push_back(grpc::CreateCustomChannel(ctl::grpc_target(endpoint).value(),
                                                 grpc::InsecureChannelCredentials(), arguments));
  }
  return channels;
}

RunResult run_workload(const BenchOptions& options, const ProgressFn& progress) {
  const auto channels = open_channels(options);
  switch (options.workload) {
    case Workload::kWatchLatency: return run_watch_latency(options, channels, progress);
    case Workload::kLeaseKeepAlive: return run_lease_keepalive(options, channels, progress);
    default: return run_unary(options, channels, progress);
  }
}

}  // namespace synod::bench
