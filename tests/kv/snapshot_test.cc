// Snapshots: deterministic bytes, exact round trips, and refusal of anything corrupt; HashKV.
#include <gtest/gtest.h>

#include "core/codec.h"
#include "kv/checksum.h"
#include "kv/mvcc_store.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

using testing::kAllKeys;
using testing::must_delete;
using testing::must_put;
using testing::must_range;

void build_history(MvccStore& store) {
  must_put(store, "a", "1", 3);
  must_put(store, std::string("b\0", 2), std::string("\0\xff", 2));
  must_put(store, "a", "2");
  must_delete(store, "b", "c");
  must_put(store, "c", "3", 9);
  CompactionResponse compacted;
  ASSERT_TRUE(store.compact(CompactionRequest{3, false}, compacted).ok());
  must_put(store, "d", "4");
  must_delete(store, "c");  // lease 9 stays, without keys
  must_put(store, "e", "5", 3);
  LeaseCheckpointResponse checkpointed;
  ASSERT_TRUE(store.lease_checkpoint({{{3, 42}}}, checkpointed).ok());
}

RangeResponse all_at(const MvccStore& store, int64_t revision) {
  RangeRequest request;
  request.key = kAllKeys;
  request.range_end = kAllKeys;
  request.revision = revision;
  return must_range(store, request);
}

TEST(SnapshotTest, RoundTripRestoresEverything) {
  MvccStore store;
  build_history(store);
  std::string bytes = store.snapshot();
  MvccStore restored;
  must_put(restored, "stale", "x");  // replaced by the restore
  ASSERT_TRUE(restored.restore(bytes).ok());
  EXPECT_EQ(restored.snapshot(), bytes);
  EXPECT_EQ(restored.current_revision(), store.current_revision());
  EXPECT_EQ(restored.compacted_revision(), 3);
  EXPECT_EQ(restored.hash(0).hash, store.hash(0).hash);
  ASSERT_EQ(restored.leases().size(), 2u);
  EXPECT_EQ(restored.find_lease(3)->keys, std::set<std::string>{"e"});
  EXPECT_EQ(restored.find_lease(3)->remaining_ttl, 42);
  EXPECT_EQ(restored.find_lease(9)->ttl, 60);
  EXPECT_TRUE(restored.find_lease(9)->keys.empty());
  EXPECT_TRUE(restored.check_invariants().ok());
  for (int64_t revision = 3; revision <= store.current_revision(); ++revision)
    EXPECT_EQ(all_at(restored, revision), all_at(store, revision)) << revision;
  // Both go on identically.
  must_put(store, "a", "after");
  must_put(restored, "a", "after");
  EXPECT_EQ(restored.snapshot(), store.snapshot());
}

TEST(SnapshotTest, EmptyStoreRoundTrips) {
  MvccStore store, restored;
  ASSERT_TRUE(restored.restore(store.snapshot()).ok());
  EXPECT_EQ(restored.current_revision(), 1);
  EXPECT_EQ(restored.compacted_revision(), MvccStore::kNotCompacted);
}

TEST(SnapshotTest, SameOperationsGiveSameBytesAndHash) {
  MvccStore first, second, other;
  build_history(first);
  build_history(second);
  EXPECT_EQ(first.snapshot(), second.snapshot());
  EXPECT_EQ(first.hash(0).hash, second.hash(0).hash);
  build_history(other);
  must_put(other, "a", "different");
  EXPECT_NE(first.snapshot(), other.snapshot());
  EXPECT_NE(first.hash(0).hash, other.hash(0).hash);
  EXPECT_EQ(first.hash(0).hash, other.hash(first.current_revision()).hash);
}

TEST(SnapshotTest, HashAtAPastRevisionEqualsTheHashOfTheStoreThen) {
  MvccStore early, late;
  for (MvccStore* store : {&early, &late}) {
    must_put(*store, "a", "1");
    must_put(*store, "b", "2");
    must_delete(*store, "a");
  }
  must_put(late, "a", "3");
  must_put(late, "c", "4");
  EXPECT_EQ(late.hash(early.current_revision()).hash, early.hash(0).hash);
  EXPECT_NE(late.hash(0).hash, early.hash(0).hash);
}

TEST(SnapshotTest, EveryFlippedByteOrTruncationIsRefused) {
  MvccStore store;
  build_history(store);
  const std::string bytes = store.snapshot();
  MvccStore target;
  must_put(target, "kept", "x");
  const std::string target_before = target.snapshot();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ flip);
      EXPECT_EQ(target.restore(corrupt).code(), StatusCode::kCorruption) << i;
    }
  }
  for (size_t length = 0; length < bytes.size(); ++length)
    EXPECT_FALSE(target.restore(std::string_view(bytes).substr(0, length)).ok()) << length;
  EXPECT_FALSE(target.restore(bytes + "x").ok());
  EXPECT_EQ(target.snapshot(), target_before);
}

// Hand-built snapshots with a valid checksum whose content is wrong, to reach the structural checks.
struct RawRecord {
  int64_t main, sub;
  bool tombstone;
  int64_t create, version;
  std::string value;
  int64_t lease = 0;
};
struct RawLease {
  int64_t id, ttl, remaining_ttl;
};
struct RawKey {
  std::string key;
  std::vector<RawRecord> records;
};

std::string raw_snapshot(int64_t current, int64_t compacted, const std::vector<RawKey>& keys,
                         uint8_t format_version = 2, const std::vector<RawLease>& leases = {}) {
  ByteWriter writer;
  writer.u32(0x31564b53);
  writer.u8(format_version);
  writer.varint(static_cast<uint64_t>(current));
  writer.varint(static_cast<uint64_t>(compacted + 1));
  writer.varint(keys.size());
  for (const RawKey& key : keys) {
    writer.bytes(key.key);
    writer.varint(key.records.size());
    for (const RawRecord& r : key.records) {
      writer.varint(static_cast<uint64_t>(r.main));
      writer.varint(static_cast<uint64_t>(r.sub));
      writer.u8(r.tombstone ? 1 : 0);
      if (r.tombstone) continue;
      writer.varint(static_cast<uint64_t>(r.create));
      writer.varint(static_cast<uint64_t>(r.version));
      writer.u64(static_cast<uint64_t>(r.lease));
      writer.bytes(r.value);
    }
  }
  if (format_version == 2) {
    writer.varint(leases.size());
    for (const RawLease& lease : leases) {
      writer.u64(static_cast<uint64_t>(lease.id));
      writer.varint(static_cast<uint64_t>(lease.ttl));
      writer.varint(static_cast<uint64_t>(lease.remaining_ttl));
    }
  }
  uint64_t checksum = fnv1a64(writer.data());
  writer.u64(checksum);
  return writer.take();
}

TEST(SnapshotTest, StructurallyWrongSnapshotsAreRefused) {
  const RawRecord put2{2, 0, false, 2, 1, "v"};
  const RawRecord put3{3, 0, false, 2, 2, "w"};
  const RawRecord del4{4, 0, true, 0, 0, ""};
  // The hand-built format is the real one: a well-formed snapshot restores.
  MvccStore store;
  ASSERT_TRUE(store.restore(raw_snapshot(4, -1, {{"a", {put2, put3, del4}}})).ok());
  EXPECT_EQ(store.current_revision(), 4);
  const RawRecord leased2{2, 0, false, 2, 1, "v", 7};
  ASSERT_TRUE(store.restore(raw_snapshot(2, -1, {{"a", {leased2}}}, 2, {{7, 10, 4}})).ok());
  ASSERT_NE(store.find_lease(7), nullptr);
  EXPECT_EQ(store.find_lease(7)->keys, std::set<std::string>{"a"});
  EXPECT_EQ(store.find_lease(7)->remaining_ttl, 4);

  struct Case {
    const char* name;
    std::string bytes;
  };
  const Case cases[] = {
      {"unknown format version", raw_snapshot(4, -1, {{"a", {put2}}}, 3)},
      // Version 1 has no lease table: its keys' leases would be misread as unknown.
      {"format version 1", raw_snapshot(4, -1, {{"a", {put2}}}, 1)},
      {"key names an unknown lease", raw_snapshot(2, -1, {{"a", {leased2}}}, 2, {{8, 10, 0}})},
      {"lease id 0", raw_snapshot(1, -1, {}, 2, {{0, 10, 0}})},
      {"lease without a TTL", raw_snapshot(1, -1, {}, 2, {{3, 0, 0}})},
      {"leases out of order", raw_snapshot(1, -1, {}, 2, {{4, 10, 0}, {3, 10, 0}})},
      {"revision zero", raw_snapshot(0, -1, {})},
      {"compacted beyond current", raw_snapshot(4, 5, {})},
      {"record beyond current", raw_snapshot(2, -1, {{"a", {put2, put3}}})},
      {"empty key", raw_snapshot(4, -1, {{"", {put2}}})},
      {"keys out of order", raw_snapshot(4, -1, {{"b", {put2}}, {"a", {put2}}})},
      {"duplicate keys", raw_snapshot(4, -1, {{"a", {put2}}, {"a", {put2}}})},
      {"empty history", raw_snapshot(4, -1, {{"a", {}}})},
      {"records out of order", raw_snapshot(4, -1, {{"a", {put3, put2}}})},
      {"tombstone first", raw_snapshot(4, -1, {{"a", {del4}}})},
      {"two tombstones", raw_snapshot(5, -1, {{"a", {put2, del4, {5, 0, true, 0, 0, ""}}}})},
      {"version skips", raw_snapshot(4, -1, {{"a", {put2, {3, 0, false, 2, 3, "w"}}}})},
      {"create changes", raw_snapshot(4, -1, {{"a", {put2, {3, 0, false, 3, 2, "w"}}}})},
      {"recreation not at version 1", raw_snapshot(5, -1, {{"a", {put2, del4, {5, 0, false, 5, 2, ""}}}})},
      {"history older than the compaction", raw_snapshot(4, 3, {{"a", {put2, put3}}})},
      {"version 1 not at creation", raw_snapshot(4, -1, {{"a", {{3, 0, false, 2, 1, "v"}}}})},
      // Found by fuzz/snapshot: a restored revision of INT64_MAX overflowed at the next write.
      {"revision no log reaches", raw_snapshot(INT64_MAX, -1, {})},
      {"more versions than revisions", raw_snapshot(9, 5, {{"a", {{6, 0, false, 2, INT64_MAX, "v"}}}})},
  };
  for (const Case& c : cases) {
    MvccStore target;
    EXPECT_EQ(target.restore(c.bytes).code(), StatusCode::kCorruption) << c.name;
    EXPECT_EQ(target.current_revision(), 1) << c.name;
  }
}

}  // namespace
}  // namespace synod::kv
