#pragma once
// The keys and transactions of etcd's clientv3/concurrency recipes (Mutex, Election), which etcd
// 3.4's v3lock and v3election servers run on behalf of their callers.
//
// A contender's key is `<name>/<lease id in lower-case hex>`, put with that lease by a Txn guarded
// by create_revision == 0 (so a second call with the same lease finds its key again). Invariant of
// the recipe: among the keys under `<name>/`, the one with the lowest create revision holds the
// lock (leads the election); every other contender waits until all keys created before its own
// are deleted.
#include <cstdint>
#include <optional>
#include <string>

#include "kv/mvcc_store.h"
#include "kv/types.h"

namespace synod::api::etcd {

std::string contender_prefix(const std::string& name);
std::string contender_key(const std::string& name, int64_t lease);
// The range end that makes `prefix` a prefix range (etcd's GetPrefixRangeEnd).
std::string prefix_range_end_of(const std::string& prefix);

// Range of the first-created key under `prefix` (etcd's WithFirstCreate).
kv::RangeRequest first_created_request(const std::string& prefix);

// If `key` does not exist, put it with `value` and `lease`; else read it. Then (both branches)
// read the first-created key under `prefix`: responses[0] is the put or the key, responses[1] the
// holder.
kv::TxnRequest create_contender_txn(const std::string& key, const std::string& value,
                                    int64_t lease, const std::string& prefix);
// Proclaim: put `value` on `key` if it is still the generation created at `create_revision`.
kv::TxnRequest put_if_created_at(const std::string& key, int64_t create_revision,
                                 const std::string& value, int64_t lease);
// Resign: delete `key` if it is still the generation created at `create_revision`.
kv::TxnRequest delete_if_created_at(const std::string& key, int64_t create_revision);

// Reads of the local store, on the node thread.
std::optional<kv::KeyValue> first_created_in(const kv::MvccStore& store,
                                             const std::string& prefix);
// Whether a key under `prefix` was created before `create_revision`.
bool has_key_created_before(const kv::MvccStore& store, const std::string& prefix,
                            int64_t create_revision);
std::optional<kv::KeyValue> live_key(const kv::MvccStore& store, const std::string& key);

}  // namespace synod::api::etcd
