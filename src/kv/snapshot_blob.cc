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

namespace {

constexpr size_t kLengthBytes = 8;

}  // namespace

std::string snapshot_stream_data(std::string store_snapshot) {
  const uint64_t length = store_snapshot.size();
  const size_t used = store_snapshot.size() + kLengthBytes;
  const size_t padded = (used + kSnapshotBlockBytes - 1) / kSnapshotBlockBytes * kSnapshotBlockBytes;
  store_snapshot.resize(padded - kLengthBytes, '\0');
  for (size_t i = 0; i < kLengthBytes; ++i)
    store_snapshot.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  return store_snapshot;
}

std::string seal_snapshot_blob(std::string store_snapshot) {
  std::string data = snapshot_stream_data(std::move(store_snapshot));
  data += sha256(data);
  return data;
}

Status open_snapshot_blob(std::string_view blob, SnapshotSummary& summary) {
  if (blob.size() < kSnapshotBlockBytes + kSha256Bytes ||
      blob.size() % kSnapshotBlockBytes != kSha256Bytes)
    return {StatusCode::kCorruption, "sha256 checksum not found (" + std::to_string(blob.size()) +
                                         " bytes: truncated, or not a snapshot)"};
  const std::string_view area = blob.substr(0, blob.size() - kSha256Bytes);
  if (sha256(area) != blob.substr(area.size()))
    return {StatusCode::kCorruption, "snapshot sha256 mismatch (corrupted)"};
  uint64_t length = 0;
  for (size_t i = 0; i < kLengthBytes; ++i)
    length |= uint64_t{static_cast<uint8_t>(area[area.size() - kLengthBytes + i])} << (8 * i);
  if (length > area.size() - kLengthBytes)
    return {StatusCode::kCorruption, "snapshot length field beyond its data"};
  const std::string_view padding = area.substr(length, area.size() - kLengthBytes - length);
  if (padding.size() >= kSnapshotBlockBytes ||
      padding.find_first_not_of('\0') != std::string_view::npos)
    return {StatusCode::kCorruption, "snapshot padding malformed"};
  const std::string_view data = area.substr(0, length);
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
