// Every Range option, table-driven over one fixed history.
#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/mvcc_store.h"
#include "kv_test_util.h"

// The cases name only the request fields they set; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace synod::kv {
namespace {

using testing::kAllKeys;
using testing::keys_of;
using testing::must_delete;
using testing::must_put;
using testing::must_range;

// Ends at revision 9 with a(create 2, mod 5, version 2, "4"), b(3, 3, 1, "22"), foo(6, 6, 1, "x"),
// foo1(7, 7, 1, "y"), fop(8, 8, 1, "z"); c lived from 4 to 9.
MvccStore fixture_store() {
  MvccStore store;
  must_put(store, "a", "1");
  must_put(store, "b", "22");
  must_put(store, "c", "3");
  must_put(store, "a", "4");
  must_put(store, "foo", "x");
  must_put(store, "foo1", "y");
  must_put(store, "fop", "z");
  must_delete(store, "c");
  EXPECT_EQ(store.current_revision(), 9);
  return store;
}

RangeRequest all_keys() { return RangeRequest{.key = kAllKeys, .range_end = kAllKeys}; }

RangeRequest sorted(SortOrder order, SortTarget target, int64_t limit = 0) {
  RangeRequest request = all_keys();
  request.sort_order = order;
  request.sort_target = target;
  request.limit = limit;
  return request;
}

RangeRequest filtered(int64_t min_mod, int64_t max_mod, int64_t min_create, int64_t max_create) {
  RangeRequest request = all_keys();
  request.min_mod_revision = min_mod;
  request.max_mod_revision = max_mod;
  request.min_create_revision = min_create;
  request.max_create_revision = max_create;
  return request;
}

RangeRequest at(int64_t revision) {
  RangeRequest request = all_keys();
  request.revision = revision;
  return request;
}

struct RangeCase {
  const char* name;
  RangeRequest request;
  std::vector<std::string> keys;
  int64_t count;
  bool more;
};

using enum SortOrder;
using enum SortTarget;

const RangeCase kRangeCases[] = {
    {"single key", {.key = "a"}, {"a"}, 1, false},
    {"absent key", {.key = "zz"}, {}, 0, false},
    {"deleted key", {.key = "c"}, {}, 0, false},
    {"all keys", all_keys(), {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"from key", {.key = "b", .range_end = kAllKeys}, {"b", "foo", "foo1", "fop"}, 4, false},
    {"prefix foo", {.key = "foo", .range_end = "fop"}, {"foo", "foo1"}, 2, false},
    {"interval", {.key = "a", .range_end = "c"}, {"a", "b"}, 2, false},
    {"end before key", {.key = "c", .range_end = "a"}, {}, 0, false},
    {"limit cuts", {.key = kAllKeys, .range_end = kAllKeys, .limit = 2}, {"a", "b"}, 5, true},
    {"limit exact", {.key = kAllKeys, .range_end = kAllKeys, .limit = 5},
     {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"limit above", {.key = kAllKeys, .range_end = kAllKeys, .limit = 6},
     {"a", "b", "foo", "foo1", "fop"}, 5, false},
    // Found by fuzz/api_requests: limit + 1 overflowed (etcdctl get --limit accepts any int64).
    {"largest limit", {.key = kAllKeys, .range_end = kAllKeys, .limit = INT64_MAX},
     {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"key descend", sorted(kDescend, kKey), {"fop", "foo1", "foo", "b", "a"}, 5, false},
    {"key ascend", sorted(kAscend, kKey), {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"version ascend", sorted(kAscend, kVersion), {"b", "foo", "foo1", "fop", "a"}, 5, false},
    {"version none sorts ascending", sorted(kNone, kVersion), {"b", "foo", "foo1", "fop", "a"}, 5,
     false},
    {"version descend, ties by key", sorted(kDescend, kVersion), {"a", "b", "foo", "foo1", "fop"},
     5, false},
    {"create ascend", sorted(kAscend, kCreate), {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"create descend", sorted(kDescend, kCreate), {"fop", "foo1", "foo", "b", "a"}, 5, false},
    {"mod ascend", sorted(kAscend, kMod), {"b", "a", "foo", "foo1", "fop"}, 5, false},
    {"mod descend", sorted(kDescend, kMod), {"fop", "foo1", "foo", "a", "b"}, 5, false},
    {"value ascend", sorted(kAscend, kValue), {"b", "a", "foo", "foo1", "fop"}, 5, false},
    {"value descend, limit after sort", sorted(kDescend, kValue, 2), {"fop", "foo1"}, 5, true},
    {"min mod", filtered(6, 0, 0, 0), {"foo", "foo1", "fop"}, 5, false},
    {"max mod", filtered(0, 5, 0, 0), {"a", "b"}, 5, false},
    {"min create", filtered(0, 0, 3, 0), {"b", "foo", "foo1", "fop"}, 5, false},
    {"max create", filtered(0, 0, 0, 2), {"a"}, 5, false},
    {"mod window", filtered(4, 6, 0, 0), {"a", "foo"}, 5, false},
    {"past revision 1", at(1), {}, 0, false},
    {"past revision 4", at(4), {"a", "b", "c"}, 3, false},
    {"past revision 8", at(8), {"a", "b", "c", "foo", "foo1", "fop"}, 6, false},
    {"current revision by number", at(9), {"a", "b", "foo", "foo1", "fop"}, 5, false},
    {"count only", {.key = kAllKeys, .range_end = kAllKeys, .count_only = true}, {}, 5, false},
    {"count only with limit", {.key = kAllKeys, .range_end = kAllKeys, .limit = 1, .count_only = true},
     {}, 5, false},
};

TEST(RangeTest, EveryOption) {
  MvccStore store = fixture_store();
  for (const RangeCase& c : kRangeCases) {
    RangeResponse response;
    Status status = store.range(c.request, response);
    ASSERT_TRUE(status.ok()) << c.name << ": " << status.message();
    EXPECT_EQ(keys_of(response), c.keys) << c.name;
    EXPECT_EQ(response.count, c.count) << c.name;
    EXPECT_EQ(response.more, c.more) << c.name;
    EXPECT_EQ(response.header.revision, 9) << c.name;  // the store's revision, even for the past
  }
}

TEST(RangeTest, ValuesAtPastRevisions) {
  MvccStore store = fixture_store();
  RangeResponse response = must_range(store, at(4));
  ASSERT_EQ(response.kvs.size(), 3u);
  EXPECT_EQ(response.kvs[0], (KeyValue{"a", 2, 2, 1, "1", 0}));
  EXPECT_EQ(response.kvs[2], (KeyValue{"c", 4, 4, 1, "3", 0}));
}

TEST(RangeTest, KeysOnlyDropsValuesButKeepsMetadata) {
  MvccStore store = fixture_store();
  RangeRequest request = all_keys();
  request.keys_only = true;
  RangeResponse response = must_range(store, request);
  ASSERT_EQ(response.kvs.size(), 5u);
  EXPECT_EQ(response.kvs[0], (KeyValue{"a", 2, 5, 2, "", 0}));
  for (const KeyValue& kv : response.kvs) EXPECT_TRUE(kv.value.empty());
}

TEST(RangeTest, FutureRevisionIsAnError) {
  MvccStore store = fixture_store();
  RangeResponse response;
  Status status = store.range(at(10), response);
  EXPECT_EQ(status.message(), kErrFutureRevision);
  EXPECT_EQ(status.message(), "etcdserver: mvcc: required revision is a future revision");
}

// etcd 3.4 with order NONE and a non-key target takes the first limit + 1 keys in key order and
// sorts only those; an explicit order sorts every key before the limit.
TEST(RangeTest, UnorderedSortWithLimitSortsOnlyTheFirstKeys) {
  MvccStore store;
  must_put(store, "c", "1");  // mod 2: the smallest, but last in key order
  must_put(store, "b", "1");  // mod 3
  must_put(store, "a", "1");  // mod 4
  RangeResponse unordered = must_range(store, sorted(kNone, kMod, 1));
  EXPECT_EQ(keys_of(unordered), std::vector<std::string>{"b"});
  EXPECT_EQ(unordered.count, 3);
  EXPECT_TRUE(unordered.more);
  EXPECT_EQ(keys_of(must_range(store, sorted(kAscend, kMod, 1))), std::vector<std::string>{"c"});
}

TEST(RangeTest, ByteOrderIsUnsigned) {
  MvccStore store;
  must_put(store, "\x7f", "low");
  must_put(store, "\x80", "high");
  must_put(store, "\xff", "top");
  RangeResponse response = must_range(store, RangeRequest{.key = "\x7f", .range_end = "\xff"});
  EXPECT_EQ(keys_of(response), (std::vector<std::string>{"\x7f", "\x80"}));
}

TEST(RangeTest, AllKeysIncludesTheZeroByteKey) {
  MvccStore store;
  must_put(store, kAllKeys, "zero");
  must_put(store, "a", "1");
  EXPECT_EQ(must_range(store, all_keys()).count, 2);
}

}  // namespace
}  // namespace synod::kv
