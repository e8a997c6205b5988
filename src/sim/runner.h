#pragma once
// Runs a range of seeds, each an independent world, on `jobs` threads, and merges the results in
// seed order so that the output does not depend on the thread schedule. With stop_on_violation
// no seed above the first failing one is started, and only seeds up to it are counted, which
// keeps the output deterministic too.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "sim/world.h"

namespace synod::sim {

struct RunOptions {
  WorldOptions world;
  uint64_t first_seed = 0;
  uint64_t last_seed = 0;  // inclusive
  unsigned jobs = 1;
  bool stop_on_violation = false;
  bool progress = false;          // a progress line on `err`
  std::string replay_command;     // the command line that replays a seed, without --seed
};

// Prints failing seeds, then the summary as the last line of `out`; returns the exit code
// (0: no violation, 1: violations).
int run_seeds(const RunOptions& options, std::ostream& out, std::ostream& err);

// Parses "17" or "0-499".
bool parse_seed_range(const std::string& text, uint64_t& first, uint64_t& last);

}  // namespace synod::sim
