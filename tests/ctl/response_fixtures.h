#pragma once
// Responses as a single-node etcd 3.4 returned them in runs of the real etcdctl, rebuilt here so
// the printers can be checked against what etcdctl printed for them.
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace synod::ctl::testing {

inline constexpr std::uint64_t kClusterId = 14841639068965178418ULL;
inline constexpr std::uint64_t kMemberId = 10276657743932975437ULL;  // 8e9e05c52164694d

inline etcdserverpb::ResponseHeader header(std::int64_t revision) {
  etcdserverpb::ResponseHeader header;
  header.set_cluster_id(kClusterId);
  header.set_member_id(kMemberId);
  header.set_revision(revision);
  header.set_raft_term(2);
  return header;
}

// Inside a txn, etcd fills in only the revision.
inline etcdserverpb::ResponseHeader inner_header(std::int64_t revision) {
  etcdserverpb::ResponseHeader header;
  header.set_revision(revision);
  return header;
}

inline mvccpb::KeyValue key_value(const std::string& key, const std::string& value,
                                  std::int64_t create, std::int64_t mod, std::int64_t version) {
  mvccpb::KeyValue kv;
  kv.set_key(key);
  kv.set_value(value);
  kv.set_create_revision(create);
  kv.set_mod_revision(mod);
  kv.set_version(version);
  return kv;
}

// etcdctl put foo qux --prev-kv, after foo=bar then foo=baz.
inline etcdserverpb::PutResponse put_with_prev_kv() {
  etcdserverpb::PutResponse response;
  *response.mutable_header() = header(4);
  *response.mutable_prev_kv() = key_value("foo", "baz", 2, 3, 2);
  return response;
}

// etcdctl get foo, after the put above.
inline etcdserverpb::RangeResponse get_foo() {
  etcdserverpb::RangeResponse response;
  *response.mutable_header() = header(4);
  *response.add_kvs() = key_value("foo", "qux", 2, 4, 3);
  response.set_count(1);
  return response;
}

// The txn `mod("foo") > "0"` / put a 1, get foo, del b --prev-kv, on the state above.
inline etcdserverpb::TxnResponse txn_put_get_delete() {
  etcdserverpb::TxnResponse response;
  *response.mutable_header() = header(5);
  response.set_succeeded(true);
  *response.add_responses()->mutable_response_put()->mutable_header() = inner_header(5);
  etcdserverpb::RangeResponse* range = response.add_responses()->mutable_response_range();
  *range->mutable_header() = inner_header(5);
  *range->add_kvs() = key_value("foo", "qux", 2, 4, 3);
  range->set_count(1);
  *response.add_responses()->mutable_response_delete_range()->mutable_header() = inner_header(5);
  return response;
}

// Maintenance.Status of a node whose backend hit --quota-backend-bytes.
inline etcdserverpb::StatusResponse status_with_nospace_alarm() {
  etcdserverpb::StatusResponse status;
  *status.mutable_header() = header(2);
  status.set_version("3.4.23");
  status.set_dbsize(81920);
  status.set_leader(kMemberId);
  status.set_raftindex(8);
  status.set_raftterm(2);
  status.set_raftappliedindex(8);
  status.add_errors("memberID:10276657743932975437 alarm:NOSPACE ");
  status.set_dbsizeinuse(77824);
  return status;
}

inline etcdserverpb::StatusResponse healthy_status() {
  etcdserverpb::StatusResponse status;
  *status.mutable_header() = header(4);
  status.set_version("3.4.23");
  status.set_dbsize(20480);
  status.set_leader(kMemberId);
  status.set_raftindex(7);
  status.set_raftterm(2);
  status.set_raftappliedindex(7);
  status.set_dbsizeinuse(16384);
  return status;
}

}  // namespace synod::ctl::testing
