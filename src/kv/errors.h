#pragma once
// The store's expected errors, with etcd's exact message texts (rpctypes' ErrGRPC* strings), so a
// gRPC layer maps them to codes by text as etcd's own client does. Each is a synod::Status.
#include <string_view>

#include "core/status.h"

namespace synod::kv {

inline constexpr std::string_view kErrFutureRevision =
    "etcdserver: mvcc: required revision is a future revision";
inline constexpr std::string_view kErrCompacted =
    "etcdserver: mvcc: required revision has been compacted";
inline constexpr std::string_view kErrKeyNotFound = "etcdserver: key not found";
inline constexpr std::string_view kErrEmptyKey = "etcdserver: key is not provided";
inline constexpr std::string_view kErrValueProvided = "etcdserver: value is provided";
inline constexpr std::string_view kErrLeaseProvided = "etcdserver: lease is provided";
inline constexpr std::string_view kErrDuplicateKey = "etcdserver: duplicate key given in txn request";
inline constexpr std::string_view kErrTooManyOps = "etcdserver: too many operations in txn request";
inline constexpr std::string_view kErrLeaseNotFound = "etcdserver: requested lease not found";
inline constexpr std::string_view kErrLeaseExists = "etcdserver: lease already exists";
inline constexpr std::string_view kErrLeaseTtlTooLarge = "etcdserver: too large lease TTL";
inline constexpr std::string_view kErrNotReplicated = "kv: not a replicated command";

Status error_future_revision();
Status error_compacted();
Status error_key_not_found();
Status error_empty_key();
Status error_value_provided();
Status error_lease_provided();
Status error_duplicate_key();
Status error_too_many_ops();
Status error_lease_not_found();
Status error_lease_exists();
Status error_lease_ttl_too_large();
Status error_not_replicated();

}  // namespace synod::kv
