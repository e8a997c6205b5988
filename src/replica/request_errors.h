#pragma once
// Errors of the request path (not of the store: see kv/errors.h), with etcd's exact texts so that
// the gRPC layer and etcd's clients recognise them.
#include "core/status.h"

namespace synod::replica {

inline Status error_timeout() { return {StatusCode::kUnavailable, "etcdserver: request timed out"}; }
// The leader a write was sent to lost its leadership: the write may still commit, or not.
inline Status error_leader_failed() {
  return {StatusCode::kUnavailable,
          "etcdserver: request timed out, possibly due to previous leader failure"};
}
inline Status error_no_leader() { return {StatusCode::kUnavailable, "etcdserver: no leader"}; }
inline Status error_leader_changed() {
  return {StatusCode::kUnavailable, "etcdserver: leader changed"};
}
inline Status error_stopped() { return {StatusCode::kUnavailable, "etcdserver: server stopped"}; }
inline Status error_request_too_large() {
  return {StatusCode::kInvalidArgument, "etcdserver: request is too large"};
}
inline Status error_no_space() {
  return {StatusCode::kBusy, "etcdserver: mvcc: database space exceeded"};
}
inline Status error_too_many_requests() {
  return {StatusCode::kBusy, "etcdserver: too many requests"};
}

}  // namespace synod::replica
