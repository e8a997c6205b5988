#include "api/etcd/convert.h"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kv/command.h"
#include "kv/errors.h"

namespace synod::api::etcd {
namespace {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

Status unknown_enum(const char* field, int value) {
  return invalid("synod: unknown " + std::string(field) + " " + std::to_string(value));
}

// Explicit mappings rather than casts: a number the .proto does not define is refused here
// instead of becoming an enum value kv never expects.
bool to_kv(int value, kv::SortOrder& out) {
  switch (value) {
    case RangeRequest::NONE: out = kv::SortOrder::kNone; return true;
    case RangeRequest::ASCEND: out = kv::SortOrder::kAscend; return true;
    case RangeRequest::DESCEND: out = kv::SortOrder::kDescend; return true;
    default: return false;
  }
}

bool to_kv(int value, kv::SortTarget& out) {
  switch (value) {
    case RangeRequest::KEY: out = kv::SortTarget::kKey; return true;
    case RangeRequest::VERSION: out = kv::SortTarget::kVersion; return true;
    case RangeRequest::CREATE: out = kv::SortTarget::kCreate; return true;
    case RangeRequest::MOD: out = kv::SortTarget::kMod; return true;
    case RangeRequest::VALUE: out = kv::SortTarget::kValue; return true;
    default: return false;
  }
}

bool to_kv(int value, kv::CompareResult& out) {
  switch (value) {
    case Compare::EQUAL: out = kv::CompareResult::kEqual; return true;
    case Compare::GREATER: out = kv::CompareResult::kGreater; return true;
    case Compare::LESS: out = kv::CompareResult::kLess; return true;
    case Compare::NOT_EQUAL: out = kv::CompareResult::kNotEqual; return true;
    default: return false;
  }
}

bool to_kv(int value, kv::CompareTarget& out) {
  switch (value) {
    case Compare::VERSION: out = kv::CompareTarget::kVersion; return true;
    case Compare::CREATE: out = kv::CompareTarget::kCreate; return true;
    case Compare::MOD: out = kv::CompareTarget::kMod; return true;
    case Compare::VALUE: out = kv::CompareTarget::kValue; return true;
    case Compare::LEASE: out = kv::CompareTarget::kLease; return true;
    default: return false;
  }
}

// The RangeRequest fields without etcd's gRPC-layer key check (a Range inside a Txn is checked
// by the store, in etcd's order).
Status range_fields(const RangeRequest& in, kv::RangeRequest& out) {
  out = kv::RangeRequest{};
  if (!to_kv(in.sort_order(), out.sort_order)) {
    // etcd 3.4 sorts only for ASCEND and DESCEND: another order number keeps the key order,
    // whatever the target (which is then never looked at).
    out.sort_order = kv::SortOrder::kAscend;
    out.sort_target = kv::SortTarget::kKey;
  } else if (!to_kv(in.sort_target(), out.sort_target)) {
    // etcd 3.4's Range panics on it (no sorter): refused instead.
    return unknown_enum("sort_target", in.sort_target());
  }
  out.key = in.key();
  out.range_end = in.range_end();
  out.limit = in.limit();
  out.revision = in.revision();
  out.serializable = in.serializable();
  out.keys_only = in.keys_only();
  out.count_only = in.count_only();
  out.min_mod_revision = in.min_mod_revision();
  out.max_mod_revision = in.max_mod_revision();
  out.min_create_revision = in.min_create_revision();
  out.max_create_revision = in.max_create_revision();
  return Status::Ok();
}

void put_fields(const etcdserverpb::PutRequest& in, kv::PutRequest& out) {
  out = kv::PutRequest{};
  out.key = in.key();
  out.value = in.value();
  out.lease = in.lease();
  out.prev_kv = in.prev_kv();
  out.ignore_value = in.ignore_value();
  out.ignore_lease = in.ignore_lease();
}

void delete_fields(const etcdserverpb::DeleteRangeRequest& in, kv::DeleteRangeRequest& out) {
  out = kv::DeleteRangeRequest{};
  out.key = in.key();
  out.range_end = in.range_end();
  out.prev_kv = in.prev_kv();
}

// etcd 3.4's compareKV compares an unknown target as equal and counts an unknown result as a
// match; applyCompare fails a VALUE compare on a range without keys. Rewritten as a compare kv
// knows that holds in exactly the same cases.
kv::Compare compare_with_unknown_enum(const Compare& in) {
  kv::Compare out;
  out.key = in.key();
  out.range_end = in.range_end();
  kv::CompareResult result{};
  kv::CompareTarget target{};
  const bool known_result = to_kv(in.result(), result);
  const bool known_target = to_kv(in.target(), target);
  if (known_target && target == kv::CompareTarget::kValue) {
    // an unknown result on VALUE holds iff the range has keys: create > 0
    out.target = kv::CompareTarget::kCreate;
    out.result = kv::CompareResult::kGreater;
    out.create_revision = 0;
    return out;
  }
  // otherwise it holds always (for every key and for an empty range), unless the target is
  // unknown and the result known: then only EQUAL holds (the comparison came out equal).
  const bool always = known_target || !known_result || result == kv::CompareResult::kEqual;
  out.target = kv::CompareTarget::kVersion;  // versions are >= 0, a missing key's is 0
  out.result = always ? kv::CompareResult::kGreater : kv::CompareResult::kLess;
  out.version = always ? -1 : 0;
  return out;
}

Status compare_fields(const Compare& in, kv::Compare& out) {
  out = kv::Compare{};
  out.key = in.key();
  if (!to_kv(in.result(), out.result) || !to_kv(in.target(), out.target)) {
    out = compare_with_unknown_enum(in);
    return Status::Ok();
  }
  out.range_end = in.range_end();
  // The union member lands in its own field; kv reads the one `target` names, so a member that
  // does not match the target compares against zero (or ""), as in etcd.
  switch (in.target_union_case()) {
    case Compare::kVersion: out.version = in.version(); break;
    case Compare::kCreateRevision: out.create_revision = in.create_revision(); break;
    case Compare::kModRevision: out.mod_revision = in.mod_revision(); break;
    case Compare::kValue: out.value = in.value(); break;
    case Compare::kLease: out.lease = in.lease(); break;
    case Compare::TARGET_UNION_NOT_SET: break;
  }
  return Status::Ok();
}

Status txn_fields(const etcdserverpb::TxnRequest& in, int depth, kv::TxnRequest& out);

Status request_op(const etcdserverpb::RequestOp& in, int depth, kv::RequestOp& out) {
  switch (in.request_case()) {
    case etcdserverpb::RequestOp::kRequestRange:
      return range_fields(in.request_range(), out.request.emplace<kv::RangeRequest>());
    case etcdserverpb::RequestOp::kRequestPut:
      put_fields(in.request_put(), out.request.emplace<kv::PutRequest>());
      return Status::Ok();
    case etcdserverpb::RequestOp::kRequestDeleteRange:
      delete_fields(in.request_delete_range(), out.request.emplace<kv::DeleteRangeRequest>());
      return Status::Ok();
    case etcdserverpb::RequestOp::kRequestTxn:
      return txn_fields(in.request_txn(), depth + 1, out.request.emplace<kv::TxnRequest>());
    case etcdserverpb::RequestOp::REQUEST_NOT_SET:
      break;
  }
  return kv::error_key_not_found();  // etcd's answer to an empty op
}

Status request_ops(const google::protobuf::RepeatedPtrField<etcdserverpb::RequestOp>& in,
                   int depth, std::vector<kv::RequestOp>& out) {
  out.resize(static_cast<size_t>(in.size()));
  for (int i = 0; i < in.size(); ++i) {
    Status status = request_op(in.Get(i), depth, out[static_cast<size_t>(i)]);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// depth: 1 for the top-level Txn, as kv::decode_command counts it.
Status txn_fields(const etcdserverpb::TxnRequest& in, int depth, kv::TxnRequest& out) {
  if (depth > kv::kMaxTxnDepth) {
    return invalid("synod: txn nested more than " + std::to_string(kv::kMaxTxnDepth) +
                   " deep");
  }
  out = kv::TxnRequest{};
  out.compare.resize(static_cast<size_t>(in.compare_size()));
  for (int i = 0; i < in.compare_size(); ++i) {
    Status status = compare_fields(in.compare(i), out.compare[static_cast<size_t>(i)]);
    if (!status.ok()) return status;
  }
  Status status = request_ops(in.success(), depth, out.success);
  if (!status.ok()) return status;
  return request_ops(in.failure(), depth, out.failure);
}

// ---- responses ----

// What etcd's applier writes into a response nested in a Txn: the revision alone.
void nested_header(int64_t revision, etcdserverpb::ResponseHeader& out) {
  out.set_revision(revision);
}

void range_body(const kv::RangeResponse& in, etcdserverpb::RangeResponse& out) {
  out.mutable_kvs()->Reserve(static_cast<int>(in.kvs.size()));
  for (const kv::KeyValue& kv : in.kvs) to_proto(kv, *out.add_kvs());
  out.set_more(in.more);
  out.set_count(in.count);
}

void put_body(const kv::PutResponse& in, etcdserverpb::PutResponse& out) {
  if (in.prev_kv) to_proto(*in.prev_kv, *out.mutable_prev_kv());
}

void delete_body(const kv::DeleteRangeResponse& in, etcdserverpb::DeleteRangeResponse& out) {
  out.set_deleted(in.deleted);
  out.mutable_prev_kvs()->Reserve(static_cast<int>(in.prev_kvs.size()));
  for (const kv::KeyValue& kv : in.prev_kvs) to_proto(kv, *out.add_prev_kvs());
}

void txn_body(const kv::TxnResponse& in, etcdserverpb::TxnResponse& out);

void response_op(const kv::ResponseOp& in, etcdserverpb::ResponseOp& out) {
  if (const auto* range = std::get_if<kv::RangeResponse>(&in.response)) {
    etcdserverpb::RangeResponse& range_out = *out.mutable_response_range();
    nested_header(range->header.revision, *range_out.mutable_header());
    range_body(*range, range_out);
  } else if (const auto* put = std::get_if<kv::PutResponse>(&in.response)) {
    etcdserverpb::PutResponse& put_out = *out.mutable_response_put();
    nested_header(put->header.revision, *put_out.mutable_header());
    put_body(*put, put_out);
  } else if (const auto* remove = std::get_if<kv::DeleteRangeResponse>(&in.response)) {
    etcdserverpb::DeleteRangeResponse& delete_out = *out.mutable_response_delete_range();
    nested_header(remove->header.revision, *delete_out.mutable_header());
    delete_body(*remove, delete_out);
  } else {
    etcdserverpb::TxnResponse& txn_out = *out.mutable_response_txn();
    txn_out.mutable_header();  // present and empty: etcd 3.4 never sets a nested Txn's header
    txn_body(std::get<kv::TxnResponse>(in.response), txn_out);
  }
}

void txn_body(const kv::TxnResponse& in, etcdserverpb::TxnResponse& out) {
  out.set_succeeded(in.succeeded);
  out.mutable_responses()->Reserve(static_cast<int>(in.responses.size()));
  for (const kv::ResponseOp& op : in.responses) response_op(op, *out.add_responses());
}

}  // namespace

Status from_proto(const etcdserverpb::RangeRequest& in, kv::RangeRequest& out) {
  if (in.key().empty()) return kv::error_empty_key();
  return range_fields(in, out);
}

Status from_proto(const etcdserverpb::PutRequest& in, kv::PutRequest& out) {
  if (in.key().empty()) return kv::error_empty_key();
  if (in.ignore_value() && !in.value().empty()) return kv::error_value_provided();
  if (in.ignore_lease() && in.lease() != 0) return kv::error_lease_provided();
  put_fields(in, out);
  return Status::Ok();
}

Status from_proto(const etcdserverpb::DeleteRangeRequest& in, kv::DeleteRangeRequest& out) {
  if (in.key().empty()) return kv::error_empty_key();
  delete_fields(in, out);
  return Status::Ok();
}

Status from_proto(const etcdserverpb::TxnRequest& in, kv::TxnRequest& out) {
  return txn_fields(in, 1, out);
}

Status from_proto(const etcdserverpb::CompactionRequest& in, kv::CompactionRequest& out) {
  out = kv::CompactionRequest{};
  out.revision = in.revision();
  out.physical = in.physical();
  return Status::Ok();
}

void to_proto(const kv::KeyValue& in, mvccpb::KeyValue& out) {
  out.set_key(in.key);
  out.set_create_revision(in.create_revision);
  out.set_mod_revision(in.mod_revision);
  out.set_version(in.version);
  out.set_value(in.value);
  out.set_lease(in.lease);
}

void fill_header(int64_t store_revision, const server::HeaderInfo& header,
                 etcdserverpb::ResponseHeader& out) {
  out.set_cluster_id(header.cluster_id);
  out.set_member_id(header.member_id);
  out.set_raft_term(header.raft_term);
  out.set_revision(store_revision != 0 ? store_revision : header.revision);
}

void to_proto(const kv::RangeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::RangeResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  range_body(in, out);
}

void to_proto(const kv::PutResponse& in, const server::HeaderInfo& header,
              etcdserverpb::PutResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  put_body(in, out);
}

void to_proto(const kv::DeleteRangeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::DeleteRangeResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  delete_body(in, out);
}

void to_proto(const kv::TxnResponse& in, const server::HeaderInfo& header,
              etcdserverpb::TxnResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  txn_body(in, out);
}

void to_proto(const kv::CompactionResponse& in, const server::HeaderInfo& header,
              etcdserverpb::CompactionResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
}

}  // namespace synod::api::etcd
