#include "core/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace synod {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Random a(42), b(42), c(43);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t value = a.next();
    EXPECT_EQ(value, b.next());
    differs_from_other_seed |= value != c.next();
  }
  EXPECT_TRUE(differs_from_other_seed);
}

TEST(RandomTest, UniformStaysInBoundsAndCoversIt) {
  Random random(7);
  std::vector<int> seen(10, 0);
  for (int i = 0; i < 10000; ++i) {
    uint64_t value = random.uniform(10);
    ASSERT_LT(value, 10u);
    ++seen[value];
  }
  for (int count : seen) EXPECT_GT(count, 800) << "a bucket is badly under-drawn";
}

TEST(RandomTest, BetweenIsInclusive) {
  Random random(9);
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t value = random.between(3, 5);
    ASSERT_GE(value, 3u);
    ASSERT_LE(value, 5u);
    saw_low |= value == 3;
    saw_high |= value == 5;
  }
  EXPECT_TRUE(saw_low && saw_high);
}

TEST(RandomTest, ForkIsDeterministicAndIndependent) {
  Random a(1), b(1);
  Random fork_a = a.fork(), fork_b = b.fork();
  EXPECT_EQ(fork_a.next(), fork_b.next());
  EXPECT_NE(fork_a.next(), a.next());
}

}  // namespace
}  // namespace synod
