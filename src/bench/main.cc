// synod-bench: drives etcd's v3 gRPC API (etcd or Synod) with one workload; see docs/bench.md.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "api/etcd/grpc_runtime.h"
#include "bench/bench_options.h"
#include "bench/report.h"
#include "bench/runner.h"

int main(int argc, char** argv) {
  using namespace synod::bench;
  synod::api::etcd::configure_grpc_runtime();
  const ParsedOptions parsed = parse_bench_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    if (parsed.exit_code == 0) {
      std::cout << parsed.message;
    } else {
      std::cerr << "synod-bench: " << parsed.message << "\n";
    }
    return parsed.exit_code;
  }
  const BenchOptions& options = *parsed.options;
  const bool show_progress = isatty(STDERR_FILENO) == 1;
  const RunResult result = run_workload(options, [&](uint64_t done, double seconds) {
    if (!show_progress) return;
    std::fprintf(stderr, "\r%s: %llu ops, %.0f s, %.0f ops/s   ", workload_name(options.workload),
                 static_cast<unsigned long long>(done), seconds,
                 seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
    std::fflush(stderr);
  });
  if (show_progress) std::fprintf(stderr, "\r\033[K");
  std::cout << (options.json ? format_json(result) : format_text(result));
  return 0;
}
