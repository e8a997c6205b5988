// Text and JSON renderings of a RunResult.
#include "bench/report.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace synod::bench {
namespace {

struct Quantile {
  const char* name;
  double value;
};
constexpr Quantile kQuantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};

double milliseconds(uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e6; }

double ops_per_second(const RunResult& result) {
  return result.elapsed_seconds > 0 ? static_cast<double>(result.operations) / result.elapsed_seconds
                                    : 0.0;
}

}  // namespace

std::string format_text(const RunResult& result) {
  const LatencyHistogram& latency = result.stats.latency_ns;
  char line[512];
  std::string text;
  std::snprintf(line, sizeof line, "%s: %llu ops in %.3f s: %.1f ops/s (%llu succeeded, %llu failed)\n",
                workload_name(result.workload), static_cast<unsigned long long>(result.operations),
                result.elapsed_seconds, ops_per_second(result),
                static_cast<unsigned long long>(result.stats.succeeded),
                static_cast<unsigned long long>(result.stats.error_count()));
  text += line;
  std::snprintf(line, sizeof line, "latency (ms, %s): min %.3f", result.latency_meaning.c_str(),
                milliseconds(latency.min()));
  text += line;
  for (const Quantile& q : kQuantiles) {
    std::snprintf(line, sizeof line, "  %s %.3f", q.name,
                  milliseconds(latency.value_at_quantile(q.value)));
    text += line;
  }
  std::snprintf(line, sizeof line, "  max %.3f  mean %.3f  (%llu samples)\n",
                milliseconds(latency.max()), latency.mean() / 1e6,
                static_cast<unsigned long long>(latency.count()));
  text += line;
  for (const auto& [kind, count] : result.stats.outcomes) {
    text += "outcome x" + std::to_string(count) + ": " + kind + "\n";
  }
  if (result.stats.errors.empty()) text += "errors: none\n";
  for (const auto& [kind, count] : result.stats.errors) {
    text += "error x" + std::to_string(count) + ": " + kind + "\n";
  }
  return text;
}

std::string format_json(const RunResult& result) {
  const LatencyHistogram& latency = result.stats.latency_ns;
  nlohmann::json latency_ms = {{"min", milliseconds(latency.min())},
                               {"max", milliseconds(latency.max())},
                               {"mean", latency.mean() / 1e6},
                               {"samples", latency.count()},
                               {"meaning", result.latency_meaning}};
  for (const Quantile& q : kQuantiles) {
    latency_ms[q.name] = milliseconds(latency.value_at_quantile(q.value));
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& [kind, count] : result.stats.errors) {
    errors.push_back({{"kind", kind}, {"count", count}});
  }
  const nlohmann::json out = {{"workload", workload_name(result.workload)},
                              {"operations", result.operations},
                              {"succeeded", result.stats.succeeded},
                              {"failed", result.stats.error_count()},
                              {"elapsed_seconds", result.elapsed_seconds},
                              {"ops_per_second", ops_per_second(result)},
                              {"latency_ms", latency_ms},
                              {"errors", errors},
                              {"outcomes", result.stats.outcomes}};
  return out.dump() + "\n";
}

}  // namespace synod::bench
