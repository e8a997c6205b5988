#pragma once
// The time-ordered list of call and return entries that Lowe's search walks (as in Porcupine).
// Linearizing an operation lifts its call and return entries out of the list; backtracking puts
// them back in O(1). Operations whose outcome is unknown (return kNeverNs) have no entries at
// all: nothing forces them to be placed, and the search keeps them aside.
#include <cstdint>
#include <vector>

namespace synod::check {

struct TimedCall {
  int64_t call_ns = 0;
  int64_t return_ns = 0;  // kNeverNs: no return entry
};

class EntryList {
 public:
  static constexpr int32_t kHead = 0;
  static constexpr int32_t kTail = 1;

  struct Entry {
    int32_t operation = -1;
    bool is_call = false;
    int32_t prev = -1;
    int32_t next = -1;
    int32_t match = -1;  // a call's return entry
    int64_t time_ns = 0;
  };

  // `operations` must be sorted by call time; entries tie-break calls before returns, so an
  // operation returning at the very nanosecond another is invoked counts as concurrent with it.
  explicit EntryList(const std::vector<TimedCall>& operations);

  int32_t first() const { return entries_[kHead].next; }
  const Entry& at(int32_t index) const { return entries_[index]; }
  void lift(int32_t call);
  void unlift(int32_t call);

 private:
  void unlink(int32_t index);
  void relink(int32_t index);

  std::vector<Entry> entries_;
};

}  // namespace synod::check
