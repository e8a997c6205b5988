#pragma once
// Requests and responses of the MVCC store, field for field after etcd's rpc.proto (etcdserverpb)
// and kv.proto (mvccpb), so that a gRPC layer maps them 1:1. Enum values equal the protobuf
// numbers. Keys and values are arbitrary bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace synod::kv {

// mvccpb.KeyValue.
struct KeyValue {
  std::string key;
  int64_t create_revision = 0;  // revision of the put that created the key (this generation)
  int64_t mod_revision = 0;     // revision of the last put or delete of the key
  int64_t version = 0;          // 1 at creation, +1 per put; a delete resets it to 0
  std::string value;
  int64_t lease = 0;  // 0: no lease
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// cluster_id, member_id and raft_term are the server's to fill; the store knows only revisions.
struct ResponseHeader {
  int64_t revision = 0;
  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

enum class SortOrder : uint8_t { kNone = 0, kAscend = 1, kDescend = 2 };
enum class SortTarget : uint8_t { kKey = 0, kVersion = 1, kCreate = 2, kMod = 3, kValue = 4 };

// range_end: empty = the single key `key`; "\0" = every key >= key (with key "\0": all keys);
// otherwise the half-open interval [key, range_end). A prefix p is [p, p with last byte + 1).
struct RangeRequest {
  std::string key;
  std::string range_end;
  int64_t limit = 0;     // <= 0: no limit
  int64_t revision = 0;  // <= 0: the current revision
  SortOrder sort_order = SortOrder::kNone;
  SortTarget sort_target = SortTarget::kKey;
  bool serializable = false;  // a server concern; the store ignores it
  bool keys_only = false;
  bool count_only = false;
  int64_t min_mod_revision = 0;  // 0: no bound (for all four)
  int64_t max_mod_revision = 0;
  int64_t min_create_revision = 0;
  int64_t max_create_revision = 0;
  friend bool operator==(const RangeRequest&, const RangeRequest&) = default;
};

struct RangeResponse {
  ResponseHeader header;
  std::vector<KeyValue> kvs;
  bool more = false;  // the limit cut the result
  int64_t count = 0;  // keys in the range at the revision, before filters and limit
  friend bool operator==(const RangeResponse&, const RangeResponse&) = default;
};

struct PutRequest {
  std::string key;
  std::string value;
  int64_t lease = 0;
  bool prev_kv = false;
  bool ignore_value = false;  // keep the current value (the key must exist)
  bool ignore_lease = false;  // keep the current lease (the key must exist)
  friend bool operator==(const PutRequest&, const PutRequest&) = default;
};

struct PutResponse {
  ResponseHeader header;
  std::optional<KeyValue> prev_kv;
  friend bool operator==(const PutResponse&, const PutResponse&) = default;
};

struct DeleteRangeRequest {
  std::string key;
  std::string range_end;  // as in RangeRequest
  bool prev_kv = false;
  friend bool operator==(const DeleteRangeRequest&, const DeleteRangeRequest&) = default;
};

struct DeleteRangeResponse {
  ResponseHeader header;
  int64_t deleted = 0;
  std::vector<KeyValue> prev_kvs;
  friend bool operator==(const DeleteRangeResponse&, const DeleteRangeResponse&) = default;
};

enum class CompareResult : uint8_t { kEqual = 0, kGreater = 1, kLess = 2, kNotEqual = 3 };
enum class CompareTarget : uint8_t { kVersion = 0, kCreate = 1, kMod = 2, kValue = 3, kLease = 4 };

// The protobuf's target_union is the field named by `target`; the others are ignored.
struct Compare {
  CompareResult result = CompareResult::kEqual;
  CompareTarget target = CompareTarget::kVersion;
  std::string key;
  std::string range_end;  // as in RangeRequest: every key in the range must satisfy the compare
  int64_t version = 0;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  std::string value;
  int64_t lease = 0;
  friend bool operator==(const Compare&, const Compare&) = default;
};

struct RequestOp;
struct TxnRequest {
  std::vector<Compare> compare;
  std::vector<RequestOp> success;
  std::vector<RequestOp> failure;
  friend bool operator==(const TxnRequest&, const TxnRequest&);
};

struct RequestOp {
  std::variant<RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest> request;
  friend bool operator==(const RequestOp&, const RequestOp&) = default;
};
inline bool operator==(const TxnRequest& a, const TxnRequest& b) {
  return a.compare == b.compare && a.success == b.success && a.failure == b.failure;
}

struct ResponseOp;
struct TxnResponse {
  ResponseHeader header;
  bool succeeded = false;
  std::vector<ResponseOp> responses;
  friend bool operator==(const TxnResponse&, const TxnResponse&);
};

struct ResponseOp {
  std::variant<RangeResponse, PutResponse, DeleteRangeResponse, TxnResponse> response;
  friend bool operator==(const ResponseOp&, const ResponseOp&) = default;
};
inline bool operator==(const TxnResponse& a, const TxnResponse& b) {
  return a.header == b.header && a.succeeded == b.succeeded && a.responses == b.responses;
}

struct CompactionRequest {
  int64_t revision = 0;
  bool physical = false;  // no background work here: compaction is always complete on return
  friend bool operator==(const CompactionRequest&, const CompactionRequest&) = default;
};

struct CompactionResponse {
  ResponseHeader header;
  friend bool operator==(const CompactionResponse&, const CompactionResponse&) = default;
};

// Deletes every key attached to the lease, in one revision (etcd's LeaseRevoke, keys part only).
struct LeaseRevokeRequest {
  int64_t id = 0;
  friend bool operator==(const LeaseRevokeRequest&, const LeaseRevokeRequest&) = default;
};

struct LeaseRevokeResponse {
  ResponseHeader header;
  friend bool operator==(const LeaseRevokeResponse&, const LeaseRevokeResponse&) = default;
};

// mvccpb.Event: what a write changed, in order, for watches. A DELETE's kv carries the key and
// the deleting revision only, as in etcd.
struct Event {
  enum class Type : uint8_t { kPut = 0, kDelete = 1 };
  Type type = Type::kPut;
  KeyValue kv;
  std::optional<KeyValue> prev_kv;  // always filled when the key existed; a watch may drop it
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace synod::kv
