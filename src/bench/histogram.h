#pragma once
// A latency histogram in the manner of HdrHistogram: logarithmic buckets, each split into
// kSubBucketCount linear sub-buckets, so that any recorded value is kept within a relative error
// of 1/kHalfSubBucketCount (1.6 %) in constant memory, whatever its range (1 ns to 2^64 ns).
//
// Layout: values below kSubBucketCount have a bucket each (exact). A larger value v with highest
// set bit m falls in bucket (m - 6) * 64 + (v >> (m - 6)); that bucket spans 2^(m-6) values.
// Exact count, sum, minimum and maximum are kept beside the buckets.
#include <array>
#include <cstdint>

namespace synod::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;  // 128
  static constexpr uint64_t kHalfSubBucketCount = kSubBucketCount / 2;        // 64
  // Bucket index of UINT64_MAX, plus one.
  static constexpr int kBucketCount = (64 - kSubBucketBits) * kHalfSubBucketCount + kSubBucketCount;

  void record(uint64_t value);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;
  // The smallest recorded value v (up to bucket precision) such that at least `quantile` of the
  // values are <= v; reported as the highest value of v's bucket, never above max(). 0 if empty.
  // quantile is in [0, 1].
  uint64_t value_at_quantile(double quantile) const;

  // Bucket arithmetic, public for the tests.
  static int bucket_index(uint64_t value);
  static uint64_t bucket_lowest_value(int index);
  static uint64_t bucket_highest_value(int index);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  // Invariant: min_ <= max_ whenever count_ > 0.
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace synod::bench
