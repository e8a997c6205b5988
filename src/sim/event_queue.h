#pragma once
// The world's agenda: actions ordered by (tick, sequence number). The sequence number is the
// order of scheduling, so two actions due at the same tick always run in the same order and a
// seed replays bit for bit.
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/sim_time.h"

namespace synod::sim {

class EventQueue {
 public:
  using Action = std::function<void()>;

  // Schedules `action` at tick `at` (never earlier than now()).
  void schedule(Tick at, Action action);
  void schedule_after(Tick delay_ticks, Action action) { schedule(now_ + delay_ticks, std::move(action)); }

  bool empty() const { return heap_.empty(); }
  // Requires !empty().
  Tick next_tick() const { return heap_.front().at; }
  // Pops the earliest action, advances the clock to its tick and runs it.
  void run_next();
  // Runs every action due at or before `until`, then sets the clock to `until`.
  void run_until(Tick until);

  Tick now() const { return now_; }
  uint64_t actions_run() const { return actions_run_; }

 private:
  struct Item {
    Tick at;
    uint64_t sequence;
    Action action;
  };
  // std::push_heap builds a max-heap, so "less" means "later".
  static bool later(const Item& a, const Item& b) {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }

  std::vector<Item> heap_;
  Tick now_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t actions_run_ = 0;
};

}  // namespace synod::sim
