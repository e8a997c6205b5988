// Pacing and termination shared by the clients of one run.
#include "bench/run_control.h"

#include "ctl/grpc_error_text.h"

namespace synod::bench {

void ClientStats::record_error(const grpc::Status& status) {
  record_error(std::string(ctl::grpc_code_name(status.error_code())) + ": " +
               status.error_message());
}

void ClientStats::merge(const ClientStats& other) {
  latency_ns.merge(other.latency_ns);
  succeeded += other.succeeded;
  for (const auto& [kind, count] : other.errors) errors[kind] += count;
  for (const auto& [kind, count] : other.outcomes) outcomes[kind] += count;
}

uint64_t ClientStats::error_count() const {
  uint64_t total = 0;
  for (const auto& [kind, count] : errors) total += count;
  return total;
}

RunControl::RunControl(const BenchOptions& options, int clients)
    : total_ops_(options.total_ops),
      duration_(options.duration),
      rate_ops_per_second_(options.rate_ops_per_second),
      running_clients_(clients) {}

void RunControl::start() { start_ = Clock::now(); }

std::optional<Claim> RunControl::claim_next() {
  const Clock::time_point now = Clock::now();
  if (duration_ && now - start_ >= *duration_) return std::nullopt;
  const uint64_t index = claimed_.fetch_add(1, std::memory_order_relaxed);
  if (total_ops_ && index >= *total_ops_) return std::nullopt;
  if (rate_ops_per_second_ <= 0) return Claim{index, now};
  // Operation i is due at i / rate after the start, whichever client sends it.
  const auto due = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                static_cast<double>(index) / rate_ops_per_second_));
  return Claim{index, std::max(due, now)};
}

void RunControl::client_finished() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--running_clients_ == 0) {
    end_ = Clock::now();
    all_finished_.notify_all();
  }
}

void RunControl::wait_for_clients(const std::function<void(uint64_t, double)>& progress) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (running_clients_ > 0) {
    if (!all_finished_.wait_for(lock, std::chrono::seconds(1), [&] { return running_clients_ == 0; })) {
      progress(completed(), std::chrono::duration<double>(Clock::now() - start_).count());
    }
  }
}

double RunControl::elapsed_seconds() const {
  return std::chrono::duration<double>(end_ - start_).count();
}

}  // namespace synod::bench
