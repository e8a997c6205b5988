#include "sim/event_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace synod::sim {
namespace {

TEST(EventQueue, RunsByTickThenBySchedulingOrder) {
  EventQueue queue;
  std::vector<int> order;
  queue.schedule(5, [&] { order.push_back(3); });
  queue.schedule(2, [&] { order.push_back(1); });
  queue.schedule(5, [&] { order.push_back(4); });  // same tick: after the first one scheduled
  queue.schedule(2, [&] { order.push_back(2); });
  while (!queue.empty()) queue.run_next();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(queue.now(), 5u);
  EXPECT_EQ(queue.actions_run(), 4u);
}

TEST(EventQueue, ActionsScheduleRelativeToNow) {
  EventQueue queue;
  std::vector<Tick> ticks;
  queue.schedule(3, [&] {
    ticks.push_back(queue.now());
    queue.schedule_after(4, [&] { ticks.push_back(queue.now()); });
  });
  queue.run_until(6);
  EXPECT_EQ(ticks, (std::vector<Tick>{3}));
  EXPECT_EQ(queue.now(), 6u);
  queue.run_until(10);
  EXPECT_EQ(ticks, (std::vector<Tick>{3, 7}));
}

}  // namespace
}  // namespace synod::sim
