#pragma once
// Short helpers for the kv tests: one-line puts, deletes and reads that assert success.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "kv/mvcc_store.h"

namespace synod::kv::testing {

// Grants the lease (60 s) unless it exists; a grant takes no revision.
inline void ensure_lease(MvccStore& store, int64_t id) {
  if (id == 0 || store.find_lease(id) != nullptr) return;
  LeaseGrantResponse response;
  Status status = store.lease_grant({id, 60}, response);
  EXPECT_TRUE(status.ok()) << status.message();
}

// A put with a lease grants that lease first when it does not exist.
inline PutResponse must_put(MvccStore& store, const std::string& key, const std::string& value,
                            int64_t lease = 0) {
  ensure_lease(store, lease);
  PutRequest request;
  request.key = key;
  request.value = value;
  request.lease = lease;
  PutResponse response;
  Status status = store.put(request, response);
  EXPECT_TRUE(status.ok()) << status.message();
  return response;
}

inline DeleteRangeResponse must_delete(MvccStore& store, const std::string& key,
                                       const std::string& range_end = "") {
  DeleteRangeRequest request;
  request.key = key;
  request.range_end = range_end;
  DeleteRangeResponse response;
  Status status = store.delete_range(request, response);
  EXPECT_TRUE(status.ok()) << status.message();
  return response;
}

inline RangeResponse must_range(const MvccStore& store, RangeRequest request) {
  RangeResponse response;
  Status status = store.range(request, response);
  EXPECT_TRUE(status.ok()) << status.message();
  return response;
}

inline std::optional<KeyValue> get(const MvccStore& store, const std::string& key,
                                   int64_t revision = 0) {
  RangeRequest request;
  request.key = key;
  request.revision = revision;
  RangeResponse response = must_range(store, request);
  if (response.kvs.empty()) return std::nullopt;
  return response.kvs.front();
}

inline std::vector<std::string> keys_of(const RangeResponse& response) {
  std::vector<std::string> keys;
  for (const KeyValue& kv : response.kvs) keys.push_back(kv.key);
  return keys;
}

inline const std::string kAllKeys = std::string("\0", 1);  // as key and as range_end

}  // namespace synod::kv::testing
