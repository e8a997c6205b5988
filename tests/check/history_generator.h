#pragma once
// Test-only history generators.
//
// generate_register_history: linearizable by construction. Operations are executed one at a time
// on a sequential register at increasing "linearization points"; each operation's interval is then
// stretched around its point (invoked after its client's previous operation returned, returning a
// random while later), so intervals overlap as in a real concurrent run.
//
// generate_random_history: well formed but arbitrary (values read are made up), for differential
// tests against the brute-force checker; small domains make violations common.
#include <cstdint>

#include "check/history.h"

namespace synod::check::testing {

struct RegisterHistoryOptions {
  int64_t operation_count = 100;
  int64_t key_count = 1;
  int64_t client_count = 5;       // clients at once; after an info a client continues as a new process
  uint64_t read_percent = 45;
  uint64_t write_percent = 35;    // the rest are cas
  uint64_t info_per_mille = 20;   // outcome unknown (half of them took effect)
  uint64_t fail_per_mille = 20;   // reads and writes that did not take effect
  uint64_t value_domain = 0;      // 0: every write is unique; else values from a domain of this size
  int64_t max_stretch_ns = 1000;  // how far a return may lag its linearization point
  uint64_t seed = 1;
};

History generate_register_history(const RegisterHistoryOptions& options);

struct RandomHistoryOptions {
  int64_t process_count = 3;
  int64_t operations_per_process = 2;
  int64_t key_count = 1;
  uint64_t value_domain = 2;
  uint64_t seed = 1;
};

History generate_random_history(const RandomHistoryOptions& options);

}  // namespace synod::check::testing
