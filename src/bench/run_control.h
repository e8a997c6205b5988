#pragma once
// What every client of one run shares: which operation comes next and when (the --total or
// --duration bound and the --rate pacing), how many finished, and when the last client stopped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "bench/bench_options.h"
#include "bench/histogram.h"

#include <grpcpp/support/status.h>

namespace synod::bench {

using Clock = std::chrono::steady_clock;

// The results of one client, or of the clients served by one thread; one thread at a time
// touches it while the run lasts.
struct ClientStats {
  LatencyHistogram latency_ns;
  uint64_t succeeded = 0;
  // "CODE: message" -> count
  std::map<std::string, uint64_t> errors;
  // Successful operations of a notable kind (txn-put: "cas-conflict") -> count.
  std::map<std::string, uint64_t> outcomes;

  void record_error(const grpc::Status& status);
  void record_error(const std::string& kind) { ++errors[kind]; }
  void merge(const ClientStats& other);
  uint64_t error_count() const;
};

// An operation claimed by a client: its number in the run (from 0) and when to send it.
struct Claim {
  uint64_t index = 0;
  Clock::time_point due;
};

class RunControl {
 public:
  RunControl(const BenchOptions& options, int clients);

  // Starts the clock (and the --duration deadline) now.
  void start();
  // Claims the next operation, due now when there is no --rate; nothing when the run is over.
  std::optional<Claim> claim_next();
  void operation_done() { completed_.fetch_add(1, std::memory_order_relaxed); }
  // A client that claimed nothing calls this once; the last one wakes wait_for_clients.
  void client_finished();
  // Blocks until every client finished; calls progress(completed, elapsed) about once a second.
  void wait_for_clients(const std::function<void(uint64_t, double)>& progress);

  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  double elapsed_seconds() const;

 private:
  const std::optional<uint64_t> total_ops_;
  const std::optional<std::chrono::milliseconds> duration_;
  const double rate_ops_per_second_;
  Clock::time_point start_;
  Clock::time_point end_;  // when the last client finished
  std::atomic<uint64_t> claimed_{0};
  std::atomic<uint64_t> completed_{0};
  std::mutex mutex_;
  std::condition_variable all_finished_;
  int running_clients_;  // guarded by mutex_
};

}  // namespace synod::bench
