#pragma once
// The unplaced unknown-outcome operations of a search, in call order, as a doubly linked list:
// placing one unlinks it and taking it back relinks it in O(1) (in LIFO order, as the search does),
// so scans skip the placed ones.
#include <cstdint>
#include <vector>

namespace synod::check {

class OptionalList {
 public:
  static constexpr int32_t kEnd = -1;

  explicit OptionalList(int32_t size) : next_(size + 1), prev_(size + 1), head_(size) {
    next_[head_] = size > 0 ? 0 : kEnd;
    for (int32_t slot = 0; slot < size; ++slot) {
      next_[slot] = slot + 1 < size ? slot + 1 : kEnd;
      prev_[slot] = slot > 0 ? slot - 1 : head_;
    }
  }

  int32_t first() const { return next_[head_]; }
  int32_t next(int32_t slot) const { return next_[slot]; }

  void remove(int32_t slot) {
    next_[prev_[slot]] = next_[slot];
    if (next_[slot] != kEnd) prev_[next_[slot]] = prev_[slot];
  }

  void restore(int32_t slot) {
    next_[prev_[slot]] = slot;
    if (next_[slot] != kEnd) prev_[next_[slot]] = slot;
  }

 private:
  std::vector<int32_t> next_;
  std::vector<int32_t> prev_;
  int32_t head_;
};

}  // namespace synod::check
