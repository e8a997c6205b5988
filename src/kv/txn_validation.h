#pragma once
// The checks etcd's gRPC layer makes on a TxnRequest before it is proposed (v3rpc/key.go): they
// depend on the request alone, not on the store's state.
#include <cstdint>

#include "core/status.h"
#include "kv/types.h"

namespace synod::kv {

// - too many operations: compare, success or failure longer than max_txn_ops; a nested Txn gets
//   what its parent left (max_txn_ops minus the parent's longest list), as in etcd;
// - empty keys; ignore_value with a value; ignore_lease with a lease;
// - duplicate keys: within one branch (and the nested Txns it reaches) a key may be put once and
//   not be both put and deleted. The success and failure branches of one nested Txn exclude each
//   other, so they may write the same key.
Status validate_txn_request(const TxnRequest& request, int64_t max_txn_ops);

}  // namespace synod::kv
