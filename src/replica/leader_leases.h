#pragma once
// LeaderLeases: when each lease expires, as the leader sees it (etcd's lessor as primary), in
// engine ticks: no clock, so the server and the simulator drive it alike. Only the leader keeps
// expiries; a follower keeps none, so no lease expires while there is no leader.
//
// - promote (becoming leader): every lease gets its remaining TTL (the checkpointed one, else the
//   full TTL) plus `extend` ticks, as etcd's Promote(electionTimeout): a leader change never
//   expires a lease early, whatever the old leader's clock said;
// - sync (every tick): a lease granted since gets its full TTL from now; a revoked one is
//   forgotten;
// - renew (keep-alive): expiry = now + TTL;
// - take_expired: expired leases to revoke, at most max_revokes_per_tick, each re-armed for
//   revoke_retry_ticks in case its LeaseRevoke is lost (etcd's expiredLeaseRetryInterval);
// - take_checkpoints: every checkpoint_interval_ticks, the remaining TTL of every lease whose
//   TTL outlasts the interval (etcd's lease checkpointing), in batches.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "kv/mvcc_store.h"

namespace synod::replica {

struct LeaseTimingOptions {
  uint64_t tick_milliseconds = 100;           // one engine tick (the heartbeat interval)
  uint64_t checkpoint_interval_ticks = 3000;  // etcd's 5 min at 100 ms ticks
  uint64_t revoke_retry_ticks = 30;           // etcd's 3 s
  size_t max_revokes_per_tick = 100;          // etcd revokes at most 1000 leases a second
  size_t max_checkpoints_per_proposal = 1000; // etcd's maxLeaseCheckpointBatchSize
};

class LeaderLeases {
 public:
  explicit LeaderLeases(LeaseTimingOptions options) : options_(options) {}

  bool is_primary() const { return primary_; }
  void promote(const std::map<int64_t, kv::Lease>& leases, uint64_t now, uint64_t extend_ticks);
  void demote();
  void sync(const std::map<int64_t, kv::Lease>& leases, uint64_t now);
  // False when not the leader or the lease already expired (it is being revoked). `lease` is
  // from the applied table, which the caller checked.
  bool renew(int64_t id, const kv::Lease& lease, uint64_t now);
  // Ticks left before expiry; nullopt when unknown here.
  std::optional<uint64_t> remaining_ticks(int64_t id, uint64_t now) const;
  std::vector<int64_t> take_expired(uint64_t now);
  std::vector<std::vector<kv::LeaseCheckpoint>> take_checkpoints(
      const std::map<int64_t, kv::Lease>& leases, uint64_t now);

  // Whole ticks, rounded up: a lease never lasts less than its TTL.
  uint64_t seconds_to_ticks(int64_t seconds) const;
  // Whole seconds, rounded down (etcd truncates Remaining().Seconds()).
  int64_t ticks_to_seconds_down(uint64_t ticks) const;
  int64_t ticks_to_seconds_up(uint64_t ticks) const;

 private:
  LeaseTimingOptions options_;
  bool primary_ = false;
  std::map<int64_t, uint64_t> expiry_tick_;  // lease id -> tick at which it expires
  // Expired leases whose LeaseRevoke was proposed -> tick to propose it again. Invariant: each is
  // in expiry_tick_, expired; renew() refuses them.
  std::map<int64_t, uint64_t> revoke_retry_tick_;
  uint64_t next_checkpoint_tick_ = 0;
};

}  // namespace synod::replica
