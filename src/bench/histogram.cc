// Log-bucketed latency histogram (see histogram.h for the layout).
#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/check.h"

namespace synod::bench {
namespace {

// Number of low bits a bucket drops: 0 for the exact range, else (highest bit - 6).
int bucket_shift(uint64_t value) {
  if (value < LatencyHistogram::kSubBucketCount) return 0;
  const int highest_bit = 63 - std::countl_zero(value);
  return highest_bit - (LatencyHistogram::kSubBucketBits - 1);
}

int shift_of_index(int index) {
  const int half = static_cast<int>(LatencyHistogram::kHalfSubBucketCount);
  return index < static_cast<int>(LatencyHistogram::kSubBucketCount) ? 0 : index / half - 1;
}

}  // namespace

int LatencyHistogram::bucket_index(uint64_t value) {
  const int shift = bucket_shift(value);
  return shift * static_cast<int>(kHalfSubBucketCount) + static_cast<int>(value >> shift);
}

uint64_t LatencyHistogram::bucket_lowest_value(int index) {
  const int shift = shift_of_index(index);
  return (static_cast<uint64_t>(index) - static_cast<uint64_t>(shift) * kHalfSubBucketCount)
         << shift;
}

uint64_t LatencyHistogram::bucket_highest_value(int index) {
  const int shift = shift_of_index(index);
  return bucket_lowest_value(index) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(uint64_t value) {
  ++counts_[static_cast<size_t>(bucket_index(value))];
  ++count_;
  sum_ += static_cast<long double>(value);
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

uint64_t LatencyHistogram::value_at_quantile(double quantile) const {
  SYNOD_CHECK(quantile >= 0.0 && quantile <= 1.0, "quantile outside [0, 1]");
  if (count_ == 0) return 0;
  // The rank of the wanted value, 1-based: at least one value, at most all of them.
  const auto wanted = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(count_))), 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) {
      return std::clamp(bucket_highest_value(static_cast<int>(i)), min_, max_);
    }
  }
  return max_;
}

}  // namespace synod::bench
