#pragma once
// A closed-loop client over gRPC's callback API: one request in flight, the next one sent from
// the previous one's completion (after a grpc::Alarm when --rate says it is not due yet). Many
// such clients share gRPC's few threads, so 1,000 clients are not 1,000 threads.
#include <grpcpp/alarm.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <functional>
#include <memory>
#include <random>

#include "bench/run_control.h"

namespace synod::bench {

class UnaryClient {
 public:
  UnaryClient(RunControl& control, uint64_t seed) : control_(control), random_(seed) {}
  virtual ~UnaryClient() = default;

  // Claims and sends operations until the run is over, then calls control.client_finished().
  void start() { send_next(); }
  const ClientStats& stats() const { return stats_; }

 protected:
  using Done = std::function<void(grpc::Status)>;
  // Sends one operation; done(status) is called once it completes. A successful response of a
  // notable kind (a lost compare-and-swap) may be counted with report_outcome before done.
  virtual void send(grpc::ClientContext* context, Done done) = 0;
  void report_outcome(const std::string& kind) { outcome_ = kind; }
  uint64_t random_below(uint64_t bound) { return std::uniform_int_distribution<uint64_t>(0, bound - 1)(random_); }
  // The run-wide number of the operation being sent (from 0).
  uint64_t operation_index() const { return operation_index_; }
  double random_fraction() { return std::uniform_real_distribution<double>(0, 1)(random_); }

 private:
  void send_next();
  void send_now();
  void finish(const grpc::Status& status);

  RunControl& control_;
  std::mt19937_64 random_;
  ClientStats stats_;
  std::unique_ptr<grpc::ClientContext> context_;
  grpc::Alarm alarm_;
  Clock::time_point sent_at_;
  std::string outcome_;
  uint64_t operation_index_ = 0;
};

// The clients of the unary workloads (put, range, txn-put, mixed), one per --clients.
std::unique_ptr<UnaryClient> make_unary_client(const BenchOptions& options,
                                               const std::shared_ptr<grpc::Channel>& channel,
                                               RunControl& control, uint64_t seed);

}  // namespace synod::bench
