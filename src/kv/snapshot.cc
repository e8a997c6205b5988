// Snapshot format (all integers little-endian or varint, see core/codec.h):
//   u32 magic "SKV1" | u8 format version (2)
//   varint current_revision | varint compacted_revision + 1 (0: never compacted)
//   varint key_count, then per key in ascending order:
//     bytes key | varint record_count, then per record in revision order:
//       varint main | varint sub | u8 tombstone (0/1)
//       puts only: varint create_revision | varint version | u64 lease | bytes value
//   varint lease_count, then per lease in ascending id order:
//     u64 id | varint ttl | varint remaining_ttl   (attached keys are rebuilt from the keys)
//   u64 FNV-1a of every byte before it
// restore() refuses anything else: bad magic, version or checksum, trailing bytes, keys out of
// order or empty, any history that breaks KeyHistory's invariants, leases out of order or with
// bad TTLs, and live keys naming a lease that is not in the table. Version 1 (before the lease
// table) is refused: its keys name leases it does not record.
#include <limits>

#include "core/codec.h"
#include "kv/checksum.h"
#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

constexpr uint32_t kSnapshotMagic = 0x31564b53;  // "SKV1"
constexpr uint8_t kSnapshotFormatVersion = 2;
constexpr size_t kChecksumBytes = 8;
// A revision grows by at most one per log entry and engines refuse log indexes past 2^62
// (raft/message.h), so a larger one is corruption; the bound also keeps revision + 1 in range.
constexpr int64_t kMaxRestoredRevision = int64_t{1} << 62;

void write_record(ByteWriter& writer, const KeyRecord& record) {
  writer.varint(static_cast<uint64_t>(record.modified.main));
  writer.varint(static_cast<uint64_t>(record.modified.sub));
  writer.u8(record.tombstone ? 1 : 0);
  if (record.tombstone) return;
  writer.varint(static_cast<uint64_t>(record.create_revision));
  writer.varint(static_cast<uint64_t>(record.version));
  writer.u64(static_cast<uint64_t>(record.lease));
  writer.bytes(record.value.view());
}

// Reads a non-negative int64 stored as a varint.
bool read_count(ByteReader& reader, int64_t& value) {
  uint64_t raw;
  if (!reader.varint(raw) || raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return false;
  value = static_cast<int64_t>(raw);
  return true;
}

bool read_record(ByteReader& reader, KeyRecord& record) {
  uint8_t tombstone;
  if (!read_count(reader, record.modified.main) || !read_count(reader, record.modified.sub) ||
      !reader.u8(tombstone) || tombstone > 1)
    return false;
  record.tombstone = tombstone == 1;
  if (record.tombstone) return true;
  uint64_t lease;
  std::string value;
  if (!read_count(reader, record.create_revision) || !read_count(reader, record.version) ||
      !reader.u64(lease) || !reader.bytes(value))
    return false;
  record.lease = static_cast<int64_t>(lease);
  record.value = StoredValue(value);
  return true;
}

Status corrupt(const std::string& why) {
  return Status(StatusCode::kCorruption, "kv snapshot refused: " + why);
}

}  // namespace

std::string MvccStore::snapshot() const {
  ByteWriter writer;
  writer.u32(kSnapshotMagic);
  writer.u8(kSnapshotFormatVersion);
  writer.varint(static_cast<uint64_t>(current_revision_));
  writer.varint(static_cast<uint64_t>(compacted_revision_ + 1));
  writer.varint(keys_.size());
  for (const auto& [key, history] : keys_) {
    writer.bytes(key);
    writer.varint(history.records().size());
    for (const KeyRecord& record : history.records()) write_record(writer, record);
  }
  writer.varint(leases_.size());
  for (const auto& [id, lease] : leases_) {
    writer.u64(static_cast<uint64_t>(id));
    writer.varint(static_cast<uint64_t>(lease.ttl));
    writer.varint(static_cast<uint64_t>(lease.remaining_ttl));
  }
  uint64_t checksum = fnv1a64(writer.data());
  writer.u64(checksum);
  return writer.take();
}

Status MvccStore::restore(std::string_view snapshot) {
  if (snapshot.size() < kChecksumBytes) return corrupt("too short");
  std::string_view body = snapshot.substr(0, snapshot.size() - kChecksumBytes);
  ByteReader trailer(snapshot.substr(body.size()));
  uint64_t checksum;
  if (!trailer.u64(checksum) || checksum != fnv1a64(body)) return corrupt("checksum mismatch");

  ByteReader reader(body);
  uint32_t magic;
  uint8_t format_version;
  int64_t current_revision, compacted_plus_one, key_count;
  if (!reader.u32(magic) || magic != kSnapshotMagic) return corrupt("not a kv snapshot");
  if (!reader.u8(format_version)) return corrupt("truncated header");
  if (format_version == 1) return corrupt("format version 1 predates the lease table");
  if (format_version != kSnapshotFormatVersion) return corrupt("unknown format version");
  if (!read_count(reader, current_revision) || !read_count(reader, compacted_plus_one) ||
      !read_count(reader, key_count))
    return corrupt("truncated header");
  int64_t compacted_revision = compacted_plus_one - 1;
  if (current_revision < kInitialRevision || current_revision > kMaxRestoredRevision ||
      compacted_revision > current_revision)
    return corrupt("revisions out of range");

  std::map<std::string, KeyHistory> keys;
  for (int64_t i = 0; i < key_count; ++i) {
    std::string key;
    int64_t record_count;
    if (!reader.bytes(key) || !read_count(reader, record_count)) return corrupt("truncated key");
    if (key.empty() || (!keys.empty() && key <= keys.rbegin()->first))
      return corrupt("keys empty or out of order");
    std::vector<KeyRecord> records;
    for (int64_t r = 0; r < record_count; ++r) {
      if (!read_record(reader, records.emplace_back())) return corrupt("truncated record");
    }
    Status status = KeyHistory::validate(records, current_revision, compacted_revision);
    if (!status.ok()) return corrupt(status.message());
    keys.emplace_hint(keys.end(), std::move(key), KeyHistory::from_records(std::move(records)));
  }
  std::map<int64_t, Lease> leases;
  int64_t lease_count;
  if (!read_count(reader, lease_count)) return corrupt("truncated lease table");
  for (int64_t i = 0; i < lease_count; ++i) {
    uint64_t id;
    Lease lease;
    if (!reader.u64(id) || !read_count(reader, lease.ttl) || !read_count(reader, lease.remaining_ttl))
      return corrupt("truncated lease");
    const auto signed_id = static_cast<int64_t>(id);
    if (signed_id == 0 || lease.ttl <= 0 || (!leases.empty() && signed_id <= leases.rbegin()->first))
      return corrupt("lease id 0, out of order, or without a TTL");
    leases.emplace_hint(leases.end(), signed_id, std::move(lease));
  }
  if (!reader.at_end()) return corrupt("trailing bytes");
  if (!attach_live_keys(keys, leases)) return corrupt("a live key names an unknown lease");

  keys_ = std::move(keys);
  leases_ = std::move(leases);
  current_revision_ = current_revision;
  compacted_revision_ = compacted_revision;
  return Status::Ok();
}

HashResult MvccStore::hash(int64_t revision) const {
  HashResult result;
  result.status = check_read_revision(revision);
  result.header_revision = current_revision_;
  result.compact_revision = compacted_revision_;
  if (!result.status.ok()) return result;
  int64_t up_to = revision > 0 ? revision : current_revision_;
  uint64_t hash = fnv1a64({});
  for (const auto& [key, history] : keys_) {
    ByteWriter writer;
    for (const KeyRecord& record : history.records()) {
      if (record.modified.main > up_to) break;
      write_record(writer, record);
    }
    if (writer.data().empty()) continue;
    ByteWriter key_writer;
    key_writer.bytes(key);
    hash = fnv1a64(writer.data(), fnv1a64(key_writer.data(), hash));
  }
  result.hash = hash;
  return result;
}

}  // namespace synod::kv
