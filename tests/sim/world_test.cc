// Whole worlds with the Raft engine: same seed ⇒ bit-identical run.
#include <gtest/gtest.h>

#include <sstream>

#include "sim/faults.h"
#include "sim/runner.h"
#include "sim/world.h"

namespace synod::sim {
namespace {

WorldOptions options_with_all_faults() {
  WorldOptions options;
  options.engine = "raft";
  options.nodes = 5;
  options.faults = kFaultAll;
  options.safety_ticks = 800;
  return options;
}

TEST(World, SameSeedGivesTheSameDigest) {
  const WorldOptions options = options_with_all_faults();
  for (uint64_t seed : {3u, 11u}) {
    const WorldResult first = run_world(options, seed);
    const WorldResult second = run_world(options, seed);
    EXPECT_EQ(first.digest, second.digest) << "seed " << seed;
    EXPECT_EQ(first.events, second.events);
    EXPECT_EQ(first.operations, second.operations);
    EXPECT_GT(first.operations, 0u);
  }
  EXPECT_NE(run_world(options, 3).digest, run_world(options, 4).digest);
}

TEST(World, TracingDoesNotChangeTheRun) {
  WorldOptions options = options_with_all_faults();
  const WorldResult quiet = run_world(options, 5);
  std::ostringstream trace;
  options.trace = &trace;
  const WorldResult traced = run_world(options, 5);
  EXPECT_EQ(quiet.digest, traced.digest);
  EXPECT_NE(trace.str().find(" deliver n"), std::string::npos);
  EXPECT_NE(trace.str().find(" role n"), std::string::npos);
  EXPECT_NE(trace.str().find(" client {"), std::string::npos);
}

TEST(Faults, ParseNamesAndLists) {
  uint32_t faults = 0;
  std::string error;
  ASSERT_TRUE(parse_faults("all", faults, error));
  EXPECT_EQ(faults, kFaultAll);
  ASSERT_TRUE(parse_faults("crash,torn", faults, error));
  EXPECT_EQ(faults, kFaultCrash | kFaultTorn);
  EXPECT_EQ(faults_name(faults), "crash,torn");
  ASSERT_TRUE(parse_faults("none", faults, error));
  EXPECT_EQ(faults, 0u);
  EXPECT_FALSE(parse_faults("crash,meteor", faults, error));
  EXPECT_NE(error.find("meteor"), std::string::npos);
  uint32_t mutants = 0;
  ASSERT_TRUE(parse_mutants("stale-read", mutants, error));
  EXPECT_EQ(mutants, static_cast<uint32_t>(consensus::kMutantStaleRead));
}

TEST(Runner, SeedRanges) {
  uint64_t first = 0, last = 0;
  ASSERT_TRUE(parse_seed_range("0-499", first, last));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(last, 499u);
  ASSERT_TRUE(parse_seed_range("17", first, last));
  EXPECT_EQ(first, 17u);
  EXPECT_EQ(last, 17u);
  EXPECT_FALSE(parse_seed_range("9-3", first, last));
  EXPECT_FALSE(parse_seed_range("x", first, last));
}

}  // namespace
}  // namespace synod::sim
