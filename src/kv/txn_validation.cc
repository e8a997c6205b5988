#include "kv/txn_validation.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "kv/errors.h"
#include "kv/key_range.h"

namespace synod::kv {
namespace {

Status check_ops(const std::vector<RequestOp>& ops, int64_t max_txn_ops);

Status check_txn(const TxnRequest& request, int64_t max_txn_ops) {
  int64_t longest = static_cast<int64_t>(
      std::max({request.compare.size(), request.success.size(), request.failure.size()}));
  if (longest > max_txn_ops) return error_too_many_ops();
  for (const Compare& compare : request.compare) {
    if (compare.key.empty()) return error_empty_key();
  }
  Status status = check_ops(request.success, max_txn_ops - longest);
  if (!status.ok()) return status;
  return check_ops(request.failure, max_txn_ops - longest);
}

Status check_op(const RequestOp& op, int64_t max_txn_ops) {
  if (auto* range = std::get_if<RangeRequest>(&op.request)) {
    if (range->key.empty()) return error_empty_key();
  } else if (auto* put = std::get_if<PutRequest>(&op.request)) {
    if (put->key.empty()) return error_empty_key();
    if (put->ignore_value && !put->value.empty()) return error_value_provided();
    if (put->ignore_lease && put->lease != 0) return error_lease_provided();
  } else if (auto* remove = std::get_if<DeleteRangeRequest>(&op.request)) {
    if (remove->key.empty()) return error_empty_key();
  } else {
    return check_txn(std::get<TxnRequest>(op.request), max_txn_ops);
  }
  return Status::Ok();
}

Status check_ops(const std::vector<RequestOp>& ops, int64_t max_txn_ops) {
  for (const RequestOp& op : ops) {
    Status status = check_op(op, max_txn_ops);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// What one branch writes, nested Txns included.
struct Writes {
  std::set<std::string> puts;
  std::vector<KeyRange> deletes;
  bool deleted(const std::string& key) const {
    return std::any_of(deletes.begin(), deletes.end(),
                       [&key](const KeyRange& range) { return range.contains(key); });
  }
};

Status collect_writes(const std::vector<RequestOp>& ops, Writes& writes);

// Adds a nested Txn's puts; a key put by both of its branches counts once.
Status add_nested_puts(const Writes& nested, const std::set<std::string>& other_branch,
                       Writes& writes) {
  for (const std::string& key : nested.puts) {
    if (writes.puts.count(key) != 0 && other_branch.count(key) == 0) return error_duplicate_key();
    if (writes.deleted(key)) return error_duplicate_key();
    writes.puts.insert(key);
  }
  return Status::Ok();
}

Status collect_nested(const TxnRequest& nested, Writes& writes) {
  Writes then_writes, else_writes;
  Status status = collect_writes(nested.success, then_writes);
  if (status.ok()) status = collect_writes(nested.failure, else_writes);
  if (status.ok()) status = add_nested_puts(then_writes, {}, writes);
  if (status.ok()) status = add_nested_puts(else_writes, then_writes.puts, writes);
  if (!status.ok()) return status;
  for (Writes* branch : {&then_writes, &else_writes}) {
    writes.deletes.insert(writes.deletes.end(), branch->deletes.begin(), branch->deletes.end());
  }
  return Status::Ok();
}

// etcd's checkIntervals: this level's deletes first, then the nested Txns, then this level's puts.
Status collect_writes(const std::vector<RequestOp>& ops, Writes& writes) {
  for (const RequestOp& op : ops) {
    if (auto* remove = std::get_if<DeleteRangeRequest>(&op.request))
      writes.deletes.emplace_back(remove->key, remove->range_end);
  }
  for (const RequestOp& op : ops) {
    if (auto* nested = std::get_if<TxnRequest>(&op.request)) {
      Status status = collect_nested(*nested, writes);
      if (!status.ok()) return status;
    }
  }
  for (const RequestOp& op : ops) {
    auto* put = std::get_if<PutRequest>(&op.request);
    if (put == nullptr) continue;
    if (writes.puts.count(put->key) != 0 || writes.deleted(put->key)) return error_duplicate_key();
    writes.puts.insert(put->key);
  }
  return Status::Ok();
}

}  // namespace

Status validate_txn_request(const TxnRequest& request, int64_t max_txn_ops) {
  Status status = check_txn(request, max_txn_ops);
  if (!status.ok()) return status;
  Writes success_writes, failure_writes;
  status = collect_writes(request.success, success_writes);
  if (!status.ok()) return status;
  return collect_writes(request.failure, failure_writes);
}

}  // namespace synod::kv
