#include "api/etcd/concurrency_keys.h"

#include <cstdio>
#include <utility>

namespace synod::api::etcd {

std::string contender_prefix(const std::string& name) { return name + "/"; }

std::string contender_key(const std::string& name, int64_t lease) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx",
                static_cast<unsigned long long>(static_cast<uint64_t>(lease)));
  return contender_prefix(name) + hex;
}

std::string prefix_range_end_of(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every byte 0xff: every key from `prefix` on
}

kv::RangeRequest first_created_request(const std::string& prefix) {
  kv::RangeRequest request;
  request.key = prefix;
  request.range_end = prefix_range_end_of(prefix);
  request.sort_target = kv::SortTarget::kCreate;
  request.sort_order = kv::SortOrder::kAscend;
  request.limit = 1;
  return request;
}

namespace {

kv::Compare created_at(const std::string& key, int64_t create_revision) {
  kv::Compare compare;
  compare.target = kv::CompareTarget::kCreate;
  compare.result = kv::CompareResult::kEqual;
  compare.key = key;
  compare.create_revision = create_revision;
  return compare;
}

kv::RequestOp op(kv::RangeRequest request) { return kv::RequestOp{std::move(request)}; }
kv::RequestOp op(kv::PutRequest request) { return kv::RequestOp{std::move(request)}; }
kv::RequestOp op(kv::DeleteRangeRequest request) { return kv::RequestOp{std::move(request)}; }

}  // namespace

kv::TxnRequest create_contender_txn(const std::string& key, const std::string& value,
                                    int64_t lease, const std::string& prefix) {
  kv::TxnRequest txn;
  txn.compare.push_back(created_at(key, 0));
  kv::PutRequest put;
  put.key = key;
  put.value = value;
  put.lease = lease;
  txn.success.push_back(op(std::move(put)));
  txn.success.push_back(op(first_created_request(prefix)));
  kv::RangeRequest get;
  get.key = key;
  txn.failure.push_back(op(std::move(get)));
  txn.failure.push_back(op(first_created_request(prefix)));
  return txn;
}

kv::TxnRequest put_if_created_at(const std::string& key, int64_t create_revision,
                                 const std::string& value, int64_t lease) {
  kv::TxnRequest txn;
  txn.compare.push_back(created_at(key, create_revision));
  kv::PutRequest put;
  put.key = key;
  put.value = value;
  put.lease = lease;
  txn.success.push_back(op(std::move(put)));
  return txn;
}

kv::TxnRequest delete_if_created_at(const std::string& key, int64_t create_revision) {
  kv::TxnRequest txn;
  txn.compare.push_back(created_at(key, create_revision));
  kv::DeleteRangeRequest erase;
  erase.key = key;
  txn.success.push_back(op(std::move(erase)));
  return txn;
}

std::optional<kv::KeyValue> first_created_in(const kv::MvccStore& store,
                                             const std::string& prefix) {
  kv::RangeResponse response;
  if (!store.range(first_created_request(prefix), response).ok() || response.kvs.empty()) {
    return std::nullopt;
  }
  return response.kvs.front();
}

bool has_key_created_before(const kv::MvccStore& store, const std::string& prefix,
                            int64_t create_revision) {
  if (create_revision <= 1) return false;
  kv::RangeRequest request;
  request.key = prefix;
  request.range_end = prefix_range_end_of(prefix);
  request.max_create_revision = create_revision - 1;
  request.keys_only = true;
  kv::RangeResponse response;
  return store.range(request, response).ok() && !response.kvs.empty();
}

std::optional<kv::KeyValue> live_key(const kv::MvccStore& store, const std::string& key) {
  kv::RangeRequest request;
  request.key = key;
  kv::RangeResponse response;
  if (!store.range(request, response).ok() || response.kvs.empty()) return std::nullopt;
  return response.kvs.front();
}

}  // namespace synod::api::etcd
