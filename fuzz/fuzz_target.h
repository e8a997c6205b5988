#pragma once
// What every fuzz target in fuzz/ provides (see docs/fuzzing.md):
//   - LLVMFuzzerTestOneInput, libFuzzer's entry point; also called by replay_main.cc, so the
//     plain (gcc) build replays the committed corpus and regressions through the same code;
//   - seed_inputs(): a few inputs made by the real encoders, written to fuzz/corpus/<target>/ by
//     `fuzz_<target>_replay --write-seeds DIR`.
// A broken invariant is a bug: FUZZ_CHECK aborts, which libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/check.h"

#define FUZZ_CHECK(cond) SYNOD_CHECK(cond, "fuzz invariant")

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace synod::fuzz {

struct SeedInput {
  std::string name;  // file name in the corpus directory
  std::string bytes;
};

std::vector<SeedInput> seed_inputs();

}  // namespace synod::fuzz
