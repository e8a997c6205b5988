// Reads, single writes and compaction of the MVCC store; Txn lives in txn.cc, snapshots in
// snapshot.cc, replicated commands in apply.cc.
#include <limits>

#include "core/check.h"
#include "kv/errors.h"
#include "kv/key_range.h"
#include "kv/mvcc_store.h"
#include "kv/range_shaping.h"

namespace synod::kv {
namespace {
constexpr int64_t kLatest = std::numeric_limits<int64_t>::max();
}  // namespace

int64_t MvccStore::record_count() const {
  int64_t count = 0;
  for (const auto& entry : keys_) count += static_cast<int64_t>(entry.second.records().size());
  return count;
}

Status MvccStore::check_read_revision(int64_t revision) const {
  if (revision > current_revision_) return error_future_revision();
  if (revision > 0 && revision < compacted_revision_) return error_compacted();
  return Status::Ok();
}

Status MvccStore::check_range(const RangeRequest& request) const {
  if (request.key.empty()) return error_empty_key();
  return check_read_revision(request.revision);
}

// etcd checks a Txn's ranges more strictly than a plain Range: any revision other than 0 below
// the compacted one, negative ones included, is compacted.
Status MvccStore::check_txn_range(const RangeRequest& request) const {
  if (request.key.empty()) return error_empty_key();
  if (request.revision == 0) return Status::Ok();
  if (request.revision > current_revision_) return error_future_revision();
  if (request.revision < compacted_revision_) return error_compacted();
  return Status::Ok();
}

Status MvccStore::check_put(const PutRequest& request) const {
  if (request.key.empty()) return error_empty_key();
  if (request.ignore_value && !request.value.empty()) return error_value_provided();
  if (request.ignore_lease && request.lease != 0) return error_lease_provided();
  if (request.lease != 0 && find_lease(request.lease) == nullptr) return error_lease_not_found();
  if (request.ignore_value || request.ignore_lease) {
    auto found = keys_.find(request.key);
    if (found == keys_.end() || !found->second.is_live()) return error_key_not_found();
  }
  return Status::Ok();
}

std::vector<KeyValue> MvccStore::live_in(std::string_view key, std::string_view range_end,
                                         int64_t revision) const {
  KeyRange range(key, range_end);
  std::vector<KeyValue> kvs;
  for (auto it = keys_.lower_bound(range.begin()); it != keys_.end(); ++it) {
    if (range.is_past_end(it->first)) break;
    if (!range.contains(it->first)) continue;
    if (auto kv = it->second.live_at(it->first, revision)) kvs.push_back(std::move(*kv));
  }
  return kvs;
}

int64_t MvccStore::read_revision(const WriteBatch& batch) const {
  return batch.changed() ? batch.revision : current_revision_;
}

MvccStore::WriteBatch MvccStore::begin_batch(std::vector<Event>* events) const {
  return WriteBatch{current_revision_ + 1, 0, events};
}

void MvccStore::finish(const WriteBatch& batch) {
  if (batch.changed()) current_revision_ = batch.revision;
}

void MvccStore::range_at(int64_t read_revision, const RangeRequest& request,
                         RangeResponse& response) const {
  int64_t revision = request.revision > 0 ? request.revision : read_revision;
  shape_range(request, live_in(request.key, request.range_end, revision), response);
  // As etcd: the header carries the store's revision, not the one read at.
  response.header.revision = read_revision;
}

Status MvccStore::range(const RangeRequest& request, RangeResponse& response) const {
  response = RangeResponse{};
  Status status = check_range(request);
  if (!status.ok()) return status;
  range_at(current_revision_, request, response);
  return Status::Ok();
}

void MvccStore::apply_put(WriteBatch& batch, const PutRequest& request, PutResponse& response) {
  KeyHistory& history = keys_[request.key];
  std::optional<KeyValue> previous = history.live_at(request.key, kLatest);
  SYNOD_CHECK(previous || !(request.ignore_value || request.ignore_lease),
              "ignore_value/ignore_lease must be validated before applying");
  std::string_view value = request.ignore_value ? previous->value : request.value;
  int64_t lease = request.ignore_lease ? previous->lease : request.lease;
  history.put(batch.next(), value, lease);
  attach(request.key, previous ? previous->lease : 0, lease);
  if (batch.events) {
    batch.events->push_back(Event{Event::Type::kPut, *history.live_at(request.key, kLatest), previous});
  }
  response.header.revision = batch.revision;
  if (request.prev_kv) response.prev_kv = std::move(previous);
}

Status MvccStore::put(const PutRequest& request, PutResponse& response, std::vector<Event>* events) {
  response = PutResponse{};
  Status status = check_put(request);
  if (!status.ok()) return status;
  WriteBatch batch = begin_batch(events);
  apply_put(batch, request, response);
  finish(batch);
  return Status::Ok();
}

void MvccStore::delete_key(WriteBatch& batch, const std::string& key, KeyHistory& history,
                           std::vector<KeyValue>* prev_kvs) {
  std::optional<KeyValue> previous = history.live_at(key, kLatest);
  SYNOD_CHECK(previous.has_value(), "only a live key is deleted");
  Revision at = batch.next();
  history.remove(at);
  attach(key, previous->lease, 0);
  if (batch.events) {
    KeyValue tombstone;
    tombstone.key = key;
    tombstone.mod_revision = at.main;
    batch.events->push_back(Event{Event::Type::kDelete, std::move(tombstone), previous});
  }
  if (prev_kvs) prev_kvs->push_back(std::move(*previous));
}

void MvccStore::apply_delete(WriteBatch& batch, const DeleteRangeRequest& request,
                             DeleteRangeResponse& response) {
  KeyRange range(request.key, request.range_end);
  for (auto it = keys_.lower_bound(range.begin()); it != keys_.end(); ++it) {
    if (range.is_past_end(it->first)) break;
    if (!range.contains(it->first) || !it->second.is_live()) continue;
    delete_key(batch, it->first, it->second, request.prev_kv ? &response.prev_kvs : nullptr);
    ++response.deleted;
  }
  response.header.revision = read_revision(batch);
}

Status MvccStore::delete_range(const DeleteRangeRequest& request, DeleteRangeResponse& response,
                               std::vector<Event>* events) {
  response = DeleteRangeResponse{};
  if (request.key.empty()) return error_empty_key();
  WriteBatch batch = begin_batch(events);
  apply_delete(batch, request, response);
  finish(batch);
  return Status::Ok();
}

Status MvccStore::compact(const CompactionRequest& request, CompactionResponse& response) {
  response = CompactionResponse{};
  if (request.revision > current_revision_) return error_future_revision();
  if (request.revision <= compacted_revision_) return error_compacted();
  for (auto it = keys_.begin(); it != keys_.end();) {
    it->second.compact(request.revision);
    it = it->second.empty() ? keys_.erase(it) : std::next(it);
  }
  compacted_revision_ = request.revision;
  response.header.revision = current_revision_;
  return Status::Ok();
}

}  // namespace synod::kv
