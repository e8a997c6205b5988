#include "check/entry_list.h"

#include <algorithm>
#include <tuple>

#include "check/operation.h"

namespace synod::check {
namespace {

struct SortKey {
  int64_t time_ns;
  bool is_return;
  int32_t operation;
  auto tie() const { return std::tie(time_ns, is_return, operation); }
};

}  // namespace

EntryList::EntryList(const std::vector<TimedCall>& operations) {
  std::vector<SortKey> order;
  for (int32_t op = 0; op < static_cast<int32_t>(operations.size()); ++op) {
    if (operations[op].return_ns == kNeverNs) continue;
    order.push_back({operations[op].call_ns, false, op});
    order.push_back({operations[op].return_ns, true, op});
  }
  std::sort(order.begin(), order.end(), [](const SortKey& a, const SortKey& b) { return a.tie() < b.tie(); });
  entries_.resize(order.size() + 2);
  std::vector<int32_t> call_entry(operations.size(), -1);
  int32_t previous = kHead;
  for (size_t i = 0; i < order.size(); ++i) {
    int32_t index = static_cast<int32_t>(i) + 2;
    entries_[index] = {.operation = order[i].operation, .is_call = !order[i].is_return, .prev = previous,
                       .time_ns = order[i].time_ns};
    entries_[previous].next = index;
    if (order[i].is_return) entries_[call_entry[order[i].operation]].match = index;
    else call_entry[order[i].operation] = index;
    previous = index;
  }
  entries_[previous].next = kTail;
  entries_[kTail].prev = previous;
}

void EntryList::unlink(int32_t index) {
  Entry& entry = entries_[index];
  entries_[entry.prev].next = entry.next;
  entries_[entry.next].prev = entry.prev;
}

// Valid only in the reverse order of unlink: the neighbours still point where they did.
void EntryList::relink(int32_t index) {
  Entry& entry = entries_[index];
  entries_[entry.prev].next = index;
  entries_[entry.next].prev = index;
}

void EntryList::lift(int32_t call) {
  unlink(call);
  unlink(entries_[call].match);
}

void EntryList::unlift(int32_t call) {
  relink(entries_[call].match);
  relink(call);
}

}  // namespace synod::check
