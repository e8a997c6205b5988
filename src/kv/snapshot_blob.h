#pragma once
// The snapshot etcd's Maintenance.Snapshot streams, in Synod's terms: the store's snapshot bytes
// (MvccStore::snapshot) followed by a SHA-256 of them, as etcd appends a SHA-256 to its database
// file. `etcdctl snapshot save` writes the stream as it comes, so a saved file is a blob;
// `synodctl snapshot status|restore` open it with open_snapshot_blob, which refuses a file whose
// digest does not match (truncated, corrupted, or not a Synod snapshot).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace synod::kv {

inline constexpr size_t kSha256Bytes = 32;

std::string sha256(std::string_view data);
// A 64-bit store hash (MvccStore::hash) folded to the 32 bits etcd's Hash and HashKV carry.
uint32_t fold_hash(uint64_t hash);
// Maintenance.Hash's value: the whole state (the store's snapshot bytes) hashed and folded.
// `snapshot status` prints the same value for a saved state.
uint32_t whole_store_hash(std::string_view store_snapshot);
// `store_snapshot` followed by its SHA-256.
std::string seal_snapshot_blob(std::string store_snapshot);

struct SnapshotSummary {
  std::string store_snapshot;  // the blob without its digest, checked to restore
  uint32_t hash = 0;           // whole_store_hash(store_snapshot)
  int64_t revision = 0;
  int64_t total_keys = 0;  // records kept for reads at past revisions (puts and tombstones)
  int64_t total_size = 0;  // bytes of the blob
};

// Checks the digest, then that the store restores from the bytes. kCorruption says which.
Status open_snapshot_blob(std::string_view blob, SnapshotSummary& summary);

}  // namespace synod::kv
