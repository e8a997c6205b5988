// Revisions, versions and the single-key writes: put, delete, prev_kv, ignore_value/ignore_lease,
// change events, deleting the keys of a lease.
#include "kv/mvcc_store.h"

#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

using testing::get;
using testing::must_delete;
using testing::must_put;

TEST(MvccStoreTest, EmptyStoreIsAtRevisionOne) {
  MvccStore store;
  EXPECT_EQ(store.current_revision(), 1);
  EXPECT_EQ(store.compacted_revision(), MvccStore::kNotCompacted);
  EXPECT_FALSE(get(store, "a").has_value());
}

TEST(MvccStoreTest, RevisionsAndVersionsAcrossPutDeleteRecreate) {
  MvccStore store;
  EXPECT_EQ(must_put(store, "a", "1").header.revision, 2);
  EXPECT_EQ(must_put(store, "a", "2").header.revision, 3);
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 2, 3, 2, "2", 0}));
  DeleteRangeResponse deleted = must_delete(store, "a");
  EXPECT_EQ(deleted.deleted, 1);
  EXPECT_EQ(deleted.header.revision, 4);
  EXPECT_FALSE(get(store, "a").has_value());
  must_put(store, "a", "3");
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 5, 5, 1, "3", 0}));
  // Every past revision still reads as it was.
  EXPECT_FALSE(get(store, "a", 1).has_value());
  EXPECT_EQ(*get(store, "a", 2), (KeyValue{"a", 2, 2, 1, "1", 0}));
  EXPECT_EQ(*get(store, "a", 3), (KeyValue{"a", 2, 3, 2, "2", 0}));
  EXPECT_FALSE(get(store, "a", 4).has_value());
  EXPECT_EQ(store.current_revision(), 5);
}

TEST(MvccStoreTest, DeleteOfNothingKeepsTheRevision) {
  MvccStore store;
  must_put(store, "a", "1");
  DeleteRangeResponse response = must_delete(store, "b");
  EXPECT_EQ(response.deleted, 0);
  EXPECT_EQ(response.header.revision, 2);
  EXPECT_EQ(store.current_revision(), 2);
  must_delete(store, "a");
  must_delete(store, "a");  // already deleted: no change
  EXPECT_EQ(store.current_revision(), 3);
}

TEST(MvccStoreTest, PutOfTheSameValueStillBumpsTheRevision) {
  MvccStore store;
  must_put(store, "a", "1");
  must_put(store, "a", "1");
  EXPECT_EQ(store.current_revision(), 3);
  EXPECT_EQ(get(store, "a")->version, 2);
}

TEST(MvccStoreTest, DeleteRangeDeletesEveryLiveKeyInOneRevision) {
  MvccStore store;
  for (const char* key : {"a", "b", "c", "d"}) must_put(store, key, key);
  must_delete(store, "b");
  DeleteRangeRequest request{"a", "d", true};
  DeleteRangeResponse response;
  ASSERT_TRUE(store.delete_range(request, response).ok());
  EXPECT_EQ(response.deleted, 2);
  ASSERT_EQ(response.prev_kvs.size(), 2u);
  EXPECT_EQ(response.prev_kvs[0].key, "a");
  EXPECT_EQ(response.prev_kvs[1].key, "c");
  EXPECT_EQ(store.current_revision(), 7);
  EXPECT_TRUE(get(store, "d").has_value());
}

TEST(MvccStoreTest, AReusedResponseStartsEmpty) {
  MvccStore store;
  must_put(store, "a", "1");
  must_put(store, "b", "1");
  DeleteRangeResponse response;
  ASSERT_TRUE(store.delete_range(DeleteRangeRequest{"a", "", true}, response).ok());
  ASSERT_TRUE(store.delete_range(DeleteRangeRequest{"b", "", true}, response).ok());
  EXPECT_EQ(response.deleted, 1);
  EXPECT_EQ(response.prev_kvs.size(), 1u);
  PutResponse put_response;
  ASSERT_TRUE(store.put(PutRequest{"a", "1", 0, true, false, false}, put_response).ok());
  ASSERT_TRUE(store.put(PutRequest{"a", "2", 0, true, false, false}, put_response).ok());
  ASSERT_TRUE(store.put(PutRequest{"a", "3", 0, false, false, false}, put_response).ok());
  EXPECT_FALSE(put_response.prev_kv.has_value());
}

TEST(MvccStoreTest, PrevKvOnPut) {
  MvccStore store;
  PutRequest request{"a", "1", 0, true, false, false};
  PutResponse first;
  ASSERT_TRUE(store.put(request, first).ok());
  EXPECT_FALSE(first.prev_kv.has_value());
  request.value = "2";
  PutResponse second;
  ASSERT_TRUE(store.put(request, second).ok());
  ASSERT_TRUE(second.prev_kv.has_value());
  EXPECT_EQ(*second.prev_kv, (KeyValue{"a", 2, 2, 1, "1", 0}));
  request.prev_kv = false;
  PutResponse third;
  ASSERT_TRUE(store.put(request, third).ok());
  EXPECT_FALSE(third.prev_kv.has_value());
}

TEST(MvccStoreTest, IgnoreValueAndIgnoreLeaseKeepTheCurrentOnes) {
  MvccStore store;
  must_put(store, "a", "v", 7);
  testing::ensure_lease(store, 9);
  PutResponse response;
  ASSERT_TRUE(store.put(PutRequest{"a", "", 9, false, true, false}, response).ok());
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 2, 3, 2, "v", 9}));
  ASSERT_TRUE(store.put(PutRequest{"a", "w", 0, false, false, true}, response).ok());
  EXPECT_EQ(*get(store, "a"), (KeyValue{"a", 2, 4, 3, "w", 9}));
}

struct PutErrorCase {
  const char* name;
  PutRequest request;
  std::string_view expected;
};

TEST(MvccStoreTest, PutErrorsLeaveTheStoreUnchanged) {
  const PutErrorCase cases[] = {
      {"ignore_value on absent key", {"absent", "", 0, false, true, false}, kErrKeyNotFound},
      {"ignore_lease on absent key", {"absent", "x", 0, false, false, true}, kErrKeyNotFound},
      {"ignore_value on deleted key", {"gone", "", 0, false, true, false}, kErrKeyNotFound},
      {"ignore_value with a value", {"a", "x", 0, false, true, false}, kErrValueProvided},
      {"ignore_lease with a lease", {"a", "x", 5, false, false, true}, kErrLeaseProvided},
      {"empty key", {"", "x", 0, false, false, false}, kErrEmptyKey},
      {"unknown lease", {"a", "x", 5, false, false, false}, kErrLeaseNotFound},
  };
  for (const PutErrorCase& c : cases) {
    MvccStore store;
    must_put(store, "a", "1");
    must_put(store, "gone", "1");
    must_delete(store, "gone");
    std::string before = store.snapshot();
    PutResponse response;
    Status status = store.put(c.request, response);
    EXPECT_EQ(status.message(), c.expected) << c.name;
    EXPECT_EQ(store.snapshot(), before) << c.name;
  }
}

TEST(MvccStoreTest, EmptyKeyIsRefusedByDeleteAndRange) {
  MvccStore store;
  DeleteRangeResponse deleted;
  EXPECT_EQ(store.delete_range(DeleteRangeRequest{}, deleted).message(), kErrEmptyKey);
  RangeResponse ranged;
  EXPECT_EQ(store.range(RangeRequest{}, ranged).message(), kErrEmptyKey);
}

TEST(MvccStoreTest, WritesReportTheirEvents) {
  MvccStore store;
  testing::ensure_lease(store, 3);
  std::vector<Event> events;
  PutResponse put_response;
  ASSERT_TRUE(store.put(PutRequest{"a", "1", 3, false, false, false}, put_response, &events).ok());
  ASSERT_TRUE(store.put(PutRequest{"a", "2", 0, false, false, false}, put_response, &events).ok());
  DeleteRangeResponse delete_response;
  ASSERT_TRUE(store.delete_range(DeleteRangeRequest{"a", "", false}, delete_response, &events).ok());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], (Event{Event::Type::kPut, KeyValue{"a", 2, 2, 1, "1", 3}, std::nullopt}));
  EXPECT_EQ(events[1], (Event{Event::Type::kPut, KeyValue{"a", 2, 3, 2, "2", 0},
                              KeyValue{"a", 2, 2, 1, "1", 3}}));
  EXPECT_EQ(events[2], (Event{Event::Type::kDelete, KeyValue{"a", 0, 4, 0, "", 0},
                              KeyValue{"a", 2, 3, 2, "2", 0}}));
}

TEST(MvccStoreTest, LeaseRevokeDeletesOnlyThatLeasesLiveKeysInOneRevision) {
  MvccStore store;
  LeaseGrantResponse granted;
  ASSERT_TRUE(store.lease_grant({5, 60}, granted).ok());
  ASSERT_TRUE(store.lease_grant({6, 60}, granted).ok());
  must_put(store, "a", "1", 5);
  must_put(store, "b", "1", 6);
  must_put(store, "c", "1", 5);
  must_put(store, "d", "1", 5);
  must_put(store, "d", "2", 0);  // no longer attached
  std::vector<Event> events;
  LeaseRevokeResponse response;
  ASSERT_TRUE(store.lease_revoke(LeaseRevokeRequest{5}, response, &events).ok());
  EXPECT_EQ(response.header.revision, 7);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kv.key, "a");
  EXPECT_EQ(events[1].kv.key, "c");
  EXPECT_EQ(events[1].kv.mod_revision, 7);
  EXPECT_FALSE(get(store, "a").has_value());
  EXPECT_TRUE(get(store, "b").has_value());
  EXPECT_TRUE(get(store, "d").has_value());
  EXPECT_EQ(store.lease_revoke(LeaseRevokeRequest{5}, response, &events).message(), kErrLeaseNotFound);
  EXPECT_EQ(store.current_revision(), 7);
  EXPECT_TRUE(store.check_invariants().ok());
}

TEST(MvccStoreTest, KeysAndValuesAreArbitraryBytes) {
  MvccStore store;
  std::string key("\0\xff\x01", 3), value("\0\0", 2);
  must_put(store, key, value);
  EXPECT_EQ(get(store, key)->value, value);
}

}  // namespace
}  // namespace synod::kv
