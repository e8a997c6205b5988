// Fuzz target "api_requests": etcd v3 requests through the server's request path, in process.
//
// Input: a sequence of requests, each u8 selector | request. The selector's low bits choose the
// RPC (Range, Put, DeleteRange, Txn, Compact, LeaseGrant, LeaseRevoke); its top bit says how the
// request is made: raw bytes (u16 length) parsed as that RPC's protobuf, as gRPC would, or a
// request built field by field from the input, which reaches what random bytes rarely parse into
// (oversize keys and values, deep and wide txns, huge ranges, extreme revisions).
// Each request goes the server's way: convert.cc / lease_convert.cc (from_proto), the request
// size limit (a small one, kMaxRequestBytes), the replicated command codec, MvccStore::apply,
// to_proto, grpc_errors.cc. At most kMaxRequests requests per input.
// Invariants: a refusal is INVALID_ARGUMENT or OUT_OF_RANGE before anything is applied; the
// command decodes to what was encoded; a store error carries one of etcd's texts and codes and
// leaves the store as it was (hash, revisions, lease table); a read never changes it; the
// store's invariants hold after every request; every response converts to a protobuf that
// serializes.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/lease_convert.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "kv/command.h"
#include "kv/mvcc_store.h"
#include "replica/request_errors.h"

namespace synod::fuzz {
namespace {

namespace pb = etcdserverpb;
using api::etcd::from_proto;
using api::etcd::to_proto;

enum class Rpc : uint8_t { kRange, kPut, kDeleteRange, kTxn, kCompact, kLeaseGrant, kLeaseRevoke };
constexpr uint8_t kRpcCount = 7;
constexpr uint8_t kRawProtobuf = 0x80;
// Enough for requests to meet (a put, a compaction, a read at an old revision); more made every
// input slower without new paths.
constexpr size_t kMaxRequests = 8;
constexpr int kMaxBuiltTxnDepth = 20;  // past kv::kMaxTxnDepth, to reach its refusal

const server::HeaderInfo kHeader{.cluster_id = 1, .member_id = 1, .revision = 0, .raft_term = 2};

// The request size limit of a server run with a small max_request_bytes: the same comparison as
// the default 1.5 MiB, but keys and values past it cost kilobytes per execution, not megabytes
// (which held the target at 250 executions a second).
constexpr uint64_t kMaxRequestBytes = 4096;

// A choice byte of 63 mod 64 (1 in 64; never 0, which an exhausted input reads) makes a key or
// value just past the request size limit: the limit is reached, and the store, which never sees
// it, stays small and cheap to hash.
bool is_oversize_choice(uint8_t choice) { return choice % 64 == 63; }

std::string oversize_from(FuzzInput& input, char filler) {
  return std::string(kMaxRequestBytes + input.u8(), filler);
}

// Keys are mostly a few short names so that requests meet; sometimes empty, "\0" (everything),
// or just past the request size limit.
std::string key_from(FuzzInput& input) {
  uint8_t choice = input.u8();
  if (is_oversize_choice(choice)) return oversize_from(input, 'k');
  switch (choice % 64) {
    case 0:
    case 1:
    case 2: return "";
    case 3:
    case 4: return std::string(1, '\0');
    case 5:
    case 6:
    case 7:
    case 8: return input.bytes(64);
    default: return std::string(1, static_cast<char>('a' + choice % 5));
  }
}

std::string range_end_from(FuzzInput& input, const std::string& key) {
  switch (input.u8() % 4) {
    case 0: return "";
    case 1: return std::string(1, '\0');
    case 2: return key.empty() ? "z" : key.substr(0, key.size() - 1) + char(key.back() + 1);
    default: return key_from(input);
  }
}

std::string value_from(FuzzInput& input) {
  if (is_oversize_choice(input.u8())) return oversize_from(input, 'v');
  return input.bytes(16);
}

int64_t revision_from(FuzzInput& input) {
  switch (input.u8() % 6) {
    case 0: return 0;
    case 1: return -1;
    case 2: return INT64_MAX;
    case 3: return INT64_MIN;
    default: return input.u8() % 32;
  }
}

void build(FuzzInput& input, pb::RangeRequest& out) {
  out.set_key(key_from(input));
  out.set_range_end(range_end_from(input, out.key()));
  out.set_limit(revision_from(input));
  out.set_revision(revision_from(input));
  out.set_sort_order(static_cast<pb::RangeRequest_SortOrder>(input.u8() % 4));
  out.set_sort_target(static_cast<pb::RangeRequest_SortTarget>(input.u8() % 6));
  uint8_t flags = input.u8();
  out.set_serializable(flags & 1);
  out.set_keys_only(flags & 2);
  out.set_count_only(flags & 4);
  if (flags & 8) out.set_min_mod_revision(revision_from(input));
  if (flags & 16) out.set_max_mod_revision(revision_from(input));
  if (flags & 32) out.set_min_create_revision(revision_from(input));
  if (flags & 64) out.set_max_create_revision(revision_from(input));
}

void build(FuzzInput& input, pb::PutRequest& out) {
  out.set_key(key_from(input));
  out.set_value(value_from(input));
  uint8_t flags = input.u8();
  if (flags & 1) out.set_lease(1 + input.u8() % 4);
  out.set_prev_kv(flags & 2);
  out.set_ignore_value(flags & 4);
  out.set_ignore_lease(flags & 8);
}

void build(FuzzInput& input, pb::DeleteRangeRequest& out) {
  out.set_key(key_from(input));
  out.set_range_end(range_end_from(input, out.key()));
  out.set_prev_kv(input.flag());
}

void build(FuzzInput& input, pb::Compare& out) {
  out.set_result(static_cast<pb::Compare_CompareResult>(input.u8() % 5));
  out.set_target(static_cast<pb::Compare_CompareTarget>(input.u8() % 6));
  out.set_key(key_from(input));
  if (input.flag()) out.set_range_end(range_end_from(input, out.key()));
  switch (input.u8() % 5) {
    case 0: out.set_version(revision_from(input)); break;
    case 1: out.set_create_revision(revision_from(input)); break;
    case 2: out.set_mod_revision(revision_from(input)); break;
    case 3: out.set_value(value_from(input)); break;
    default: out.set_lease(input.u8() % 4); break;
  }
}

void build_txn(FuzzInput& input, pb::TxnRequest& out, int depth);

void build(FuzzInput& input, pb::RequestOp& out, int depth) {
  switch (input.u8() % 5) {
    case 0: build(input, *out.mutable_request_range()); break;
    case 1: build(input, *out.mutable_request_put()); break;
    case 2: build(input, *out.mutable_request_delete_range()); break;
    case 3:
      if (depth < kMaxBuiltTxnDepth) build_txn(input, *out.mutable_request_txn(), depth + 1);
      break;
    default: break;  // no request set: etcd's "key not found"
  }
}

// Wide: up to 255 compares and ops per branch (past the store's max_txn_ops of 128).
void build_txn(FuzzInput& input, pb::TxnRequest& out, int depth) {
  uint8_t shape = input.u8();
  size_t width = shape % 8 == 0 ? input.u8() : shape % 4;
  for (size_t i = 0; i < (shape >> 4) % 4 && !input.empty(); ++i) build(input, *out.add_compare());
  for (size_t i = 0; i < width && !input.empty(); ++i) build(input, *out.add_success(), depth);
  for (size_t i = 0; i < (shape >> 6) && !input.empty(); ++i) build(input, *out.add_failure(), depth);
}

void build(FuzzInput& input, pb::TxnRequest& out) { build_txn(input, out, 1); }

void build(FuzzInput& input, pb::CompactionRequest& out) {
  out.set_revision(revision_from(input));
  out.set_physical(input.flag());
}

void build(FuzzInput& input, pb::LeaseGrantRequest& out) {
  out.set_id(input.u8() % 6);
  switch (input.u8() % 4) {
    case 0: out.set_ttl(input.i64()); break;
    case 1: out.set_ttl(kv::kMaxLeaseTtlSeconds + input.u8()); break;
    default: out.set_ttl(input.u8()); break;
  }
}

void build(FuzzInput& input, pb::LeaseRevokeRequest& out) { out.set_id(input.u8() % 6); }

// What a refused request must leave as it was. Cheaper than the store's snapshot bytes and as
// strict for this purpose. Computed once per applied request: the state after one request is
// the state before the next.
struct StoreState {
  uint64_t hash = 0;
  int64_t revision = 0;
  int64_t compacted_revision = 0;
  std::map<int64_t, std::pair<int64_t, int64_t>> leases;  // id -> ttl, remaining_ttl
  std::map<int64_t, std::set<std::string>> lease_keys;
  bool operator==(const StoreState&) const = default;
};

StoreState state_of(const kv::MvccStore& store) {
  StoreState state{.hash = store.hash(0).hash,
                   .revision = store.current_revision(),
                   .compacted_revision = store.compacted_revision()};
  for (const auto& [id, lease] : store.leases()) {
    state.leases[id] = {lease.ttl, lease.remaining_ttl};
    state.lease_keys[id] = lease.keys;
  }
  return state;
}

// The store every input starts from; built once, copied per input.
kv::MvccStore initial_store() {
  kv::MvccStore store;
  kv::LeaseGrantResponse granted;
  store.lease_grant({.id = 1, .ttl = 60}, granted);
  kv::PutResponse put;
  store.put({.key = "a", .value = "1"}, put);
  store.put({.key = "b", .value = "2", .lease = 1}, put);
  store.put({.key = "a", .value = "3"}, put);
  return store;
}

class RequestPath {
 public:
  RequestPath(const kv::MvccStore& store, const StoreState& state) : store_(store), state_(state) {}

  template <typename Proto, typename KvRequest, typename KvResponse, typename ProtoResponse>
  void serve(FuzzInput& input, bool raw) {
    Proto proto;
    if (raw) {
      if (!proto.ParseFromString(input.take(input.u16()))) return;  // gRPC refuses it first
    } else {
      build(input, proto);
    }
    KvRequest request;
    Status refused = from_proto(proto, request);
    if (!refused.ok()) {
      grpc::StatusCode code = api::etcd::to_grpc_status(refused).error_code();
      FUZZ_CHECK(code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::OUT_OF_RANGE);
      return;
    }
    kv::Command command(std::move(request));
    std::string bytes = kv::encode_command(command);
    kv::Command decoded;
    FUZZ_CHECK(kv::decode_command(bytes, decoded).ok());
    FUZZ_CHECK(decoded == command);
    if (bytes.size() > kMaxRequestBytes) {
      FUZZ_CHECK(api::etcd::to_grpc_status(replica::error_request_too_large()).error_code() ==
                 grpc::StatusCode::INVALID_ARGUMENT);
      return;
    }
    kv::ApplyResult result = store_.apply(bytes);
    FUZZ_CHECK(store_.check_invariants().ok());
    const StoreState before = std::move(state_);
    state_ = state_of(store_);
    if (!result.status.ok()) {
      FUZZ_CHECK(state_ == before);
      FUZZ_CHECK(result.events.empty());
      FUZZ_CHECK(result.status.message().starts_with("etcdserver: "));
      grpc::StatusCode code = api::etcd::to_grpc_status(result.status).error_code();
      FUZZ_CHECK(code != grpc::StatusCode::UNKNOWN && code != grpc::StatusCode::INTERNAL &&
                 code != grpc::StatusCode::OK);
      return;
    }
    if constexpr (std::is_same_v<KvRequest, kv::RangeRequest>) FUZZ_CHECK(state_ == before);
    const auto* response = std::get_if<KvResponse>(&result.response);
    FUZZ_CHECK(response != nullptr);
    ProtoResponse out;
    to_proto(*response, kHeader, out);
    std::string serialized;
    FUZZ_CHECK(out.SerializeToString(&serialized));
  }

 private:
  kv::MvccStore store_;
  StoreState state_;  // state_of(store_), kept up to date
};

}  // namespace
}  // namespace synod::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace synod;
  using namespace synod::fuzz;
  FuzzInput input(std::string_view(reinterpret_cast<const char*>(data), size));
  static const kv::MvccStore store = initial_store();
  static const StoreState state = state_of(store);
  RequestPath path(store, state);
  for (size_t i = 0; i < kMaxRequests && !input.empty(); ++i) {
    uint8_t selector = input.u8();
    bool raw = (selector & kRawProtobuf) != 0;
    switch (static_cast<Rpc>((selector & 0x7f) % kRpcCount)) {
      case Rpc::kRange:
        path.serve<pb::RangeRequest, kv::RangeRequest, kv::RangeResponse, pb::RangeResponse>(input, raw);
        break;
      case Rpc::kPut:
        path.serve<pb::PutRequest, kv::PutRequest, kv::PutResponse, pb::PutResponse>(input, raw);
        break;
      case Rpc::kDeleteRange:
        path.serve<pb::DeleteRangeRequest, kv::DeleteRangeRequest, kv::DeleteRangeResponse,
                   pb::DeleteRangeResponse>(input, raw);
        break;
      case Rpc::kTxn:
        path.serve<pb::TxnRequest, kv::TxnRequest, kv::TxnResponse, pb::TxnResponse>(input, raw);
        break;
      case Rpc::kCompact:
        path.serve<pb::CompactionRequest, kv::CompactionRequest, kv::CompactionResponse,
                   pb::CompactionResponse>(input, raw);
        break;
      case Rpc::kLeaseGrant:
        path.serve<pb::LeaseGrantRequest, kv::LeaseGrantRequest, kv::LeaseGrantResponse,
                   pb::LeaseGrantResponse>(input, raw);
        break;
      case Rpc::kLeaseRevoke:
        path.serve<pb::LeaseRevokeRequest, kv::LeaseRevokeRequest, kv::LeaseRevokeResponse,
                   pb::LeaseRevokeResponse>(input, raw);
        break;
    }
  }
  return 0;
}

namespace synod::fuzz {

namespace {

std::string raw(Rpc rpc, const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  std::string out(1, static_cast<char>(kRawProtobuf | static_cast<uint8_t>(rpc)));
  out.push_back(static_cast<char>(bytes.size() & 0xff));
  out.push_back(static_cast<char>(bytes.size() >> 8));
  return out + bytes;
}

}  // namespace

std::vector<SeedInput> seed_inputs() {
  pb::RangeRequest range_all;
  range_all.set_key(std::string(1, '\0'));
  range_all.set_range_end(std::string(1, '\0'));
  range_all.set_sort_order(pb::RangeRequest::DESCEND);
  pb::PutRequest put;
  put.set_key("c");
  put.set_value("v");
  put.set_prev_kv(true);
  pb::PutRequest put_leased = put;
  put_leased.set_lease(1);
  pb::DeleteRangeRequest delete_prefix;
  delete_prefix.set_key("a");
  delete_prefix.set_range_end("b");
  pb::TxnRequest txn;
  pb::Compare* compare = txn.add_compare();
  compare->set_key("a");
  compare->set_target(pb::Compare::VALUE);
  compare->set_value("3");
  *txn.add_success()->mutable_request_put() = put;
  *txn.add_failure()->mutable_request_range() = range_all;
  pb::TxnRequest nested;
  *nested.add_success()->mutable_request_txn() = txn;
  pb::CompactionRequest compact;
  compact.set_revision(3);
  pb::LeaseGrantRequest grant;
  grant.set_id(5);
  grant.set_ttl(30);
  pb::LeaseRevokeRequest revoke;
  revoke.set_id(1);
  return {
      {"raw-range", raw(Rpc::kRange, range_all)},
      {"raw-put-range", raw(Rpc::kPut, put) + raw(Rpc::kRange, range_all)},
      {"raw-put-leased", raw(Rpc::kPut, put_leased)},
      {"raw-delete", raw(Rpc::kDeleteRange, delete_prefix)},
      {"raw-txn", raw(Rpc::kTxn, txn)},
      {"raw-nested-txn", raw(Rpc::kTxn, nested)},
      {"raw-compact-range", raw(Rpc::kCompact, compact) + raw(Rpc::kRange, range_all)},
      {"raw-lease-grant-revoke", raw(Rpc::kLeaseGrant, grant) + raw(Rpc::kLeaseRevoke, revoke)},
      {"built-mixed", std::string("\x01\x05\x04\x00\x06\x03\x22\x01\x07\x06\x05\x03\x00\x04\x12", 15)},
      {"built-wide-txn", std::string("\x03\x00\xff") + std::string(200, '\x01')},
      {"built-deep-txn", std::string("\x03\x01") + std::string(60, '\x03')},
      // Built Puts: key "e" or a key 1 byte past the size limit; value empty or 2 bytes past it.
      {"built-oversize-key", "\x01\x3f\x01"},
      {"built-oversize-value", "\x01\x09\x3f\x02"},
  };
}

}  // namespace synod::fuzz
