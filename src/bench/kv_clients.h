#pragma once
// The clients of the unary workloads (put, range, txn-put, mixed), one per --clients.
#include <grpcpp/channel.h>
#include <grpcpp/completion_queue.h>

#include <memory>

#include "bench/unary_client.h"

namespace synod::bench {

// A client of options.workload sending over channel, its events on queue, its results into
// stats (shared by the clients of queue).
std::unique_ptr<UnaryClient> make_unary_client(const BenchOptions& options,
                                               const std::shared_ptr<grpc::Channel>& channel,
                                               grpc::CompletionQueue* queue, ClientStats& stats,
                                               RunControl& control, uint64_t seed);

}  // namespace synod::bench
