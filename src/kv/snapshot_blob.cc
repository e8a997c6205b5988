#include "kv/snapshot_blob.h"

#include <openssl/sha.h>

#include "kv/checksum.h"
#include "kv/mvcc_store.h"

namespace synod::kv {

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

uint32_t fold_hash(uint64_t hash) { return static_cast<uint32_t>(hash ^ (hash >> 32)); }

uint32_t whole_store_hash(std::string_view store_snapshot) {
  return fold_hash(fnv1a64(store_snapshot));
}

std::string seal_snapshot_blob(std::string store_snapshot) {
  std::string digest = sha256(store_snapshot);
  store_snapshot += digest;
  return store_snapshot;
}

Status open_snapshot_blob(std::string_view blob, SnapshotSummary& summary) {
  if (blob.size() <= kSha256Bytes)
    return {StatusCode::kCorruption, "snapshot too short (" + std::to_string(blob.size()) +
                                         " bytes) to hold data and its sha256"};
  std::string_view data = blob.substr(0, blob.size() - kSha256Bytes);
  if (sha256(data) != blob.substr(data.size()))
    return {StatusCode::kCorruption, "snapshot sha256 mismatch (truncated or corrupted)"};
  MvccStore store;
  Status restored = store.restore(data);
  if (!restored.ok()) return {StatusCode::kCorruption, restored.message()};
  summary.store_snapshot = std::string(data);
  summary.hash = whole_store_hash(data);
  summary.revision = store.current_revision();
  summary.total_keys = store.record_count();
  summary.total_size = static_cast<int64_t>(blob.size());
  return Status::Ok();
}

}  // namespace synod::kv
