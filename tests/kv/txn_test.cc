// Txn: compares (each target x each result, ranges, missing keys), branches, one revision per Txn,
// reads of earlier writes, nested Txns, the duplicate-key rule, the operation limit, atomicity.
#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/mvcc_store.h"
#include "kv/txn_validation.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

using testing::get;
using testing::must_put;

RequestOp put_op(const std::string& key, const std::string& value) {
  PutRequest request;
  request.key = key;
  request.value = value;
  return RequestOp{request};
}
RequestOp delete_op(const std::string& key, const std::string& range_end = "") {
  return RequestOp{DeleteRangeRequest{key, range_end, false}};
}
RequestOp range_op(const std::string& key, const std::string& range_end = "") {
  RangeRequest request;
  request.key = key;
  request.range_end = range_end;
  return RequestOp{request};
}
RequestOp txn_op(TxnRequest request) { return RequestOp{std::move(request)}; }

Compare compare_of(CompareTarget target, CompareResult result, const std::string& key,
                   int64_t number, const std::string& value = "", const std::string& range_end = "") {
  Compare compare;
  compare.target = target;
  compare.result = result;
  compare.key = key;
  compare.range_end = range_end;
  compare.version = compare.create_revision = compare.mod_revision = compare.lease = number;
  compare.value = value;
  return compare;
}

bool succeeds(MvccStore& store, std::vector<Compare> compares) {
  TxnResponse response;
  Status status = store.txn(TxnRequest{std::move(compares), {}, {}}, response);
  EXPECT_TRUE(status.ok()) << status.message();
  return response.succeeded;
}

// k: create 2, mod 3, version 2, value "m", lease 4.
MvccStore compare_store() {
  MvccStore store;
  must_put(store, "k", "a", 4);
  must_put(store, "k", "m", 4);
  return store;
}

using enum CompareTarget;
using enum CompareResult;

TEST(TxnTest, EveryTargetWithEveryResult) {
  struct Target {
    CompareTarget target;
    int64_t below, equal, above;  // numbers below, equal to and above k's field
    std::string value_below, value_equal, value_above;
  };
  const Target targets[] = {
      {kVersion, 1, 2, 3, "", "", ""},
      {kCreate, 1, 2, 3, "", "", ""},
      {kMod, 2, 3, 4, "", "", ""},
      {kLease, 3, 4, 5, "", "", ""},
      {kValue, 0, 0, 0, "l", "m", "n"},
  };
  struct Expected {
    CompareResult result;
    bool when_kv_greater, when_equal, when_kv_less;
  };
  const Expected results[] = {
      {kEqual, false, true, false},
      {kNotEqual, true, false, true},
      {kGreater, true, false, false},
      {kLess, false, false, true},
  };
  MvccStore store = compare_store();
  for (const Target& t : targets) {
    for (const Expected& e : results) {
      std::string label = std::to_string(int(t.target)) + "/" + std::to_string(int(e.result));
      EXPECT_EQ(succeeds(store, {compare_of(t.target, e.result, "k", t.below, t.value_below)}),
                e.when_kv_greater) << label;
      EXPECT_EQ(succeeds(store, {compare_of(t.target, e.result, "k", t.equal, t.value_equal)}),
                e.when_equal) << label;
      EXPECT_EQ(succeeds(store, {compare_of(t.target, e.result, "k", t.above, t.value_above)}),
                e.when_kv_less) << label;
    }
  }
  EXPECT_EQ(store.current_revision(), 3);  // compares alone never write
}

TEST(TxnTest, MissingKeyComparesAsZeroButValueComparesFail) {
  struct Case {
    Compare compare;
    bool expected;
  };
  const Case cases[] = {
      {compare_of(kVersion, kEqual, "missing", 0), true},
      {compare_of(kCreate, kEqual, "missing", 0), true},
      {compare_of(kMod, kLess, "missing", 1), true},
      {compare_of(kLease, kEqual, "missing", 0), true},
      {compare_of(kVersion, kGreater, "missing", 0), false},
      {compare_of(kValue, kEqual, "missing", 0, ""), false},
      {compare_of(kValue, kNotEqual, "missing", 0, "x"), false},
  };
  MvccStore store = compare_store();
  testing::must_put(store, "deleted", "v");
  testing::must_delete(store, "deleted");
  for (const Case& c : cases) {
    EXPECT_EQ(succeeds(store, {c.compare}), c.expected);
    Compare on_deleted = c.compare;
    on_deleted.key = "deleted";
    EXPECT_EQ(succeeds(store, {on_deleted}), c.expected);
  }
}

TEST(TxnTest, RangeComparesNeedEveryKeyToSatisfy) {
  MvccStore store;
  must_put(store, "r1", "x");
  must_put(store, "r2", "x");
  must_put(store, "r2", "y");
  EXPECT_TRUE(succeeds(store, {compare_of(kVersion, kGreater, "r", 0, "", "s")}));
  EXPECT_FALSE(succeeds(store, {compare_of(kVersion, kEqual, "r", 1, "", "s")}));
  EXPECT_TRUE(succeeds(store, {compare_of(kVersion, kLess, "r", 3, "", "s")}));
  EXPECT_FALSE(succeeds(store, {compare_of(kValue, kEqual, "r", 0, "x", "s")}));
  EXPECT_TRUE(succeeds(store, {compare_of(kValue, kEqual, "r1", 0, "x", "r2")}));
  // An empty range compares as a missing key.
  EXPECT_TRUE(succeeds(store, {compare_of(kVersion, kEqual, "x", 0, "", "y")}));
  EXPECT_FALSE(succeeds(store, {compare_of(kValue, kEqual, "x", 0, "", "y")}));
  // From-key and all-keys ranges.
  EXPECT_TRUE(succeeds(store, {compare_of(kCreate, kGreater, "r2", 2, "", std::string("\0", 1))}));
  EXPECT_FALSE(succeeds(store, {compare_of(kCreate, kGreater, std::string("\0", 1), 2, "",
                                           std::string("\0", 1))}));
}

TEST(TxnTest, AllComparesMustHoldAndTheBranchFollows) {
  MvccStore store = compare_store();
  TxnRequest request{{compare_of(kVersion, kEqual, "k", 2), compare_of(kValue, kEqual, "k", 0, "x")},
                     {put_op("then", "1")},
                     {put_op("else", "1")}};
  TxnResponse response;
  ASSERT_TRUE(store.txn(request, response).ok());
  EXPECT_FALSE(response.succeeded);
  EXPECT_FALSE(get(store, "then").has_value());
  EXPECT_TRUE(get(store, "else").has_value());
  request.compare.pop_back();
  ASSERT_TRUE(store.txn(request, response).ok());
  EXPECT_TRUE(response.succeeded);
  EXPECT_TRUE(get(store, "then").has_value());
}

TEST(TxnTest, AllWritesShareOneRevisionAndReadsSeeEarlierWrites) {
  MvccStore store = compare_store();
  TxnRequest request{{}, {range_op("a"), put_op("a", "1"), range_op("a"), put_op("b", "2"),
                          delete_op("k"), range_op("a", "c")}, {}};
  TxnResponse response;
  std::vector<Event> events;
  ASSERT_TRUE(store.txn(request, response, &events).ok());
  EXPECT_EQ(store.current_revision(), 4);
  EXPECT_EQ(response.header.revision, 4);
  ASSERT_EQ(response.responses.size(), 6u);
  auto& before = std::get<RangeResponse>(response.responses[0].response);
  EXPECT_TRUE(before.kvs.empty());
  EXPECT_EQ(before.header.revision, 3);
  auto& after = std::get<RangeResponse>(response.responses[2].response);
  ASSERT_EQ(after.kvs.size(), 1u);
  EXPECT_EQ(after.kvs[0], (KeyValue{"a", 4, 4, 1, "1", 0}));
  EXPECT_EQ(after.header.revision, 4);
  EXPECT_EQ(std::get<PutResponse>(response.responses[1].response).header.revision, 4);
  EXPECT_EQ(std::get<DeleteRangeResponse>(response.responses[4].response).deleted, 1);
  EXPECT_EQ(std::get<RangeResponse>(response.responses[5].response).count, 2);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kv.key, "a");
  EXPECT_EQ(events[1].kv.key, "b");
  EXPECT_EQ(events[2].type, Event::Type::kDelete);
  EXPECT_EQ(events[2].kv.mod_revision, 4);
}

TEST(TxnTest, ReadOnlyOrNoOpTxnKeepsTheRevision) {
  MvccStore store = compare_store();
  TxnResponse response;
  ASSERT_TRUE(store.txn(TxnRequest{{}, {range_op("k"), delete_op("absent")}, {}}, response).ok());
  EXPECT_EQ(store.current_revision(), 3);
  EXPECT_EQ(response.header.revision, 3);
}

TEST(TxnTest, NestedTxnComparesSeeTheStateBeforeTheTxn) {
  MvccStore store;
  TxnRequest inner{{compare_of(kVersion, kEqual, "x", 0)}, {put_op("inner-then", "1")},
                   {put_op("inner-else", "1")}};
  TxnRequest outer{{}, {put_op("x", "1"), txn_op(inner)}, {}};
  TxnResponse response;
  ASSERT_TRUE(store.txn(outer, response).ok());
  EXPECT_EQ(store.current_revision(), 2);
  auto& nested = std::get<TxnResponse>(response.responses[1].response);
  EXPECT_TRUE(nested.succeeded);  // as in etcd: x did not exist when the Txn began
  EXPECT_EQ(nested.header.revision, 2);
  EXPECT_TRUE(get(store, "inner-then").has_value());
  EXPECT_FALSE(get(store, "inner-else").has_value());
  EXPECT_EQ(get(store, "x")->mod_revision, 2);
}

TEST(TxnTest, DeeplyNestedTxns) {
  MvccStore store;
  TxnRequest request{{}, {put_op("k3", "3")}, {}};
  for (int depth = 2; depth >= 0; --depth) {
    request = TxnRequest{{}, {put_op("k" + std::to_string(depth), "x"), txn_op(request)}, {}};
  }
  TxnResponse response;
  ASSERT_TRUE(store.txn(request, response).ok());
  EXPECT_EQ(store.current_revision(), 2);
  for (const char* key : {"k0", "k1", "k2", "k3"}) EXPECT_EQ(get(store, key)->mod_revision, 2);
}

TEST(TxnTest, DuplicateKeys) {
  const std::string kFrom("\0", 1);
  struct Case {
    const char* name;
    TxnRequest request;
    bool duplicate;
  };
  TxnRequest both_branches{{}, {put_op("a", "1")}, {put_op("a", "2")}};
  auto only = [](RequestOp op) { return txn_op(TxnRequest{{}, {std::move(op)}, {}}); };
  const Case cases[] = {
      {"two puts", {{}, {put_op("a", "1"), put_op("a", "2")}, {}}, true},
      {"put and delete of it", {{}, {put_op("a", "1"), delete_op("a")}, {}}, true},
      {"put inside a deleted range", {{}, {delete_op("a", "c"), put_op("b", "1")}, {}}, true},
      {"put inside a from-key delete", {{}, {delete_op("a", kFrom), put_op("z", "1")}, {}}, true},
      {"put outside a deleted range", {{}, {delete_op("a", "c"), put_op("c", "1")}, {}}, false},
      {"overlapping deletes", {{}, {delete_op("a", "c"), delete_op("b", "d")}, {}}, false},
      {"same key in success and failure", {{}, {put_op("a", "1")}, {put_op("a", "2")}}, false},
      {"outer and nested put", {{}, {put_op("a", "1"), only(put_op("a", "2"))}, {}}, true},
      {"nested put, outer delete", {{}, {delete_op("a"), only(put_op("a", "2"))}, {}}, true},
      {"nested delete, outer put", {{}, {put_op("a", "1"), only(delete_op("a"))}, {}}, true},
      {"nested branches may share a key", {{}, {txn_op(both_branches)}, {}}, false},
      {"nested branches and outer", {{}, {txn_op(both_branches), put_op("a", "3")}, {}}, true},
      {"two nested txns", {{}, {txn_op(both_branches), txn_op(both_branches)}, {}}, true},
      {"nested failure branch and outer",
       {{}, {txn_op(TxnRequest{{}, {}, {put_op("a", "1")}}), put_op("a", "2")}, {}}, true},
      {"in the failure branch", {{}, {}, {put_op("a", "1"), put_op("a", "1")}}, true},
  };
  for (const Case& c : cases) {
    Status status = validate_txn_request(c.request, 128);
    EXPECT_EQ(status.message(), c.duplicate ? kErrDuplicateKey : "") << c.name;
    MvccStore store;
    TxnResponse response;
    status = store.txn(c.request, response);
    EXPECT_EQ(status.message(), c.duplicate ? kErrDuplicateKey : "") << c.name;
    if (c.duplicate) {
      EXPECT_EQ(store.current_revision(), 1) << c.name;
    }
  }
}

TEST(TxnTest, TooManyOperations) {
  auto puts = [](int count) {
    std::vector<RequestOp> ops;
    for (int i = 0; i < count; ++i) ops.push_back(put_op("k" + std::to_string(i), "v"));
    return ops;
  };
  std::vector<Compare> three_compares(3, compare_of(kVersion, kEqual, "k", 0));
  struct Case {
    const char* name;
    TxnRequest request;
    bool too_many;
  };
  const Case cases[] = {
      {"at the limit", {{}, puts(2), puts(2)}, false},
      {"compares", {three_compares, {}, {}}, true},
      {"success", {{}, puts(3), {}}, true},
      {"failure", {{}, {}, puts(3)}, true},
      {"nested within what the parent left", {{}, {txn_op(TxnRequest{{}, puts(1), {}})}, {}}, false},
      {"nested beyond what the parent left",
       {{}, {put_op("x", "1"), txn_op(TxnRequest{{}, puts(1), {}})}, {}}, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(validate_txn_request(c.request, 2).message(), c.too_many ? kErrTooManyOps : "") << c.name;
  }
  MvccStore store(StoreOptions{.max_txn_ops = 2});
  TxnResponse response;
  EXPECT_EQ(store.txn(TxnRequest{{}, puts(3), {}}, response).message(), kErrTooManyOps);
  MvccStore default_store;
  EXPECT_TRUE(default_store.txn(TxnRequest{{}, puts(128), {}}, response).ok());
  EXPECT_EQ(default_store.txn(TxnRequest{{}, puts(129), {}}, response).message(), kErrTooManyOps);
}

TEST(TxnTest, AnErrorInTheChosenBranchLeavesTheStoreUntouched) {
  MvccStore store = compare_store();
  std::string before = store.snapshot();
  RangeRequest future;
  future.key = "k";
  future.revision = 10;
  PutRequest ignore_missing;
  ignore_missing.key = "missing";
  ignore_missing.ignore_value = true;
  struct Case {
    TxnRequest request;
    std::string_view error;
  };
  const Case cases[] = {
      {{{}, {put_op("a", "1"), RequestOp{future}}, {}}, kErrFutureRevision},
      {{{}, {put_op("a", "1"), RequestOp{ignore_missing}}, {}}, kErrKeyNotFound},
      {{{}, {put_op("a", "1"), txn_op(TxnRequest{{}, {RequestOp{ignore_missing}}, {}})}, {}},
       kErrKeyNotFound},
      {{{compare_of(kVersion, kEqual, "", 0)}, {}, {}}, kErrEmptyKey},
  };
  for (const Case& c : cases) {
    TxnResponse response;
    EXPECT_EQ(store.txn(c.request, response).message(), c.error);
    EXPECT_EQ(store.snapshot(), before);
  }
  // The branch not taken is not checked against the state (as in etcd).
  TxnResponse response;
  EXPECT_TRUE(store.txn(TxnRequest{{}, {put_op("a", "1")}, {RequestOp{ignore_missing}}}, response).ok());
}

// A plain Range reads the current revision for any revision <= 0; a Txn's range refuses a
// revision below the compacted one, negative ones included (as etcd 3.4).
TEST(TxnTest, RangesInATxnRefuseRevisionsBelowTheCompactedOne) {
  MvccStore store;
  for (int i = 0; i < 5; ++i) must_put(store, "k", std::to_string(i));
  RangeRequest negative;
  negative.key = "k";
  negative.revision = -1;
  TxnResponse response;
  EXPECT_TRUE(store.txn(TxnRequest{{}, {RequestOp{negative}}, {}}, response).ok())
      << "-1 is not below an uncompacted store's first revision";
  CompactionResponse compacted;
  ASSERT_TRUE(store.compact(CompactionRequest{3}, compacted).ok());
  EXPECT_EQ(store.txn(TxnRequest{{}, {RequestOp{negative}}, {}}, response).message(), kErrCompacted);
  RangeRequest at_compacted = negative;
  at_compacted.revision = 3;
  EXPECT_TRUE(store.txn(TxnRequest{{}, {RequestOp{at_compacted}}, {}}, response).ok());
  RangeResponse plain;
  ASSERT_TRUE(store.range(negative, plain).ok());
  EXPECT_EQ(plain.kvs.at(0).value, "4");
}

}  // namespace
}  // namespace synod::kv
