#include "sim/event_queue.h"

#include <algorithm>

#include "core/check.h"

namespace synod::sim {

void EventQueue::schedule(Tick at, Action action) {
  SYNOD_CHECK(at >= now_, "cannot schedule in the past");
  heap_.push_back(Item{at, next_sequence_++, std::move(action)});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

void EventQueue::run_next() {
  SYNOD_CHECK(!heap_.empty(), "run_next on an empty queue");
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Item item = std::move(heap_.back());
  heap_.pop_back();
  now_ = item.at;
  ++actions_run_;
  item.action();
}

void EventQueue::run_until(Tick until) {
  while (!heap_.empty() && heap_.front().at <= until) run_next();
  if (until > now_) now_ = until;
}

}  // namespace synod::sim
