// MvccStore::check_invariants: the executable form of the "Invariant:" comments of mvcc_store.h
// and key_history.h. restore() applies the same history checks to what it reads.
#include "kv/mvcc_store.h"

namespace synod::kv {

Status MvccStore::check_invariants() const {
  if (current_revision_ < kInitialRevision)
    return Status(StatusCode::kCorruption, "kv: revision below the initial one");
  if (compacted_revision_ < kNotCompacted || compacted_revision_ > current_revision_)
    return Status(StatusCode::kCorruption, "kv: compacted revision out of range");
  for (const auto& [key, history] : keys_) {
    if (key.empty()) return Status(StatusCode::kCorruption, "kv: empty key stored");
    Status status = KeyHistory::validate(history.records(), current_revision_, compacted_revision_);
    if (!status.ok()) return status;
  }
  return check_lease_table();
}

}  // namespace synod::kv
