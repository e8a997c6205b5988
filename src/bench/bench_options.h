#pragma once
// synod-bench's command line: a workload and its flags, validated before anything connects.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace synod::bench {

enum class Workload { kPut, kRange, kTxnPut, kMixed, kWatchLatency, kLeaseKeepAlive };

const char* workload_name(Workload workload);

struct BenchOptions {
  Workload workload = Workload::kPut;
  std::vector<std::string> endpoints{"127.0.0.1:2379"};
  int conns = 1;      // gRPC channels (TCP connections), spread over the endpoints
  int clients = 1;    // requests in flight at once, spread over the connections
  // Exactly one of total_ops and duration bounds the run.
  std::optional<uint64_t> total_ops;
  std::optional<std::chrono::milliseconds> duration;
  int key_size = 8;
  int value_size = 8;
  uint64_t key_space_size = 1;
  bool sequential_keys = false;    // operation i uses key i mod key_space_size (a bulk load)
  double rate_ops_per_second = 0;  // 0: as fast as the clients go
  bool linearizable = true;        // range --consistency l (true) or s
  double read_ratio = 0.5;         // mixed: share of ranges
  int watchers = 1;                // watch-latency: watch streams on the written key
  int64_t lease_ttl_seconds = 60;  // lease-keepalive
  bool json = false;
};

struct ParsedOptions {
  std::optional<BenchOptions> options;  // empty when the run should not happen
  int exit_code = 0;                    // 0 with --help, 2 for a bad command line
  std::string message;                  // --help text, or one line naming what is wrong
};

// args excludes the program name.
ParsedOptions parse_bench_options(const std::vector<std::string>& args);

// The key for index i of the key space: the decimal index, left-padded with '0' to key_size.
std::string key_for_index(uint64_t index, int key_size);

}  // namespace synod::bench
