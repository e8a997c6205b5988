// Compaction: its errors, what reads at or after the compacted revision still see, what it frees.
#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/mvcc_store.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

using testing::get;
using testing::kAllKeys;
using testing::must_delete;
using testing::must_put;
using testing::must_range;

Status compact(MvccStore& store, int64_t revision) {
  CompactionResponse response;
  Status status = store.compact(CompactionRequest{revision, false}, response);
  if (status.ok()) {
    EXPECT_EQ(response.header.revision, store.current_revision());
  }
  return status;
}

RangeResponse all_at(const MvccStore& store, int64_t revision) {
  RangeRequest request;
  request.key = kAllKeys;
  request.range_end = kAllKeys;
  request.revision = revision;
  return must_range(store, request);
}

// Revisions: 2 put a, 3 put b, 4 put a, 5 delete b, 6 put c, 7 put b, 8 delete c.
MvccStore history_store() {
  MvccStore store;
  must_put(store, "a", "a1");
  must_put(store, "b", "b1");
  must_put(store, "a", "a2");
  must_delete(store, "b");
  must_put(store, "c", "c1");
  must_put(store, "b", "b2");
  must_delete(store, "c");
  EXPECT_EQ(store.current_revision(), 8);
  return store;
}

TEST(CompactionTest, Errors) {
  MvccStore store = history_store();
  EXPECT_EQ(compact(store, 9).message(), kErrFutureRevision);
  ASSERT_TRUE(compact(store, 4).ok());
  EXPECT_EQ(compact(store, 4).message(), kErrCompacted);
  EXPECT_EQ(compact(store, 3).message(), kErrCompacted);
  EXPECT_EQ(compact(store, 4).code(), StatusCode::kCompacted);
  EXPECT_TRUE(compact(store, 8).ok());
  EXPECT_EQ(store.compacted_revision(), 8);
}

TEST(CompactionTest, ReadsBelowTheCompactedRevisionFail) {
  MvccStore store = history_store();
  ASSERT_TRUE(compact(store, 5).ok());
  RangeRequest request;
  request.key = "a";
  request.revision = 4;
  RangeResponse response;
  EXPECT_EQ(store.range(request, response).message(), kErrCompacted);
  EXPECT_EQ(store.range(request, response).message(),
            "etcdserver: mvcc: required revision has been compacted");
  request.revision = 5;
  EXPECT_TRUE(store.range(request, response).ok());
}

TEST(CompactionTest, ReadsAtAndAfterTheCompactedRevisionAreUnchanged) {
  for (int64_t compact_at = 1; compact_at <= 8; ++compact_at) {
    MvccStore store = history_store();
    std::vector<RangeResponse> before;
    for (int64_t revision = compact_at; revision <= 8; ++revision)
      before.push_back(all_at(store, revision));
    ASSERT_TRUE(compact(store, compact_at).ok()) << compact_at;
    for (int64_t revision = compact_at; revision <= 8; ++revision)
      EXPECT_EQ(all_at(store, revision), before[revision - compact_at]) << compact_at << " " << revision;
  }
}

TEST(CompactionTest, KeepsOnlyTheLatestVersionAtOrBelowAndDropsDeletedKeys) {
  MvccStore store = history_store();
  EXPECT_EQ(store.record_count(), 7);
  // At 5: a keeps a2 (drops a1); b's first generation ends at 5 and goes entirely, b2 stays;
  // c (6..8) is untouched.
  ASSERT_TRUE(compact(store, 5).ok());
  EXPECT_EQ(store.record_count(), 4);
  // At 8: c's generation ended at 8 and goes; a2 and b2 remain.
  ASSERT_TRUE(compact(store, 8).ok());
  EXPECT_EQ(store.record_count(), 2);
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 2, 4, 2, "a2", 0}));
  EXPECT_EQ(*get(store, "b"), (KeyValue{"b", 7, 7, 1, "b2", 0}));
}

TEST(CompactionTest, DoesNotMoveTheRevisionAndWritesContinue) {
  MvccStore store = history_store();
  ASSERT_TRUE(compact(store, 8).ok());
  EXPECT_EQ(store.current_revision(), 8);
  must_put(store, "a", "a3");
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 2, 9, 3, "a3", 0}));
  EXPECT_FALSE(get(store, "c").has_value());
  must_put(store, "c", "c2");
  EXPECT_EQ(*get(store, "c"), (KeyValue{"c", 10, 10, 1, "c2", 0}));
}

TEST(CompactionTest, HashOfACompactedRevisionFails) {
  MvccStore store = history_store();
  ASSERT_TRUE(compact(store, 5).ok());
  EXPECT_EQ(store.hash(4).status.message(), kErrCompacted);
  EXPECT_TRUE(store.hash(5).status.ok());
  EXPECT_EQ(store.hash(9).status.message(), kErrFutureRevision);
}

}  // namespace
}  // namespace synod::kv
