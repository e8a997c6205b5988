#pragma once
// The snapshot etcd's Maintenance.Snapshot streams, in Synod's terms. etcd streams its bbolt file
// (whole 512-byte pages) then a SHA-256 of it, and etcdctl's `snapshot save` refuses a stream whose
// size is not 512·k + 32 ("sha256 checksum not found"). So the data Synod streams is laid out in
// whole 512-byte blocks too:
//   store snapshot bytes (MvccStore::snapshot) | zero padding | u64 little-endian length of the
//   store snapshot bytes                          (together a multiple of kSnapshotBlockBytes)
// followed by the SHA-256 of all of that. `etcdctl snapshot save` writes the stream as it comes,
// so a saved file is such a blob; `synodctl snapshot status|restore` open it with
// open_snapshot_blob, which refuses anything else (truncated, corrupted, not a Synod snapshot).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace synod::kv {

inline constexpr size_t kSha256Bytes = 32;
inline constexpr size_t kSnapshotBlockBytes = 512;

std::string sha256(std::string_view data);
// A 64-bit store hash (MvccStore::hash) folded to the 32 bits etcd's Hash and HashKV carry.
uint32_t fold_hash(uint64_t hash);
// Maintenance.Hash's value: the whole state (the store's snapshot bytes) hashed and folded.
// `snapshot status` prints the same value for a saved state.
uint32_t whole_store_hash(std::string_view store_snapshot);
// The streamed data: `store_snapshot`, padding and its length, in whole blocks.
std::string snapshot_stream_data(std::string store_snapshot);
// snapshot_stream_data followed by its SHA-256: a saved file.
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
