#pragma once
// etcd's protobuf messages <-> the MVCC store's types (kv/types.h), field for field.
//
// Requests (from_proto) refuse with kInvalidArgument:
//   - what etcd's gRPC layer refuses before proposing (v3rpc/key.go), with its texts: an empty key
//     in a Range, Put or DeleteRange; ignore_value with a value; ignore_lease with a lease; a
//     RequestOp with no request set ("etcdserver: key not found", as etcd says for an empty op);
//   - what kv cannot represent, with synod's own texts ("synod: unknown sort_target 7"): a
//     sort_target the .proto does not define (protobuf keeps unknown numbers of open enums; etcd
//     3.4 panics on it), a Txn nested deeper than kv::kMaxTxnDepth (etcd has no such limit).
// Other unknown enum numbers are served as etcd 3.4 serves them: an unknown sort_order keeps the
// key order; a Compare with an unknown result or target becomes the compare kv knows that
// holds in the same cases (etcd's compareKV: an unknown target compares equal, an unknown
// result matches).
// A Txn's other checks (too many operations, empty keys, duplicate keys) are the store's
// (kv/txn_validation.h), which runs them in etcd's order with the node's max_txn_ops. So a Txn
// that is both too long and holds an empty op gets "key not found" here, "too many operations"
// from etcd.
//
// Responses (to_proto) fill the top-level header as etcd's v3rpc header.fill does: cluster_id,
// member_id and raft_term from the node, the revision from the store's response (the node's only
// when the store left it 0). Responses nested in a Txn carry a header with their revision only, and
// a nested Txn's header stays empty, as etcd 3.4's applier leaves them.
#include "core/status.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "kv/types.h"
#include "server/node.h"

namespace synod::api::etcd {

Status from_proto(const etcdserverpb::RangeRequest& in, kv::RangeRequest& out);
Status from_proto(const etcdserverpb::PutRequest& in, kv::PutRequest& out);
Status from_proto(const etcdserverpb::DeleteRangeRequest& in, kv::DeleteRangeRequest& out);
Status from_proto(const etcdserverpb::TxnRequest& in, kv::TxnRequest& out);
Status from_proto(const etcdserverpb::CompactionRequest& in, kv::CompactionRequest& out);

void to_proto(const kv::KeyValue& in, mvccpb::KeyValue& out);
void to_proto(const kv::RangeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::RangeResponse& out);
void to_proto(const kv::PutResponse& in, const server::HeaderInfo& header,
              etcdserverpb::PutResponse& out);
void to_proto(const kv::DeleteRangeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::DeleteRangeResponse& out);
void to_proto(const kv::TxnResponse& in, const server::HeaderInfo& header,
              etcdserverpb::TxnResponse& out);
void to_proto(const kv::CompactionResponse& in, const server::HeaderInfo& header,
              etcdserverpb::CompactionResponse& out);

// A top-level response header: the node's identity and term; `store_revision` unless it is 0.
void fill_header(int64_t store_revision, const server::HeaderInfo& header,
                 etcdserverpb::ResponseHeader& out);

}  // namespace synod::api::etcd
