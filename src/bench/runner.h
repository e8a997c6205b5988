#pragma once
// Runs one workload to completion over --conns gRPC channels and gathers the results.
#include <functional>
#include <memory>
#include <vector>

#include <grpcpp/channel.h>

#include "bench/bench_options.h"
#include "bench/report.h"

namespace synod::bench {

// Called about once a second while a run lasts: operations finished, seconds elapsed.
using ProgressFn = std::function<void(uint64_t, double)>;

// One channel per --conns, the endpoints taken in turn; each its own TCP connection.
std::vector<std::shared_ptr<grpc::Channel>> open_channels(const BenchOptions& options);

RunResult run_workload(const BenchOptions& options, const ProgressFn& progress);

// The streaming workloads (watch_latency.cc, lease_keepalive.cc).
RunResult run_watch_latency(const BenchOptions& options,
                            const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                            const ProgressFn& progress);
RunResult run_lease_keepalive(const BenchOptions& options,
                              const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                              const ProgressFn& progress);

}  // namespace synod::bench
