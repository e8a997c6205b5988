// RapidCheck: random puts, deletes, txns (nested, with reads between their writes), lease
// grants and revocations (with keys attached and detached) and compactions agree with a simple reference model (one std::map per revision):
// errors, reads inside txns, reads at the current revision and at every past revision not
// compacted away; the same commands through apply() give the same snapshot bytes.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "kv/command.h"
#include "kv/errors.h"
#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

const std::vector<std::string> kKeys = {"a", "b", "c", "d", "e"};
const std::string kAll("\0", 1);

// The reference: the whole key space at every revision, rebuilt by plain map operations.
struct Model {
  std::vector<std::map<std::string, KeyValue>> states{{}, {}};  // index = revision; 0 unused
  int64_t compacted = -1;
  std::set<int64_t> leases;  // granted and not revoked
  int64_t current() const { return static_cast<int64_t>(states.size()) - 1; }
  const std::map<std::string, KeyValue>& now() const { return states.back(); }
};

bool in_range(const std::string& key, const std::string& begin, const std::string& end) {
  if (end.empty()) return key == begin;
  if (end == kAll) return key >= begin;
  return key >= begin && key < end;
}

// Applies one put to `state` at `revision`; the error if the put is refused ("" if not).
std::string_view model_put(std::map<std::string, KeyValue>& state, const std::set<int64_t>& leases,
                           const PutRequest& put, int64_t revision) {
  if (put.lease != 0 && leases.count(put.lease) == 0) return kErrLeaseNotFound;
  auto found = state.find(put.key);
  if ((put.ignore_value || put.ignore_lease) && found == state.end()) return kErrKeyNotFound;
  KeyValue kv{put.key, revision, revision, 1, put.value, put.lease};
  if (found != state.end()) {
    kv.create_revision = found->second.create_revision;
    kv.version = found->second.version + 1;
    if (put.ignore_value) kv.value = found->second.value;
    if (put.ignore_lease) kv.lease = found->second.lease;
  }
  state[put.key] = kv;
  return {};
}

int64_t model_delete(std::map<std::string, KeyValue>& state, const DeleteRangeRequest& request) {
  return static_cast<int64_t>(std::erase_if(state, [&](const auto& entry) {
    return in_range(entry.first, request.key, request.range_end);
  }));
}

bool model_compare(const std::map<std::string, KeyValue>& state, const Compare& compare) {
  auto found = state.find(compare.key);
  if (compare.target == CompareTarget::kValue)
    return found != state.end() && found->second.value == compare.value;
  int64_t version = found == state.end() ? 0 : found->second.version;
  return version == compare.version;
}

// A Txn applied to the model: compares against the state before it, writes into `next`, and the
// all-keys reads inside it recorded in execution order.
struct TxnModel {
  const std::map<std::string, KeyValue>& before;
  std::map<std::string, KeyValue>& next;
  const std::set<int64_t>& leases;
  int64_t revision;
  bool changed = false;
  std::vector<std::vector<KeyValue>> reads;
};

// The first refused put's error ("" if none). Generated branches write distinct keys (nested Txns other
// keys than their parent), so `next` holds a key exactly when `before` (what the store checks) does.
std::string_view model_txn(TxnModel& model, const TxnRequest& txn) {
  bool succeeded = model_compare(model.before, txn.compare.front());
  for (const RequestOp& op : succeeded ? txn.success : txn.failure) {
    if (auto* put = std::get_if<PutRequest>(&op.request)) {
      std::string_view error = model_put(model.next, model.leases, *put, model.revision);
      if (!error.empty()) return error;
      model.changed = true;
    } else if (auto* remove = std::get_if<DeleteRangeRequest>(&op.request)) {
      model.changed = model_delete(model.next, *remove) > 0 || model.changed;
    } else if (std::holds_alternative<RangeRequest>(op.request)) {
      std::vector<KeyValue>& read = model.reads.emplace_back();
      for (const auto& entry : model.next) read.push_back(entry.second);
    } else if (std::string_view error = model_txn(model, std::get<TxnRequest>(op.request));
               !error.empty()) {
      return error;
    }
  }
  return {};
}

struct Expected {
  std::string_view error;                        // "" for none
  std::vector<std::vector<KeyValue>> txn_reads;  // a Txn's reads, in order
};

// Applies the command to the model and says what the store must answer.
Expected model_apply(Model& model, const Command& command) {
  std::map<std::string, KeyValue> next = model.now();
  int64_t revision = model.current() + 1;
  bool changed = false;
  Expected expected;
  if (auto* put = std::get_if<PutRequest>(&command)) {
    std::string_view error = model_put(next, model.leases, *put, revision);
    if (!error.empty()) return {error, {}};
    changed = true;
  } else if (auto* remove = std::get_if<DeleteRangeRequest>(&command)) {
    changed = model_delete(next, *remove) > 0;
  } else if (auto* revoke = std::get_if<LeaseRevokeRequest>(&command)) {
    if (model.leases.erase(revoke->id) == 0) return {kErrLeaseNotFound, {}};
    changed = std::erase_if(next, [&](const auto& e) { return e.second.lease == revoke->id; }) > 0;
  } else if (auto* grant = std::get_if<LeaseGrantRequest>(&command)) {
    if (!model.leases.insert(grant->id).second) return {kErrLeaseExists, {}};
  } else if (auto* compact = std::get_if<CompactionRequest>(&command)) {
    model.compacted = compact->revision;
    return expected;
  } else {
    TxnModel txn{model.now(), next, model.leases, revision, false, {}};
    if (std::string_view error = model_txn(txn, std::get<TxnRequest>(command)); !error.empty())
      return {error, {}};
    changed = txn.changed;
    expected.txn_reads = std::move(txn.reads);
  }
  if (changed) model.states.push_back(std::move(next));
  return expected;
}

PutRequest random_put() {
  PutRequest put;
  put.key = *rc::gen::elementOf(kKeys);
  put.value = *rc::gen::element<std::string>("", "x", "y", "z");
  put.lease = *rc::gen::inRange<int64_t>(0, 3);
  put.ignore_value = *rc::gen::weightedElement<bool>({{5, false}, {1, true}});
  put.ignore_lease = *rc::gen::weightedElement<bool>({{5, false}, {1, true}});
  if (put.ignore_value) put.value.clear();
  if (put.ignore_lease) put.lease = 0;
  return put;
}

DeleteRangeRequest random_delete() {
  DeleteRangeRequest request;
  request.key = *rc::gen::elementOf(kKeys);
  int shape = *rc::gen::inRange(0, 3);
  if (shape == 1) request.range_end = *rc::gen::elementOf(kKeys);
  if (shape == 2) request.range_end = kAll;
  return request;
}

Compare random_compare() {
  Compare compare;
  compare.key = *rc::gen::elementOf(kKeys);
  compare.target = *rc::gen::element(CompareTarget::kVersion, CompareTarget::kValue);
  compare.version = *rc::gen::inRange<int64_t>(0, 3);
  compare.value = *rc::gen::element<std::string>("x", "y");
  return compare;
}

RequestOp all_keys_read() {
  RequestOp op;
  RangeRequest& range = op.request.emplace<RangeRequest>();
  range.key = kAll;
  range.range_end = kAll;
  return op;
}

// A branch that writes each of `keys` at most once, reads all keys here and there, and may hold a
// nested Txn over keys it does not write itself: never a duplicate key.
std::vector<RequestOp> random_branch(const std::vector<std::string>& keys, int depth) {
  auto picked = *rc::gen::container<std::vector<bool>>(keys.size(), rc::gen::arbitrary<bool>());
  std::vector<RequestOp> ops;
  std::vector<std::string> left;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!picked[i]) {
      left.push_back(keys[i]);
    } else if (*rc::gen::arbitrary<bool>()) {
      PutRequest& put = ops.emplace_back().request.emplace<PutRequest>(random_put());
      put.key = keys[i];
    } else {
      ops.emplace_back().request.emplace<DeleteRangeRequest>(DeleteRangeRequest{keys[i], "", false});
    }
  }
  if (!ops.empty()) {  // writes in any key order
    auto first = static_cast<std::ptrdiff_t>(*rc::gen::inRange<size_t>(0, ops.size()));
    std::rotate(ops.begin(), ops.begin() + first, ops.end());
  }
  auto insert_somewhere = [&ops](RequestOp op) {
    size_t at = *rc::gen::inRange<size_t>(0, ops.size() + 1);
    ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(at), std::move(op));
  };
  int reads = *rc::gen::inRange(0, 3);
  for (int i = 0; i < reads; ++i) insert_somewhere(all_keys_read());
  if (depth < 3 && !left.empty() && *rc::gen::weightedElement<bool>({{2, false}, {1, true}})) {
    RequestOp nested;
    nested.request.emplace<TxnRequest>(TxnRequest{
        {random_compare()}, random_branch(left, depth + 1), random_branch(left, depth + 1)});
    insert_somewhere(std::move(nested));
  }
  return ops;
}

Command random_command(const Model& model) {
  switch (*rc::gen::weightedElement<int>({{5, 0}, {2, 1}, {3, 2}, {1, 3}, {1, 4}, {2, 5}})) {
    case 0: return random_put();
    case 1: return random_delete();
    case 2: return TxnRequest{{random_compare()}, random_branch(kKeys, 0), random_branch(kKeys, 0)};
    case 3: return LeaseRevokeRequest{*rc::gen::inRange<int64_t>(1, 3)};
    case 5: return LeaseGrantRequest{*rc::gen::inRange<int64_t>(1, 3), 60};
    default: {
      if (model.compacted >= model.current()) return random_put();
      int64_t from = std::max<int64_t>(model.compacted + 1, 1);
      return CompactionRequest{*rc::gen::inRange<int64_t>(from, model.current() + 1), false};
    }
  }
}

void collect_reads(const TxnResponse& response, std::vector<std::vector<KeyValue>>& reads) {
  for (const ResponseOp& op : response.responses) {
    if (auto* range = std::get_if<RangeResponse>(&op.response)) reads.push_back(range->kvs);
    if (auto* nested = std::get_if<TxnResponse>(&op.response)) collect_reads(*nested, reads);
  }
}

Status store_apply(MvccStore& store, const Command& command,
                   std::vector<std::vector<KeyValue>>& txn_reads) {
  if (auto* put = std::get_if<PutRequest>(&command)) {
    PutResponse response;
    return store.put(*put, response);
  }
  if (auto* remove = std::get_if<DeleteRangeRequest>(&command)) {
    DeleteRangeResponse response;
    return store.delete_range(*remove, response);
  }
  if (auto* txn = std::get_if<TxnRequest>(&command)) {
    TxnResponse response;
    Status status = store.txn(*txn, response);
    collect_reads(response, txn_reads);
    return status;
  }
  if (auto* revoke = std::get_if<LeaseRevokeRequest>(&command)) {
    LeaseRevokeResponse response;
    return store.lease_revoke(*revoke, response);
  }
  if (auto* grant = std::get_if<LeaseGrantRequest>(&command)) {
    LeaseGrantResponse response;
    return store.lease_grant(*grant, response);
  }
  CompactionResponse response;
  return store.compact(std::get<CompactionRequest>(command), response);
}

std::vector<KeyValue> store_read(const MvccStore& store, int64_t revision) {
  RangeRequest request;
  request.key = kAll;
  request.range_end = kAll;
  request.revision = revision;
  RangeResponse response;
  Status status = store.range(request, response);
  RC_ASSERT(status.ok());
  RC_ASSERT(response.count == static_cast<int64_t>(response.kvs.size()));
  return response.kvs;
}

std::vector<KeyValue> model_read(const Model& model, int64_t revision) {
  std::vector<KeyValue> kvs;
  for (const auto& [key, kv] : model.states[revision]) kvs.push_back(kv);
  return kvs;
}

RC_GTEST_PROP(ModelProperty, StoreAgreesWithTheReferenceModelAtEveryRevision, ()) {
  MvccStore direct, replicated;
  Model model;
  int count = *rc::gen::inRange(1, 60);
  for (int i = 0; i < count; ++i) {
    Command command = random_command(model);
    Expected expected = model_apply(model, command);
    std::vector<std::vector<KeyValue>> txn_reads;
    Status status = store_apply(direct, command, txn_reads);
    RC_ASSERT(status.message() == expected.error);
    RC_ASSERT(txn_reads == expected.txn_reads);
    ApplyResult applied = replicated.apply(encode_command(command));
    RC_ASSERT(applied.status.message() == expected.error);
    RC_ASSERT(direct.check_invariants().ok());
    RC_ASSERT(direct.current_revision() == model.current());
    RC_ASSERT(store_read(direct, 0) == model_read(model, model.current()));
  }
  RC_ASSERT(direct.compacted_revision() == model.compacted);
  for (int64_t revision = 1; revision <= model.current(); ++revision) {
    if (revision < model.compacted) {
      RangeRequest request;
      request.key = kAll;
      request.revision = revision;
      RangeResponse response;
      RC_ASSERT(direct.range(request, response).message() == kErrCompacted);
    } else {
      RC_ASSERT(store_read(direct, revision) == model_read(model, revision));
    }
  }
  std::string bytes = direct.snapshot();
  RC_ASSERT(replicated.snapshot() == bytes);
  MvccStore restored;
  RC_ASSERT(restored.restore(bytes).ok());
  RC_ASSERT(restored.snapshot() == bytes);
  RC_ASSERT(restored.hash(0).hash == direct.hash(0).hash);
}

}  // namespace
}  // namespace synod::kv
