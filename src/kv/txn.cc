// Txn: validate the request, evaluate every compare (nested ones too) against the state before the
// Txn, check the chosen operations against that state, then apply them as one write batch.
#include "core/check.h"
#include "kv/compare.h"
#include "kv/mvcc_store.h"
#include "kv/txn_validation.h"

namespace synod::kv {

void MvccStore::choose_branches(const TxnRequest& request, std::vector<bool>& path) const {
  bool succeeded = true;
  for (const Compare& compare : request.compare) {
    if (!compare_holds(compare, live_in(compare.key, compare.range_end, current_revision_))) {
      succeeded = false;
      break;
    }
  }
  path.push_back(succeeded);
  for (const RequestOp& op : succeeded ? request.success : request.failure) {
    if (auto* nested = std::get_if<TxnRequest>(&op.request)) choose_branches(*nested, path);
  }
}

Status MvccStore::check_txn_path(const TxnRequest& request, const std::vector<bool>& path,
                                 size_t& cursor) const {
  SYNOD_CHECK(cursor < path.size(), "txn path shorter than the txn");
  bool succeeded = path[cursor++];
  for (const RequestOp& op : succeeded ? request.success : request.failure) {
    Status status;
    if (auto* range = std::get_if<RangeRequest>(&op.request)) {
      status = check_txn_range(*range);
    } else if (auto* put = std::get_if<PutRequest>(&op.request)) {
      status = check_put(*put);
    } else if (auto* nested = std::get_if<TxnRequest>(&op.request)) {
      status = check_txn_path(*nested, path, cursor);
    }
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

void MvccStore::apply_txn(WriteBatch& batch, const TxnRequest& request,
                          const std::vector<bool>& path, size_t& cursor, TxnResponse& response) {
  response.succeeded = path[cursor++];
  for (const RequestOp& op : response.succeeded ? request.success : request.failure) {
    ResponseOp& out = response.responses.emplace_back();
    if (auto* range = std::get_if<RangeRequest>(&op.request)) {
      range_at(read_revision(batch), *range, out.response.emplace<RangeResponse>());
    } else if (auto* put = std::get_if<PutRequest>(&op.request)) {
      apply_put(batch, *put, out.response.emplace<PutResponse>());
    } else if (auto* remove = std::get_if<DeleteRangeRequest>(&op.request)) {
      apply_delete(batch, *remove, out.response.emplace<DeleteRangeResponse>());
    } else {
      apply_txn(batch, std::get<TxnRequest>(op.request), path, cursor,
                out.response.emplace<TxnResponse>());
    }
  }
  response.header.revision = read_revision(batch);
}

Status MvccStore::txn(const TxnRequest& request, TxnResponse& response, std::vector<Event>* events) {
  response = TxnResponse{};
  Status status = validate_txn_request(request, options_.max_txn_ops);
  if (!status.ok()) return status;
  std::vector<bool> path;
  choose_branches(request, path);
  size_t cursor = 0;
  status = check_txn_path(request, path, cursor);
  if (!status.ok()) return status;
  WriteBatch batch = begin_batch(events);
  cursor = 0;
  apply_txn(batch, request, path, cursor, response);
  SYNOD_CHECK(cursor == path.size(), "txn path longer than the txn");
  finish(batch);
  return Status::Ok();
}

}  // namespace synod::kv
