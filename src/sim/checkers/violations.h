#pragma once
// Where checkers report. A violation names the checker that saw it and says what it saw; the
// world stops a seed at its first violation (what follows a broken invariant is noise) and the
// runner prints (seed, checker, message).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/sim_time.h"

namespace synod::sim {

struct Violation {
  std::string checker;
  std::string message;
  Tick tick = 0;
};

class Violations {
 public:
  // `now` is the virtual time of the report; the checkers themselves do not know the clock.
  void report(std::string checker, std::string message, Tick now = 0) {
    violations_.push_back(Violation{std::move(checker), std::move(message), now});
  }
  bool any() const { return !violations_.empty(); }
  uint64_t count() const { return violations_.size(); }
  const std::vector<Violation>& all() const { return violations_; }

 private:
  std::vector<Violation> violations_;
};

}  // namespace synod::sim
