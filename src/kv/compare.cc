#include "kv/compare.h"

#include <compare>

namespace synod::kv {
namespace {

std::strong_ordering order_of(const Compare& compare, const KeyValue& kv) {
  switch (compare.target) {
    case CompareTarget::kVersion: return kv.version <=> compare.version;
    case CompareTarget::kCreate: return kv.create_revision <=> compare.create_revision;
    case CompareTarget::kMod: return kv.mod_revision <=> compare.mod_revision;
    case CompareTarget::kValue: return kv.value.compare(compare.value) <=> 0;
    case CompareTarget::kLease: return kv.lease <=> compare.lease;
  }
  return std::strong_ordering::equal;
}

bool holds_for(const Compare& compare, const KeyValue& kv) {
  std::strong_ordering order = order_of(compare, kv);
  switch (compare.result) {
    case CompareResult::kEqual: return order == 0;
    case CompareResult::kNotEqual: return order != 0;
    case CompareResult::kLess: return order < 0;
    case CompareResult::kGreater: return order > 0;
  }
  return false;
}

}  // namespace

bool compare_holds(const Compare& compare, const std::vector<KeyValue>& kvs_in_range) {
  if (kvs_in_range.empty()) {
    if (compare.target == CompareTarget::kValue) return false;
    return holds_for(compare, KeyValue{});
  }
  for (const KeyValue& kv : kvs_in_range) {
    if (!holds_for(compare, kv)) return false;
  }
  return true;
}

}  // namespace synod::kv
