// Command-line parsing and validation of synod-bench (CLI11 for the syntax, checks here for the
// meaning), so that a bad flag costs one line and exit code 2 before any connection is made.
#include "bench/bench_options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>

#include "ctl/etcd_client.h"

namespace synod::bench {
namespace {

// Limits that keep one benchmark process sane; etcd's own request limit is 1.5 MiB.
constexpr int kMaxConns = 1000;
constexpr int kMaxClients = 100000;
constexpr int kMaxKeySize = 1024 * 1024;
constexpr int kMaxValueSize = 1024 * 1024;
constexpr int kMaxWatchers = 100000;

const std::map<std::string, Workload>& workloads_by_name() {
  static const std::map<std::string, Workload> by_name = {
      {"put", Workload::kPut},
      {"range", Workload::kRange},
      {"txn-put", Workload::kTxnPut},
      {"mixed", Workload::kMixed},
      {"watch-latency", Workload::kWatchLatency},
      {"lease-keepalive", Workload::kLeaseKeepAlive},
  };
  return by_name;
}

int decimal_digits(uint64_t value) {
  int digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

// The first thing wrong with the options, or an empty string.
std::string validation_error(const BenchOptions& options, const std::string& consistency) {
  if (options.endpoints.empty()) return "--endpoints must name at least one endpoint";
  for (const std::string& endpoint : options.endpoints) {
    const ctl::Outcome<std::string> target = ctl::grpc_target(endpoint);
    if (!target.ok()) return "--endpoints: " + target.error().message;
  }
  if (options.conns < 1 || options.conns > kMaxConns)
    return "--conns must be in [1, " + std::to_string(kMaxConns) + "]";
  if (options.clients < 1 || options.clients > kMaxClients)
    return "--clients must be in [1, " + std::to_string(kMaxClients) + "]";
  if (options.total_ops && *options.total_ops == 0) return "--total must be at least 1";
  if (options.duration && options.duration->count() <= 0) return "--duration must be positive";
  if (options.key_size < 1 || options.key_size > kMaxKeySize)
    return "--key-size must be in [1, " + std::to_string(kMaxKeySize) + "]";
  if (options.value_size < 0 || options.value_size > kMaxValueSize)
    return "--val-size must be in [0, " + std::to_string(kMaxValueSize) + "]";
  if (options.key_space_size < 1) return "--key-space-size must be at least 1";
  if (decimal_digits(options.key_space_size - 1) > options.key_size)
    return "--key-size " + std::to_string(options.key_size) + " is too small for " +
           std::to_string(options.key_space_size) + " keys";
  if (!(options.rate_ops_per_second >= 0)) return "--rate must be 0 or more";
  if (consistency != "l" && consistency != "s")
    return "--consistency must be l (linearizable) or s (serializable)";
  if (!(options.read_ratio >= 0 && options.read_ratio <= 1)) return "--read-ratio must be in [0, 1]";
  if (options.watchers < 1 || options.watchers > kMaxWatchers)
    return "--watchers must be in [1, " + std::to_string(kMaxWatchers) + "]";
  if (options.lease_ttl_seconds < 1) return "--lease-ttl must be at least 1";
  if (options.workload == Workload::kWatchLatency && options.value_size < 20)
    return "watch-latency needs --val-size of at least 20 (the value carries the send time)";
  return "";
}

}  // namespace

const char* workload_name(Workload workload) {
  for (const auto& [name, value] : workloads_by_name()) {
    if (value == workload) return name.c_str();
  }
  return "?";
}

std::string key_for_index(uint64_t index, int key_size) {
  std::string digits = std::to_string(index);
  if (static_cast<int>(digits.size()) >= key_size) return digits;
  return std::string(static_cast<size_t>(key_size) - digits.size(), '0') + digits;
}

ParsedOptions parse_bench_options(const std::vector<std::string>& args) {
  BenchOptions options;
  std::string workload;
  std::string consistency = "l";
  uint64_t total_ops = 0;
  double duration_seconds = 0;

  CLI::App app{"synod-bench: load generator for etcd's v3 gRPC API (etcd and Synod alike)",
               "synod-bench"};
  app.add_option("workload", workload,
                 "put | range | txn-put | mixed | watch-latency | lease-keepalive")
      ->required();
  app.add_option("--endpoints", options.endpoints, "host:port list, comma separated")
      ->delimiter(',');
  app.add_option("--conns", options.conns, "gRPC connections");
  app.add_option("--clients", options.clients, "requests in flight at once");
  auto* total = app.add_option("--total", total_ops, "operations to run");
  auto* duration = app.add_option("--duration", duration_seconds, "seconds to run");
  total->excludes(duration);
  app.add_option("--key-size", options.key_size, "key length in bytes");
  app.add_option("--val-size", options.value_size, "value length in bytes");
  app.add_option("--key-space-size", options.key_space_size, "distinct keys written or read");
  app.add_flag("--sequential-keys", options.sequential_keys,
               "operation i uses key i (mod the key space) instead of a random key");
  app.add_option("--rate", options.rate_ops_per_second, "target ops/s over all clients; 0: open");
  app.add_option("--consistency", consistency, "range: l (linearizable) or s (serializable)");
  app.add_option("--read-ratio", options.read_ratio, "mixed: share of ranges, in [0, 1]");
  app.add_option("--watchers", options.watchers, "watch-latency: watch streams");
  app.add_option("--lease-ttl", options.lease_ttl_seconds, "lease-keepalive: lease TTL seconds");
  app.add_flag("--json", options.json, "print one JSON object instead of text");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& error) {
    std::string line = error.what();
    std::replace(line.begin(), line.end(), '\n', ' ');
    return {std::nullopt, 2, line};
  }
  const auto found = workloads_by_name().find(workload);
  if (found == workloads_by_name().end()) {
    return {std::nullopt, 2, "unknown workload '" + workload + "' (" +
                                 "put, range, txn-put, mixed, watch-latency, lease-keepalive)"};
  }
  options.workload = found->second;
  options.linearizable = consistency == "l";
  if (total->count() > 0) options.total_ops = total_ops;
  if (duration->count() > 0) {
    if (!(duration_seconds > 0)) return {std::nullopt, 2, "--duration must be positive"};
    options.duration = std::chrono::milliseconds(static_cast<int64_t>(duration_seconds * 1000));
  }
  if (!options.total_ops && !options.duration) options.total_ops = 10000;
  const std::string error = validation_error(options, consistency);
  if (!error.empty()) return {std::nullopt, 2, error};
  return {options, 0, ""};
}

}  // namespace synod::bench
