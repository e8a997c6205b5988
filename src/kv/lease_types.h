#pragma once
// Lease requests and responses, after etcd's rpc.proto (LeaseGrant, LeaseRevoke, LeaseCheckpoint,
// LeaseKeepAlive, LeaseTimeToLive, LeaseLeases). Grant, revoke and checkpoint travel through the
// log; keep-alive, time-to-live and leases are answered by the leader's (or the local) lease
// state and never reach MvccStore::apply.
#include <cstdint>
#include <string>
#include <vector>

#include "kv/types.h"

namespace synod::kv {

// etcd's lease.MaxLeaseTTL: grants above it fail with "too large lease TTL".
inline constexpr int64_t kMaxLeaseTtlSeconds = 9'000'000'000;

// id is never 0 here: the member that takes a grant without an id picks one before proposing.
struct LeaseGrantRequest {
  int64_t id = 0;
  int64_t ttl = 0;  // seconds; raised to the store's minimum
  friend bool operator==(const LeaseGrantRequest&, const LeaseGrantRequest&) = default;
};

struct LeaseGrantResponse {
  ResponseHeader header;
  int64_t id = 0;
  int64_t ttl = 0;  // as granted, after raising to the minimum
  friend bool operator==(const LeaseGrantResponse&, const LeaseGrantResponse&) = default;
};

// The leader's view of a lease's remaining time, recorded so that the next leader starts from it.
struct LeaseCheckpoint {
  int64_t id = 0;
  int64_t remaining_ttl = 0;  // seconds; 0 clears the checkpoint (a renewal)
  friend bool operator==(const LeaseCheckpoint&, const LeaseCheckpoint&) = default;
};

struct LeaseCheckpointRequest {
  std::vector<LeaseCheckpoint> checkpoints;
  friend bool operator==(const LeaseCheckpointRequest&, const LeaseCheckpointRequest&) = default;
};

struct LeaseCheckpointResponse {
  ResponseHeader header;
  friend bool operator==(const LeaseCheckpointResponse&, const LeaseCheckpointResponse&) = default;
};

struct LeaseKeepAliveRequest {
  int64_t id = 0;
  friend bool operator==(const LeaseKeepAliveRequest&, const LeaseKeepAliveRequest&) = default;
};

struct LeaseKeepAliveResponse {
  ResponseHeader header;
  int64_t id = 0;
  int64_t ttl = 0;  // the granted TTL; 0 when the lease does not exist (as etcd)
  friend bool operator==(const LeaseKeepAliveResponse&, const LeaseKeepAliveResponse&) = default;
};

struct LeaseTimeToLiveRequest {
  int64_t id = 0;
  bool keys = false;
  friend bool operator==(const LeaseTimeToLiveRequest&, const LeaseTimeToLiveRequest&) = default;
};

struct LeaseTimeToLiveResponse {
  ResponseHeader header;
  int64_t id = 0;
  int64_t ttl = -1;  // remaining seconds; -1 when the lease does not exist (as etcd)
  int64_t granted_ttl = 0;
  std::vector<std::string> keys;  // ascending
  friend bool operator==(const LeaseTimeToLiveResponse&, const LeaseTimeToLiveResponse&) = default;
};

struct LeaseLeasesRequest {
  friend bool operator==(const LeaseLeasesRequest&, const LeaseLeasesRequest&) = default;
};

struct LeaseLeasesResponse {
  ResponseHeader header;
  std::vector<int64_t> ids;  // ascending
  friend bool operator==(const LeaseLeasesResponse&, const LeaseLeasesResponse&) = default;
};

}  // namespace synod::kv
