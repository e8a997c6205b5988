// The lease table of the MVCC store: grant, revoke (deleting the attached keys in one revision),
// checkpoints of remaining TTLs, and the key <-> lease attachment that puts and deletes keep.
#include <algorithm>

#include "core/check.h"
#include "kv/errors.h"
#include "kv/mvcc_store.h"

namespace synod::kv {

const Lease* MvccStore::find_lease(int64_t id) const {
  auto found = leases_.find(id);
  return found == leases_.end() ? nullptr : &found->second;
}

Status MvccStore::lease_grant(const LeaseGrantRequest& request, LeaseGrantResponse& response) {
  response = LeaseGrantResponse{};
  // The replica picks an id before proposing; 0 here is what etcd's lessor refuses.
  if (request.id == 0) return error_lease_not_found();
  if (request.ttl > kMaxLeaseTtlSeconds) return error_lease_ttl_too_large();
  if (leases_.count(request.id) != 0) return error_lease_exists();
  Lease& lease = leases_[request.id];
  lease.ttl = std::max(request.ttl, std::max<int64_t>(1, options_.min_lease_ttl_seconds));
  response.header.revision = current_revision_;
  response.id = request.id;
  response.ttl = lease.ttl;
  return Status::Ok();
}

Status MvccStore::lease_revoke(const LeaseRevokeRequest& request, LeaseRevokeResponse& response,
                               std::vector<Event>* events) {
  response = LeaseRevokeResponse{};
  auto found = leases_.find(request.id);
  if (found == leases_.end()) return error_lease_not_found();
  // A copy: delete_key detaches each key from the set being walked.
  const std::set<std::string> keys = found->second.keys;
  WriteBatch batch = begin_batch(events);
  for (const std::string& key : keys) {
    auto history = keys_.find(key);
    SYNOD_CHECK(history != keys_.end() && history->second.is_live(), "a lease holds only live keys");
    delete_key(batch, key, history->second, nullptr);
  }
  finish(batch);
  leases_.erase(request.id);
  response.header.revision = current_revision_;
  return Status::Ok();
}

Status MvccStore::lease_checkpoint(const LeaseCheckpointRequest& request,
                                   LeaseCheckpointResponse& response) {
  response = LeaseCheckpointResponse{};
  for (const LeaseCheckpoint& checkpoint : request.checkpoints) {
    if (checkpoint.remaining_ttl < 0) return error_lease_not_found();
  }
  // A lease revoked since the leader sent the checkpoint is skipped, as etcd's lessor does.
  for (const LeaseCheckpoint& checkpoint : request.checkpoints) {
    auto found = leases_.find(checkpoint.id);
    if (found != leases_.end()) found->second.remaining_ttl = checkpoint.remaining_ttl;
  }
  response.header.revision = current_revision_;
  return Status::Ok();
}

void MvccStore::attach(const std::string& key, int64_t old_lease, int64_t new_lease) {
  if (old_lease == new_lease) return;
  if (old_lease != 0) {
    auto found = leases_.find(old_lease);
    SYNOD_CHECK(found != leases_.end(), "a key's lease exists");
    found->second.keys.erase(key);
  }
  if (new_lease != 0) {
    auto found = leases_.find(new_lease);
    SYNOD_CHECK(found != leases_.end(), "a put's lease is checked before applying");
    found->second.keys.insert(key);
  }
}

bool MvccStore::attach_live_keys(const std::map<std::string, KeyHistory>& keys,
                                 std::map<int64_t, Lease>& leases) {
  for (auto& entry : leases) entry.second.keys.clear();
  for (const auto& [key, history] : keys) {
    if (!history.is_live() || history.records().back().lease == 0) continue;
    auto found = leases.find(history.records().back().lease);
    if (found == leases.end()) return false;
    found->second.keys.insert(key);
  }
  return true;
}

Status MvccStore::check_lease_table() const {
  auto corrupt = [](const std::string& why) { return Status(StatusCode::kCorruption, "kv: " + why); };
  for (const auto& [id, lease] : leases_) {
    if (id == 0) return corrupt("lease id 0 in the lease table");
    if (lease.ttl <= 0 || lease.remaining_ttl < 0) return corrupt("lease TTL out of range");
  }
  std::map<int64_t, Lease> rebuilt = leases_;
  if (!attach_live_keys(keys_, rebuilt)) return corrupt("a live key names an unknown lease");
  for (const auto& [id, lease] : leases_) {
    if (lease.keys != rebuilt.at(id).keys)
      return corrupt("lease " + std::to_string(id) + " does not hold exactly its live keys");
  }
  return Status::Ok();
}

}  // namespace synod::kv
