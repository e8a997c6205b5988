#pragma once
// The result of a run, as text for people or one JSON object (--json) for scripts.
#include <string>

#include "bench/bench_options.h"
#include "bench/run_control.h"

namespace synod::bench {

struct RunResult {
  Workload workload = Workload::kPut;
  double elapsed_seconds = 0;
  // Operations sent and answered (succeeded or failed); ops/s counts these.
  uint64_t operations = 0;
  // Latency of the successful operations (watch-latency: put-to-event, one per watcher).
  ClientStats stats;
  std::string latency_meaning;
};

std::string format_text(const RunResult& result);
std::string format_json(const RunResult& result);

}  // namespace synod::bench
