#pragma once
// What etcd's apply layer does to the keys a range found: count, min/max filters, sort, limit,
// keys_only, count_only.
#include <vector>

#include "kv/types.h"

namespace synod::kv {

// `kvs`: the live keys of the range in ascending key order. Fills count, kvs and more.
void shape_range(const RangeRequest& request, std::vector<KeyValue> kvs, RangeResponse& response);

}  // namespace synod::kv
