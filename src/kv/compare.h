#pragma once
// Evaluation of a Txn's Compare, as etcd's applyCompare.
#include <vector>

#include "kv/types.h"

namespace synod::kv {

// `kvs_in_range`: the live keys the compare's (key, range_end) selects. Every one must satisfy the
// compare. No key at all compares as a zero KeyValue (version, create, mod and lease 0), except
// that a VALUE compare on no key fails: gRPC cannot tell a missing value from an empty one.
bool compare_holds(const Compare& compare, const std::vector<KeyValue>& kvs_in_range);

}  // namespace synod::kv
