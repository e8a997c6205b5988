#include "kv/range_shaping.h"

#include <algorithm>
#include <functional>

namespace synod::kv {
namespace {

bool outside_filters(const RangeRequest& request, const KeyValue& kv) {
  if (request.min_mod_revision != 0 && kv.mod_revision < request.min_mod_revision) return true;
  if (request.max_mod_revision != 0 && kv.mod_revision > request.max_mod_revision) return true;
  if (request.min_create_revision != 0 && kv.create_revision < request.min_create_revision)
    return true;
  if (request.max_create_revision != 0 && kv.create_revision > request.max_create_revision)
    return true;
  return false;
}

bool has_filters(const RangeRequest& request) {
  return request.min_mod_revision != 0 || request.max_mod_revision != 0 ||
         request.min_create_revision != 0 || request.max_create_revision != 0;
}

std::function<bool(const KeyValue&, const KeyValue&)> less_by(SortTarget target) {
  switch (target) {
    case SortTarget::kKey: return [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; };
    case SortTarget::kVersion:
      return [](const KeyValue& a, const KeyValue& b) { return a.version < b.version; };
    case SortTarget::kCreate:
      return [](const KeyValue& a, const KeyValue& b) { return a.create_revision < b.create_revision; };
    case SortTarget::kMod:
      return [](const KeyValue& a, const KeyValue& b) { return a.mod_revision < b.mod_revision; };
    case SortTarget::kValue:
      return [](const KeyValue& a, const KeyValue& b) { return a.value < b.value; };
  }
  return nullptr;
}

// etcd sorts ascending by default for a non-key target; keys already come ascending. Stable sorts
// keep ties in ascending key order, so the result is deterministic (etcd leaves ties unspecified).
void sort_kvs(const RangeRequest& request, std::vector<KeyValue>& kvs) {
  SortOrder order = request.sort_order;
  if (order == SortOrder::kNone && request.sort_target != SortTarget::kKey) order = SortOrder::kAscend;
  if (order == SortOrder::kNone) return;
  if (request.sort_target == SortTarget::kKey && order == SortOrder::kAscend) return;
  auto less = less_by(request.sort_target);
  if (order == SortOrder::kAscend) {
    std::stable_sort(kvs.begin(), kvs.end(), less);
  } else {
    std::stable_sort(kvs.begin(), kvs.end(),
                     [&less](const KeyValue& a, const KeyValue& b) { return less(b, a); });
  }
}

}  // namespace

void shape_range(const RangeRequest& request, std::vector<KeyValue> kvs, RangeResponse& response) {
  response.count = static_cast<int64_t>(kvs.size());
  response.kvs.clear();
  response.more = false;
  if (request.count_only) return;
  // etcd 3.4 fetches only limit + 1 keys (in key order) unless an explicit order or a filter
  // makes it fetch everything; a non-key target with order NONE then sorts just those.
  if (request.limit > 0 && request.sort_order == SortOrder::kNone && !has_filters(request) &&
      static_cast<int64_t>(kvs.size()) - 1 > request.limit) {  // limit + 1 overflows at INT64_MAX
    kvs.resize(static_cast<size_t>(request.limit + 1));
  }
  std::erase_if(kvs, [&request](const KeyValue& kv) { return outside_filters(request, kv); });
  sort_kvs(request, kvs);
  if (request.limit > 0 && static_cast<int64_t>(kvs.size()) > request.limit) {
    kvs.resize(static_cast<size_t>(request.limit));
    response.more = true;
  }
  if (request.keys_only) {
    for (KeyValue& kv : kvs) kv.value.clear();
  }
  response.kvs = std::move(kvs);
}

}  // namespace synod::kv
