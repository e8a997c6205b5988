// The Maintenance snapshot blob: the store's bytes then their SHA-256, opened only intact.
#include "kv/snapshot_blob.h"

#include <gtest/gtest.h>

#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

MvccStore store_with_history() {
  MvccStore store;
  PutResponse put;
  EXPECT_TRUE(store.put({.key = "a", .value = "1"}, put).ok());
  EXPECT_TRUE(store.put({.key = "a", .value = "2"}, put).ok());
  EXPECT_TRUE(store.put({.key = "b", .value = "3"}, put).ok());
  DeleteRangeResponse deleted;
  EXPECT_TRUE(store.delete_range({.key = "b", .range_end = ""}, deleted).ok());
  return store;
}

TEST(SnapshotBlob, Sha256OfAKnownInput) {
  // FIPS 180-2's example "abc".
  const std::string digest = sha256("abc");
  ASSERT_EQ(digest.size(), kSha256Bytes);
  EXPECT_EQ(static_cast<uint8_t>(digest[0]), 0xba);
  EXPECT_EQ(static_cast<uint8_t>(digest[31]), 0xad);
}

TEST(SnapshotBlob, OpensWhatWasSealedWithItsSummary) {
  const MvccStore store = store_with_history();
  const std::string data = store.snapshot();
  const std::string blob = seal_snapshot_blob(data);
  // Whole 512-byte blocks (data, padding, its length) then the digest, as etcdctl expects.
  ASSERT_EQ(blob.size() % kSnapshotBlockBytes, kSha256Bytes);
  ASSERT_GE(blob.size(), data.size() + 8 + kSha256Bytes);
  EXPECT_EQ(blob.substr(0, data.size()), data);
  SnapshotSummary summary;
  Status opened = open_snapshot_blob(blob, summary);
  ASSERT_TRUE(opened.ok()) << opened.message();
  EXPECT_EQ(summary.store_snapshot, data);
  EXPECT_EQ(summary.revision, store.current_revision());
  EXPECT_EQ(summary.revision, 5);
  EXPECT_EQ(summary.total_keys, store.record_count());
  EXPECT_EQ(summary.total_keys, 4);  // a@2, a@3, b@4, b's tombstone @5
  EXPECT_EQ(summary.total_size, static_cast<int64_t>(blob.size()));
  EXPECT_EQ(summary.hash, whole_store_hash(data));
}

TEST(SnapshotBlob, EqualStoresHashAlikeAndAWriteChangesTheHash) {
  MvccStore first = store_with_history();
  const MvccStore second = store_with_history();
  EXPECT_EQ(whole_store_hash(first.snapshot()), whole_store_hash(second.snapshot()));
  PutResponse put;
  ASSERT_TRUE(first.put({.key = "c", .value = "4"}, put).ok());
  EXPECT_NE(whole_store_hash(first.snapshot()), whole_store_hash(second.snapshot()));
}

TEST(SnapshotBlob, TruncatedCorruptedOrForeignFilesAreRefused) {
  const std::string blob = seal_snapshot_blob(store_with_history().snapshot());
  SnapshotSummary summary;
  EXPECT_EQ(open_snapshot_blob(blob.substr(0, blob.size() - 1), summary).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(open_snapshot_blob(blob.substr(0, 10), summary).code(), StatusCode::kCorruption);
  EXPECT_EQ(open_snapshot_blob("", summary).code(), StatusCode::kCorruption);
  for (size_t at : {size_t{0}, blob.size() / 2, blob.size() - 1}) {
    std::string flipped = blob;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    EXPECT_EQ(open_snapshot_blob(flipped, summary).code(), StatusCode::kCorruption) << at;
  }
  // A block-aligned blob with a correct digest but a length field beyond the data, or junk in the
  // padding (a crafted or foreign file).
  std::string area = snapshot_stream_data(store_with_history().snapshot());
  std::string bad_length = area;
  bad_length[bad_length.size() - 2] = 0x7f;
  EXPECT_EQ(open_snapshot_blob(bad_length + sha256(bad_length), summary).code(),
            StatusCode::kCorruption);
  std::string junk = area;
  junk[area.size() - 9] = 'x';  // the last padding byte (the store's bytes are far shorter)
  EXPECT_EQ(open_snapshot_blob(junk + sha256(junk), summary).code(), StatusCode::kCorruption);
  // A correct digest over bytes that are no store snapshot (e.g. an etcd bbolt file).
  const Status foreign = open_snapshot_blob(seal_snapshot_blob("not a snapshot"), summary);
  EXPECT_EQ(foreign.code(), StatusCode::kCorruption);
  EXPECT_NE(foreign.message().find("kv snapshot refused"), std::string::npos) << foreign.message();
}

TEST(SnapshotBlob, FoldKeepsBothHalves) {
  EXPECT_EQ(fold_hash(0x0000000100000000ull), 1u);
  EXPECT_EQ(fold_hash(0x00000000ffffffffull), 0xffffffffu);
  EXPECT_EQ(fold_hash(0xffffffffffffffffull), 0u);
}

}  // namespace
}  // namespace synod::kv
