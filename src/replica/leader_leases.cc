#include "replica/leader_leases.h"

#include <algorithm>

namespace synod::replica {

uint64_t LeaderLeases::seconds_to_ticks(int64_t seconds) const {
  // At most kMaxLeaseTtlSeconds * 1000 milliseconds: far from overflowing.
  const auto milliseconds =
      static_cast<uint64_t>(std::clamp<int64_t>(seconds, 0, kv::kMaxLeaseTtlSeconds)) * 1000;
  const uint64_t tick = std::max<uint64_t>(1, options_.tick_milliseconds);
  return (milliseconds + tick - 1) / tick;
}

int64_t LeaderLeases::ticks_to_seconds_down(uint64_t ticks) const {
  return static_cast<int64_t>(ticks * std::max<uint64_t>(1, options_.tick_milliseconds) / 1000);
}

int64_t LeaderLeases::ticks_to_seconds_up(uint64_t ticks) const {
  return static_cast<int64_t>((ticks * std::max<uint64_t>(1, options_.tick_milliseconds) + 999) / 1000);
}

void LeaderLeases::promote(const std::map<int64_t, kv::Lease>& leases, uint64_t now,
                           uint64_t extend_ticks) {
  primary_ = true;
  expiry_tick_.clear();
  revoke_retry_tick_.clear();
  for (const auto& [id, lease] : leases) {
    const int64_t seconds = lease.remaining_ttl > 0 ? lease.remaining_ttl : lease.ttl;
    expiry_tick_[id] = now + extend_ticks + seconds_to_ticks(seconds);
  }
  next_checkpoint_tick_ = now + options_.checkpoint_interval_ticks;
}

void LeaderLeases::demote() {
  primary_ = false;
  expiry_tick_.clear();
  revoke_retry_tick_.clear();
}

void LeaderLeases::sync(const std::map<int64_t, kv::Lease>& leases, uint64_t now) {
  if (!primary_) return;
  auto revoked = [&](const auto& entry) { return leases.count(entry.first) == 0; };
  std::erase_if(expiry_tick_, revoked);
  std::erase_if(revoke_retry_tick_, revoked);
  for (const auto& [id, lease] : leases) {
    if (expiry_tick_.count(id) == 0) expiry_tick_[id] = now + seconds_to_ticks(lease.ttl);
  }
}

bool LeaderLeases::renew(int64_t id, const kv::Lease& lease, uint64_t now) {
  if (!primary_) return false;
  auto found = expiry_tick_.find(id);
  if (found != expiry_tick_.end() && found->second <= now) return false;  // being revoked
  // Also a lease applied since the last sync(): renewing it is what a grant would do.
  expiry_tick_[id] = now + seconds_to_ticks(lease.ttl);
  return true;
}

std::optional<uint64_t> LeaderLeases::remaining_ticks(int64_t id, uint64_t now) const {
  auto found = expiry_tick_.find(id);
  if (found == expiry_tick_.end()) return std::nullopt;
  return found->second > now ? found->second - now : 0;
}

std::vector<int64_t> LeaderLeases::take_expired(uint64_t now) {
  std::vector<int64_t> expired;
  if (!primary_) return expired;
  for (const auto& [id, expiry] : expiry_tick_) {
    if (expired.size() >= options_.max_revokes_per_tick) break;
    if (expiry > now) continue;
    auto retry = revoke_retry_tick_.find(id);
    if (retry != revoke_retry_tick_.end() && retry->second > now) continue;
    expired.push_back(id);
    revoke_retry_tick_[id] = now + options_.revoke_retry_ticks;
  }
  return expired;
}

std::vector<std::vector<kv::LeaseCheckpoint>> LeaderLeases::take_checkpoints(
    const std::map<int64_t, kv::Lease>& leases, uint64_t now) {
  std::vector<std::vector<kv::LeaseCheckpoint>> batches;
  if (!primary_ || options_.checkpoint_interval_ticks == 0 || now < next_checkpoint_tick_)
    return batches;
  next_checkpoint_tick_ = now + options_.checkpoint_interval_ticks;
  for (const auto& [id, expiry] : expiry_tick_) {
    auto lease = leases.find(id);
    if (lease == leases.end() || seconds_to_ticks(lease->second.ttl) <= options_.checkpoint_interval_ticks)
      continue;
    if (expiry <= now) continue;  // being revoked
    if (batches.empty() || batches.back().size() >= options_.max_checkpoints_per_proposal)
      batches.emplace_back();
    batches.back().push_back({id, ticks_to_seconds_up(expiry - now)});
  }
  return batches;
}

}  // namespace synod::replica
