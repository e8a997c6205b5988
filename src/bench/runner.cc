// Channels, clients and the unary workloads' run.
#include "bench/runner.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <thread>

#include "bench/completion_queue_threads.h"
#include "bench/kv_clients.h"
#include "ctl/etcd_client.h"

namespace synod::bench {
namespace {

// One completion queue and thread per core, at most one per connection: on 2 cores one thread
// cost as much CPU per operation as two but left the members less batching (fewer operations
// per wake-up), and a thread per connection cost more.
int completion_queue_count(size_t connections) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::min<size_t>(cores, connections));
}

RunResult run_unary(const BenchOptions& options,
                    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                    const ProgressFn& progress) {
  RunControl control(options, options.clients);
  CompletionQueueThreads queues(completion_queue_count(channels.size()));
  std::vector<ClientStats> stats_per_queue(queues.size());
  std::vector<std::unique_ptr<UnaryClient>> clients;
  for (int i = 0; i < options.clients; ++i) {
    // A connection's clients share its queue; the connections take the queues in turn.
    const size_t channel = static_cast<size_t>(i) % channels.size();
    const size_t queue = channel % queues.size();
    clients.push_back(make_unary_client(options, channels[channel], queues.queue(queue),
                                        stats_per_queue[queue], control,
                                        static_cast<uint64_t>(i) + 1));
  }
  control.start();
  // The first requests go out before the threads start, so that each client is touched by one
  // thread at a time.
  for (auto& client : clients) client->start();
  queues.start();
  control.wait_for_clients(progress);
  queues.stop();

  RunResult result;
  result.workload = options.workload;
  result.elapsed_seconds = control.elapsed_seconds();
  result.operations = control.completed();
  result.latency_meaning = "request to response";
  for (const ClientStats& stats : stats_per_queue) result.stats.merge(stats);
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
    // Without a retry policy gRPC retries only a request that never reached the wire, yet its
    // retry filter copies every request's metadata and message (~1.5 us per call here). The
    // bench reports such a request as an error instead.
    arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
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
