#pragma once
// MvccStore: etcd's v3 data model in memory — a global revision, per-key histories readable at
// past revisions until compaction, ranges, puts, deletes, transactions — deterministic and
// without I/O, so that the server and the simulator apply the same committed commands to it.
//
// Revisions: an empty store is at revision 1 (etcd's header.revision of a new cluster). Every
// write operation that changes something takes the next revision; all changes of one Txn share
// it and are ordered by sub-revision. A Put always changes something; a DeleteRange or a Txn that
// changes nothing leaves the revision where it was. A compaction never moves the revision.
//
// Atomicity: every operation is validated in full before it changes anything, so an error leaves
// the store untouched (a Txn's compares, nested ones included, are all evaluated against the
// state before the Txn, as in etcd).
//
// Not thread-safe: one applier owns it, as a state machine is owned by its node.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"
#include "kv/key_history.h"
#include "kv/lease_types.h"
#include "kv/types.h"

namespace synod::kv {

struct StoreOptions {
  int64_t max_txn_ops = 128;  // etcd's --max-txn-ops default
  // Grants below it are raised to it: etcd's ceil(1.5 * election timeout) in seconds (2 for
  // etcd's default 1 s election timeout). Every member must use the same value.
  int64_t min_lease_ttl_seconds = 2;
};

// One lease of the lease table (etcd's lease.Lease without its expiry: time belongs to the leader).
struct Lease {
  int64_t ttl = 0;            // granted seconds; Invariant: > 0
  int64_t remaining_ttl = 0;  // last checkpointed remaining seconds; 0: none. Invariant: >= 0
  // Invariant: exactly the live keys whose current lease is this one.
  std::set<std::string> keys;
};

using Response = std::variant<RangeResponse, PutResponse, DeleteRangeResponse, TxnResponse,
                              CompactionResponse, LeaseRevokeResponse, LeaseGrantResponse,
                              LeaseCheckpointResponse, LeaseKeepAliveResponse,
                              LeaseTimeToLiveResponse, LeaseLeasesResponse>;

// What applying one replicated command produced, for the client waiting on it and for watches.
struct ApplyResult {
  Status status;
  Response response;          // meaningful when status is ok
  std::vector<Event> events;  // the changes, in order; empty on error
  int64_t revision = 0;       // the store's revision after the command
};

struct HashResult {
  Status status;
  uint64_t hash = 0;
  int64_t compact_revision = -1;
  int64_t header_revision = 0;
};

class MvccStore {
 public:
  static constexpr int64_t kInitialRevision = 1;
  static constexpr int64_t kNotCompacted = -1;

  explicit MvccStore(StoreOptions options = {}) : options_(options) {}

  int64_t current_revision() const { return current_revision_; }
  int64_t compacted_revision() const { return compacted_revision_; }
  // Puts and tombstones kept for reads at past revisions (what compaction frees).
  int64_t record_count() const;

  // Each operation overwrites `response` (also on error, where it stays empty).
  Status range(const RangeRequest& request, RangeResponse& response) const;
  // Each write appends what it changed to *events when events is not null.
  Status put(const PutRequest& request, PutResponse& response, std::vector<Event>* events = nullptr);
  Status delete_range(const DeleteRangeRequest& request, DeleteRangeResponse& response,
                      std::vector<Event>* events = nullptr);
  Status txn(const TxnRequest& request, TxnResponse& response, std::vector<Event>* events = nullptr);
  Status compact(const CompactionRequest& request, CompactionResponse& response);
  // Leases (lease_table.cc). A grant takes no revision; a revoke deletes the lease's keys in one
  // revision (none: no new revision); a checkpoint records remaining TTLs (unknown ids ignored).
  Status lease_grant(const LeaseGrantRequest& request, LeaseGrantResponse& response);
  Status lease_revoke(const LeaseRevokeRequest& request, LeaseRevokeResponse& response,
                      std::vector<Event>* events = nullptr);
  Status lease_checkpoint(const LeaseCheckpointRequest& request, LeaseCheckpointResponse& response);
  const std::map<int64_t, Lease>& leases() const { return leases_; }
  const Lease* find_lease(int64_t id) const;

  // A replicated command (see command.h): decoded, validated, applied.
  ApplyResult apply(std::string_view command);

  // Deterministic bytes: equal stores give equal snapshots. restore() checks everything and
  // leaves the store unchanged when the snapshot is refused.
  std::string snapshot() const;
  Status restore(std::string_view snapshot);
  // Every invariant written on the fields below and in key_history.h, checked in full (for tests
  // and the simulator, after each step); the first broken one as a kCorruption status.
  Status check_invariants() const;
  // A hash of every record with main revision <= revision (0: current), like etcd's HashKV.
  HashResult hash(int64_t revision) const;

  // The events on [key, range_end) (RangeRequest's convention) with main revision in
  // [from_revision, to_revision], ordered by revision then sub-revision, each PUT with its
  // prev_kv when the key existed before: what the writes reported (for watch replay and
  // catch-up; history.cc). Fails with the compacted error when from_revision is below the
  // compacted revision.
  Status events_between(std::string_view key, std::string_view range_end, int64_t from_revision,
                        int64_t to_revision, std::vector<Event>& events) const;

 private:
  struct WriteBatch {
    int64_t revision = 0;  // the main revision of this batch's writes
    int64_t next_sub = 0;  // Invariant: the number of changes made so far
    std::vector<Event>* events = nullptr;
    bool changed() const { return next_sub > 0; }
    Revision next() { return Revision{revision, next_sub++}; }
  };

  Status check_read_revision(int64_t revision) const;
  Status check_txn_range(const RangeRequest& request) const;
  Status check_range(const RangeRequest& request) const;
  Status check_put(const PutRequest& request) const;

  std::vector<KeyValue> live_in(std::string_view key, std::string_view range_end,
                                int64_t revision) const;
  // The revision a read inside `batch` sees: its own writes once it made some.
  int64_t read_revision(const WriteBatch& batch) const;
  WriteBatch begin_batch(std::vector<Event>* events) const;
  void finish(const WriteBatch& batch);

  void range_at(int64_t read_revision, const RangeRequest& request, RangeResponse& response) const;
  void apply_put(WriteBatch& batch, const PutRequest& request, PutResponse& response);
  void apply_delete(WriteBatch& batch, const DeleteRangeRequest& request,
                    DeleteRangeResponse& response);
  void delete_key(WriteBatch& batch, const std::string& key, KeyHistory& history,
                  std::vector<KeyValue>* prev_kvs);

  // Txn, in txn.cc. `path` holds the outcome of every Txn's compares in pre-order.
  void choose_branches(const TxnRequest& request, std::vector<bool>& path) const;
  Status check_txn_path(const TxnRequest& request, const std::vector<bool>& path,
                        size_t& cursor) const;
  void apply_txn(WriteBatch& batch, const TxnRequest& request, const std::vector<bool>& path,
                 size_t& cursor, TxnResponse& response);

  Status check_lease_table() const;
  void attach(const std::string& key, int64_t old_lease, int64_t new_lease);
  // Rebuilds every lease's key set from the live keys; false if a key names an unknown lease.
  static bool attach_live_keys(const std::map<std::string, KeyHistory>& keys,
                               std::map<int64_t, Lease>& leases);

  StoreOptions options_;
  // Invariant: every history is non-empty and satisfies KeyHistory::validate.
  std::map<std::string, KeyHistory> keys_;
  // Invariant: kInitialRevision <= current_revision_; it only grows.
  int64_t current_revision_ = kInitialRevision;
  // Invariant: kNotCompacted <= compacted_revision_ <= current_revision_; it only grows.
  int64_t compacted_revision_ = kNotCompacted;
  // The lease table, by id. Invariant: no id is 0; see Lease.
  std::map<int64_t, Lease> leases_;
};

}  // namespace synod::kv
