// synod-bench's flags: defaults, each flag reaching its field, and one line plus exit code 2 for
// every kind of bad command line.
#include "bench/bench_options.h"

#include <gtest/gtest.h>

namespace synod::bench {
namespace {

ParsedOptions parse(std::vector<std::string> args) { return parse_bench_options(args); }

void expect_refused(std::vector<std::string> args, const std::string& message_part) {
  const ParsedOptions parsed = parse(args);
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.message.find(message_part), std::string::npos) << parsed.message;
  EXPECT_EQ(parsed.message.find('\n'), std::string::npos) << "one line: " << parsed.message;
}

TEST(BenchOptions, DefaultsNeedOnlyAWorkload) {
  const ParsedOptions parsed = parse({"put"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  const BenchOptions& options = *parsed.options;
  EXPECT_EQ(options.workload, Workload::kPut);
  EXPECT_EQ(options.endpoints, std::vector<std::string>{"127.0.0.1:2379"});
  EXPECT_EQ(options.conns, 1);
  EXPECT_EQ(options.clients, 1);
  EXPECT_EQ(options.total_ops, 10000u);
  EXPECT_FALSE(options.duration.has_value());
  EXPECT_TRUE(options.linearizable);
  EXPECT_FALSE(options.json);
  EXPECT_FALSE(options.sequential_keys);
}

TEST(BenchOptions, EveryFlagReachesItsField) {
  const ParsedOptions parsed =
      parse({"mixed", "--endpoints", "a:1,b:2", "--conns", "4", "--clients", "100", "--duration",
             "2.5", "--key-size", "16", "--val-size", "256", "--key-space-size", "100000",
             "--rate", "500", "--consistency", "s", "--read-ratio", "0.9", "--json",
             "--sequential-keys"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  const BenchOptions& options = *parsed.options;
  EXPECT_EQ(options.workload, Workload::kMixed);
  EXPECT_EQ(options.endpoints, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(options.conns, 4);
  EXPECT_EQ(options.clients, 100);
  EXPECT_FALSE(options.total_ops.has_value());
  EXPECT_EQ(options.duration, std::chrono::milliseconds(2500));
  EXPECT_EQ(options.key_size, 16);
  EXPECT_EQ(options.value_size, 256);
  EXPECT_EQ(options.key_space_size, 100000u);
  EXPECT_EQ(options.rate_ops_per_second, 500);
  EXPECT_FALSE(options.linearizable);
  EXPECT_DOUBLE_EQ(options.read_ratio, 0.9);
  EXPECT_TRUE(options.json);
  EXPECT_TRUE(options.sequential_keys);
}

TEST(BenchOptions, WorkloadNamesRoundTrip) {
  for (const char* name :
       {"put", "range", "txn-put", "mixed", "watch-latency", "lease-keepalive"}) {
    std::vector<std::string> args{name};
    if (std::string(name) == "watch-latency") args.push_back("--val-size=32");
    const ParsedOptions parsed = parse(args);
    ASSERT_TRUE(parsed.options.has_value()) << name << ": " << parsed.message;
    EXPECT_STREQ(workload_name(parsed.options->workload), name);
  }
}

TEST(BenchOptions, HelpExitsZeroWithTheUsage) {
  const ParsedOptions parsed = parse({"--help"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_NE(parsed.message.find("--key-space-size"), std::string::npos);
}

TEST(BenchOptions, BadCommandLinesGiveOneLineAndExitTwo) {
  expect_refused({}, "workload");
  expect_refused({"frob"}, "unknown workload 'frob'");
  expect_refused({"put", "--bogus"}, "--bogus");
  expect_refused({"put", "--clients", "many"}, "--clients");
  expect_refused({"put", "--total", "10", "--duration", "1"}, "excludes");
  expect_refused({"put", "--total", "0"}, "--total");
  expect_refused({"put", "--duration", "0"}, "--duration");
  expect_refused({"put", "--conns", "0"}, "--conns");
  expect_refused({"put", "--clients", "0"}, "--clients");
  expect_refused({"put", "--key-size", "0"}, "--key-size");
  expect_refused({"put", "--val-size", "-1"}, "--val-size");
  expect_refused({"put", "--key-space-size", "0"}, "--key-space-size");
  expect_refused({"put", "--key-size", "3", "--key-space-size", "1001"}, "too small");
  expect_refused({"put", "--rate", "-5"}, "--rate");
  expect_refused({"range", "--consistency", "x"}, "--consistency");
  expect_refused({"mixed", "--read-ratio", "1.5"}, "--read-ratio");
  expect_refused({"watch-latency", "--watchers", "0", "--val-size", "32"}, "--watchers");
  expect_refused({"watch-latency"}, "--val-size");
  expect_refused({"lease-keepalive", "--lease-ttl", "0"}, "--lease-ttl");
  expect_refused({"put", "--endpoints", ""}, "--endpoints");
  expect_refused({"put", "--endpoints", "a:1,https://b:2"}, "TLS endpoints are not supported");
}

TEST(BenchOptions, KeysArePaddedDecimalIndicesOfTheKeySize) {
  EXPECT_EQ(key_for_index(0, 4), "0000");
  EXPECT_EQ(key_for_index(42, 6), "000042");
  EXPECT_EQ(key_for_index(99999, 5), "99999");
  // Padding keeps byte order equal to numeric order within one key space.
  EXPECT_LT(key_for_index(9, 3), key_for_index(10, 3));
}

}  // namespace
}  // namespace synod::bench
