// LatencyHistogram: exact below 128, within 1/64 relative error above, quantiles by rank, merge.
#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace synod::bench {
namespace {

TEST(LatencyHistogram, SmallValuesHaveABucketEach) {
  for (uint64_t v = 0; v < LatencyHistogram::kSubBucketCount; ++v) {
    const int index = LatencyHistogram::bucket_index(v);
    EXPECT_EQ(LatencyHistogram::bucket_lowest_value(index), v);
    EXPECT_EQ(LatencyHistogram::bucket_highest_value(index), v);
  }
}

TEST(LatencyHistogram, BucketsTileTheWholeRangeWithoutGapsOrOverlap) {
  for (int index = 0; index + 1 < LatencyHistogram::kBucketCount; ++index) {
    ASSERT_EQ(LatencyHistogram::bucket_highest_value(index) + 1,
              LatencyHistogram::bucket_lowest_value(index + 1))
        << "index " << index;
  }
  EXPECT_EQ(LatencyHistogram::bucket_index(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::bucket_highest_value(LatencyHistogram::kBucketCount - 1), UINT64_MAX);
}

TEST(LatencyHistogram, EveryValueLiesInItsBucketWithinOneSixtyFourth) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t value = random() >> (random() % 64);
    const int index = LatencyHistogram::bucket_index(value);
    const uint64_t low = LatencyHistogram::bucket_lowest_value(index);
    const uint64_t high = LatencyHistogram::bucket_highest_value(index);
    ASSERT_LE(low, value);
    ASSERT_GE(high, value);
    ASSERT_LE(static_cast<double>(high - low), static_cast<double>(low) / 64.0) << value;
  }
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.max(), 0u);
  EXPECT_EQ(histogram.value_at_quantile(0.99), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(LatencyHistogram, QuantilesOfAUniformSpreadMatchTheExactOrderStatistics) {
  LatencyHistogram histogram;
  std::vector<uint64_t> values;
  std::mt19937_64 random(7);
  for (int i = 0; i < 50000; ++i) {
    const uint64_t value = 1000 + random() % 10'000'000;  // 1 us to 10 ms in ns
    values.push_back(value);
    histogram.record(value);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    const double reported = static_cast<double>(histogram.value_at_quantile(q));
    EXPECT_GE(reported, exact) << q;  // the bucket's highest value, never below the truth
    EXPECT_LE(reported, exact * (1 + 1.0 / 64)) << q;
  }
  EXPECT_EQ(histogram.min(), values.front());
  EXPECT_EQ(histogram.max(), values.back());
  EXPECT_EQ(histogram.value_at_quantile(1.0), values.back());
}

TEST(LatencyHistogram, OneOutlierShowsOnlyInTheTopQuantiles) {
  LatencyHistogram histogram;
  for (int i = 0; i < 999; ++i) histogram.record(100);
  histogram.record(1'000'000'000);
  EXPECT_EQ(histogram.value_at_quantile(0.5), 100u);
  EXPECT_EQ(histogram.value_at_quantile(0.99), 100u);
  EXPECT_EQ(histogram.value_at_quantile(0.999), 100u);  // rank 999 of 1000
  EXPECT_EQ(histogram.value_at_quantile(0.9999), 1'000'000'000u);
  EXPECT_EQ(histogram.max(), 1'000'000'000u);
  EXPECT_NEAR(histogram.mean(), (999.0 * 100 + 1e9) / 1000, 1e-6);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram left;
  LatencyHistogram right;
  LatencyHistogram all;
  std::mt19937_64 random(3);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t value = random() % 1'000'000;
    (i % 3 == 0 ? left : right).record(value);
    all.record(value);
  }
  left.merge(right);
  EXPECT_EQ(left.count(), all.count());
  EXPECT_EQ(left.min(), all.min());
  EXPECT_EQ(left.max(), all.max());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    EXPECT_EQ(left.value_at_quantile(q), all.value_at_quantile(q)) << q;
  }
}

TEST(LatencyHistogram, MergingAnEmptyHistogramChangesNothing) {
  LatencyHistogram histogram;
  histogram.record(500);
  histogram.merge(LatencyHistogram{});
  EXPECT_EQ(histogram.min(), 500u);
  EXPECT_EQ(histogram.max(), 500u);
  EXPECT_EQ(histogram.count(), 1u);
}

}  // namespace
}  // namespace synod::bench
