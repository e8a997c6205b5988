// etcd requests -> kv: every field lands in its own kv field (requests are built from wire bytes
// with etcd's field numbers), every enum value maps to its kv value, and what etcd's gRPC layer or
// kv cannot take is refused with the right text.
#include <gtest/gtest.h>

#include <string>

#include "api/etcd/convert.h"
#include "kv/command.h"
#include "kv/compare.h"
#include "kv/errors.h"
#include "wire.h"

namespace synod::api::etcd {
namespace {

using testing::WireWriter;

template <typename Message>
Message parse(const WireWriter& wire) {
  Message message;
  EXPECT_TRUE(message.ParseFromString(wire.str()));
  return message;
}

void expect_refused(const Status& status, std::string_view message) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), message);
}

// ---- RangeRequest: key 1, range_end 2, limit 3, revision 4, sort_order 5, sort_target 6,
// serializable 7, keys_only 8, count_only 9, min/max_mod_revision 10/11, min/max_create 12/13.

TEST(ConvertRange, EveryNumberFieldFromEtcdWireBytes) {
  WireWriter wire;
  wire.bytes(1, "key").bytes(2, "range-end").varint(3, 3).varint(4, 4).varint(5, 2).varint(6, 3)
      .varint(10, 10).varint(11, 11).varint(12, 12).varint(13, 13);
  kv::RangeRequest out;
  ASSERT_TRUE(from_proto(parse<etcdserverpb::RangeRequest>(wire), out).ok());
  EXPECT_EQ(out.key, "key");
  EXPECT_EQ(out.range_end, "range-end");
  EXPECT_EQ(out.limit, 3);
  EXPECT_EQ(out.revision, 4);
  EXPECT_EQ(out.sort_order, kv::SortOrder::kDescend);
  EXPECT_EQ(out.sort_target, kv::SortTarget::kMod);
  EXPECT_EQ(out.min_mod_revision, 10);
  EXPECT_EQ(out.max_mod_revision, 11);
  EXPECT_EQ(out.min_create_revision, 12);
  EXPECT_EQ(out.max_create_revision, 13);
  EXPECT_FALSE(out.serializable || out.keys_only || out.count_only);
}

TEST(ConvertRange, EachBoolFieldAlone) {
  for (int field : {7, 8, 9}) {
    SCOPED_TRACE(field);
    WireWriter wire;
    wire.bytes(1, "k").varint(field, 1);
    kv::RangeRequest out;
    ASSERT_TRUE(from_proto(parse<etcdserverpb::RangeRequest>(wire), out).ok());
    EXPECT_EQ(out.serializable, field == 7);
    EXPECT_EQ(out.keys_only, field == 8);
    EXPECT_EQ(out.count_only, field == 9);
  }
}

TEST(ConvertRange, EverySortOrderAndTarget) {
  const std::pair<int, kv::SortOrder> orders[] = {
      {0, kv::SortOrder::kNone}, {1, kv::SortOrder::kAscend}, {2, kv::SortOrder::kDescend}};
  for (auto [number, expected] : orders) {
    kv::RangeRequest out;
    ASSERT_TRUE(
        from_proto(parse<etcdserverpb::RangeRequest>(WireWriter().bytes(1, "k").varint(5, number)),
                   out)
            .ok());
    EXPECT_EQ(out.sort_order, expected) << number;
  }
  const std::pair<int, kv::SortTarget> targets[] = {
      {0, kv::SortTarget::kKey},    {1, kv::SortTarget::kVersion}, {2, kv::SortTarget::kCreate},
      {3, kv::SortTarget::kMod},    {4, kv::SortTarget::kValue}};
  for (auto [number, expected] : targets) {
    kv::RangeRequest out;
    ASSERT_TRUE(
        from_proto(parse<etcdserverpb::RangeRequest>(WireWriter().bytes(1, "k").varint(6, number)),
                   out)
            .ok());
    EXPECT_EQ(out.sort_target, expected) << number;
  }
}

TEST(ConvertRange, UnknownSortOrderKeepsTheKeyOrderAsEtcd) {
  // proto3 keeps an enum number it does not know; etcd 3.4 then sorts nothing, whatever the target.
  for (int target : {0, 3, 5}) {
    kv::RangeRequest out;
    ASSERT_TRUE(from_proto(parse<etcdserverpb::RangeRequest>(
                               WireWriter().bytes(1, "k").varint(5, 3).varint(6, target).varint(3, 2)),
                           out)
                    .ok())
        << target;
    EXPECT_EQ(out.sort_order, kv::SortOrder::kAscend);
    EXPECT_EQ(out.sort_target, kv::SortTarget::kKey);
    EXPECT_EQ(out.limit, 2);
  }
}

TEST(ConvertRange, UnknownSortTargetIsRefused) {
  kv::RangeRequest out;
  // etcd 3.4 panics on it (no sorter for the target).
  expect_refused(
      from_proto(parse<etcdserverpb::RangeRequest>(WireWriter().bytes(1, "k").varint(6, 5)), out),
      "synod: unknown sort_target 5");
}

TEST(ConvertRange, EmptyKeyIsEtcdsError) {
  kv::RangeRequest out;
  expect_refused(from_proto(etcdserverpb::RangeRequest(), out), kv::kErrEmptyKey);
}

// ---- PutRequest: key 1, value 2, lease 3, prev_kv 4, ignore_value 5, ignore_lease 6.

TEST(ConvertPut, EveryFieldFromEtcdWireBytes) {
  kv::PutRequest out;
  ASSERT_TRUE(from_proto(parse<etcdserverpb::PutRequest>(
                             WireWriter().bytes(1, "key").bytes(2, "value").varint(3, 33).varint(4, 1)),
                         out)
                  .ok());
  EXPECT_EQ(out.key, "key");
  EXPECT_EQ(out.value, "value");
  EXPECT_EQ(out.lease, 33);
  EXPECT_TRUE(out.prev_kv);
  EXPECT_FALSE(out.ignore_value || out.ignore_lease);

  ASSERT_TRUE(from_proto(parse<etcdserverpb::PutRequest>(WireWriter().bytes(1, "k").varint(5, 1)),
                         out)
                  .ok());
  EXPECT_TRUE(out.ignore_value);
  EXPECT_FALSE(out.ignore_lease || out.prev_kv);

  ASSERT_TRUE(from_proto(parse<etcdserverpb::PutRequest>(WireWriter().bytes(1, "k").varint(6, 1)),
                         out)
                  .ok());
  EXPECT_TRUE(out.ignore_lease);
  EXPECT_FALSE(out.ignore_value || out.prev_kv);
}

TEST(ConvertPut, EtcdsRequestChecksInItsOrder) {
  kv::PutRequest out;
  etcdserverpb::PutRequest request;
  request.set_ignore_value(true);
  request.set_value("v");
  expect_refused(from_proto(request, out), kv::kErrEmptyKey);  // the key comes first
  request.set_key("k");
  expect_refused(from_proto(request, out), kv::kErrValueProvided);
  request.clear_value();
  request.set_ignore_lease(true);
  request.set_lease(5);
  expect_refused(from_proto(request, out), kv::kErrLeaseProvided);
  request.set_lease(0);
  EXPECT_TRUE(from_proto(request, out).ok());
}

// ---- DeleteRangeRequest: key 1, range_end 2, prev_kv 3. CompactionRequest: revision 1,
// physical 2.

TEST(ConvertDeleteRange, EveryFieldFromEtcdWireBytes) {
  kv::DeleteRangeRequest out;
  ASSERT_TRUE(from_proto(parse<etcdserverpb::DeleteRangeRequest>(
                             WireWriter().bytes(1, "a").bytes(2, "b").varint(3, 1)),
                         out)
                  .ok());
  EXPECT_EQ(out.key, "a");
  EXPECT_EQ(out.range_end, "b");
  EXPECT_TRUE(out.prev_kv);
  expect_refused(from_proto(etcdserverpb::DeleteRangeRequest(), out), kv::kErrEmptyKey);
}

TEST(ConvertCompaction, EveryFieldFromEtcdWireBytes) {
  kv::CompactionRequest out;
  ASSERT_TRUE(
      from_proto(parse<etcdserverpb::CompactionRequest>(WireWriter().varint(1, 41).varint(2, 1)),
                 out)
          .ok());
  EXPECT_EQ(out.revision, 41);
  EXPECT_TRUE(out.physical);
}

// ---- Compare: result 1, target 2, key 3, target_union {version 4, create_revision 5,
// mod_revision 6, value 7, lease 8}, range_end 64.

TEST(ConvertCompare, EveryFieldFromEtcdWireBytes) {
  WireWriter compare;
  compare.varint(1, 3).varint(2, 3).bytes(3, "key").bytes(7, "expected").bytes(64, "end");
  kv::TxnRequest out;
  ASSERT_TRUE(
      from_proto(parse<etcdserverpb::TxnRequest>(WireWriter().bytes(1, compare.str())), out).ok());
  ASSERT_EQ(out.compare.size(), 1u);
  const kv::Compare& c = out.compare[0];
  EXPECT_EQ(c.result, kv::CompareResult::kNotEqual);
  EXPECT_EQ(c.target, kv::CompareTarget::kValue);
  EXPECT_EQ(c.key, "key");
  EXPECT_EQ(c.range_end, "end");
  EXPECT_EQ(c.value, "expected");
}

TEST(ConvertCompare, EachUnionMemberLandsInItsOwnField) {
  struct Case {
    int field;
    int64_t kv::Compare::*member;
  };
  const Case cases[] = {{4, &kv::Compare::version},
                        {5, &kv::Compare::create_revision},
                        {6, &kv::Compare::mod_revision},
                        {8, &kv::Compare::lease}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    WireWriter compare;
    compare.bytes(3, "k").varint(c.field, 77);
    kv::TxnRequest out;
    ASSERT_TRUE(
        from_proto(parse<etcdserverpb::TxnRequest>(WireWriter().bytes(1, compare.str())), out)
            .ok());
    kv::Compare expected;
    expected.key = "k";
    expected.*c.member = 77;
    EXPECT_EQ(out.compare[0], expected);
  }
}

TEST(ConvertCompare, EveryResultAndTarget) {
  const std::pair<int, kv::CompareResult> results[] = {{0, kv::CompareResult::kEqual},
                                                       {1, kv::CompareResult::kGreater},
                                                       {2, kv::CompareResult::kLess},
                                                       {3, kv::CompareResult::kNotEqual}};
  for (auto [number, expected] : results) {
    kv::TxnRequest out;
    WireWriter compare;
    compare.varint(1, number).bytes(3, "k");
    ASSERT_TRUE(
        from_proto(parse<etcdserverpb::TxnRequest>(WireWriter().bytes(1, compare.str())), out)
            .ok());
    EXPECT_EQ(out.compare[0].result, expected) << number;
  }
  const std::pair<int, kv::CompareTarget> targets[] = {
      {0, kv::CompareTarget::kVersion}, {1, kv::CompareTarget::kCreate},
      {2, kv::CompareTarget::kMod},     {3, kv::CompareTarget::kValue},
      {4, kv::CompareTarget::kLease}};
  for (auto [number, expected] : targets) {
    kv::TxnRequest out;
    WireWriter compare;
    compare.varint(2, number).bytes(3, "k");
    ASSERT_TRUE(
        from_proto(parse<etcdserverpb::TxnRequest>(WireWriter().bytes(1, compare.str())), out)
            .ok());
    EXPECT_EQ(out.compare[0].target, expected) << number;
  }
}

// etcd 3.4's compareKV: an unknown target compares equal, an unknown result matches, and a VALUE
// compare on a range without keys fails. The converted compare must hold exactly then.
TEST(ConvertCompare, UnknownEnumNumbersHoldAsInEtcd) {
  struct Case {
    int result;
    int target;
    bool holds_on_a_key;
    bool holds_on_no_key;
  };
  const Case cases[] = {
      {4, 0, true, true},    // unknown result, VERSION
      {4, 2, true, true},    // unknown result, MOD
      {4, 3, true, false},   // unknown result, VALUE: false without keys
      {0, 7, true, true},    // EQUAL, unknown target
      {1, 7, false, false},  // GREATER, unknown target
      {2, 7, false, false},  // LESS
      {3, 7, false, false},  // NOT_EQUAL
      {9, 7, true, true},    // both unknown
  };
  kv::KeyValue existing{.key = "k", .create_revision = 5, .mod_revision = 7, .version = 3,
                        .value = "v", .lease = 0};
  for (const Case& c : cases) {
    kv::TxnRequest out;
    ASSERT_TRUE(from_proto(parse<etcdserverpb::TxnRequest>(WireWriter().bytes(
                               1, WireWriter().varint(1, c.result).varint(2, c.target).bytes(3, "k")
                                      .bytes(64, "ke").str())),
                           out)
                    .ok())
        << c.result << "/" << c.target;
    ASSERT_EQ(out.compare.size(), 1u);
    EXPECT_EQ(out.compare[0].key, "k");
    EXPECT_EQ(out.compare[0].range_end, "ke");
    EXPECT_EQ(kv::compare_holds(out.compare[0], {existing}), c.holds_on_a_key)
        << c.result << "/" << c.target;
    EXPECT_EQ(kv::compare_holds(out.compare[0], {}), c.holds_on_no_key)
        << c.result << "/" << c.target;
  }
}

// ---- TxnRequest: compare 1, success 2, failure 3. RequestOp: request_range 1, request_put 2,
// request_delete_range 3, request_txn 4.

TEST(ConvertTxn, OpsOfEveryKindInOrderWithNesting) {
  WireWriter nested_txn;
  nested_txn.bytes(3, WireWriter().bytes(3, WireWriter().bytes(1, "inner-del").str()).str());
  WireWriter txn;
  txn.bytes(2, WireWriter().bytes(1, WireWriter().bytes(1, "get").varint(3, 2).str()).str())
      .bytes(2, WireWriter().bytes(2, WireWriter().bytes(1, "put").bytes(2, "v").str()).str())
      .bytes(2, WireWriter().bytes(3, WireWriter().bytes(1, "del").str()).str())
      .bytes(3, WireWriter().bytes(4, nested_txn.str()).str());
  kv::TxnRequest out;
  ASSERT_TRUE(from_proto(parse<etcdserverpb::TxnRequest>(txn), out).ok());
  ASSERT_EQ(out.success.size(), 3u);
  const auto& range = std::get<kv::RangeRequest>(out.success[0].request);
  EXPECT_EQ(range.key, "get");
  EXPECT_EQ(range.limit, 2);
  const auto& put = std::get<kv::PutRequest>(out.success[1].request);
  EXPECT_EQ(put.key, "put");
  EXPECT_EQ(put.value, "v");
  EXPECT_EQ(std::get<kv::DeleteRangeRequest>(out.success[2].request).key, "del");
  ASSERT_EQ(out.failure.size(), 1u);
  const auto& inner = std::get<kv::TxnRequest>(out.failure[0].request);
  EXPECT_TRUE(inner.success.empty());
  ASSERT_EQ(inner.failure.size(), 1u);
  EXPECT_EQ(std::get<kv::DeleteRangeRequest>(inner.failure[0].request).key, "inner-del");
}

TEST(ConvertTxn, AnEmptyOpIsEtcdsKeyNotFound) {
  etcdserverpb::TxnRequest request;
  request.add_success()->mutable_request_put()->set_key("k");
  request.add_success();
  kv::TxnRequest out;
  expect_refused(from_proto(request, out), kv::kErrKeyNotFound);
  request.clear_success();
  request.add_failure()->mutable_request_txn()->add_success();
  expect_refused(from_proto(request, out), kv::kErrKeyNotFound);
}

TEST(ConvertTxn, ARangeInsideATxnWithAnUnknownSortTargetIsRefused) {
  etcdserverpb::TxnRequest request;
  etcdserverpb::RequestOp* op = request.add_success();
  ASSERT_TRUE(op->mutable_request_range()->ParseFromString(
      WireWriter().bytes(1, "k").varint(6, 9).str()));
  kv::TxnRequest out;
  expect_refused(from_proto(request, out), "synod: unknown sort_target 9");
}

TEST(ConvertTxn, NestingBeyondWhatCommandsCarryIsRefused) {
  auto nested = [](int depth) {
    etcdserverpb::TxnRequest top;
    etcdserverpb::TxnRequest* txn = &top;
    for (int level = 1; level < depth; ++level) {
      txn = txn->add_success()->mutable_request_txn();
    }
    txn->add_success()->mutable_request_put()->set_key("deep");
    return top;
  };
  kv::TxnRequest out;
  ASSERT_TRUE(from_proto(nested(kv::kMaxTxnDepth), out).ok());
  // What the conversion lets through, the replicated command can carry.
  kv::Command decoded;
  EXPECT_TRUE(kv::decode_command(kv::encode_command(kv::Command(out)), decoded).ok());
  expect_refused(from_proto(nested(kv::kMaxTxnDepth + 1), out),
                 "synod: txn nested more than 16 deep");
}

TEST(ConvertTxn, TheStoreMakesTheTxnChecks) {
  // Empty keys and duplicates inside a Txn are the store's to refuse (in etcd's order, with the
  // node's max_txn_ops), so the conversion passes them on unchanged.
  etcdserverpb::TxnRequest request;
  request.add_compare();
  request.add_success()->mutable_request_put();
  kv::TxnRequest out;
  ASSERT_TRUE(from_proto(request, out).ok());
  EXPECT_EQ(out.compare[0].key, "");
  EXPECT_EQ(std::get<kv::PutRequest>(out.success[0].request).key, "");
}

}  // namespace
}  // namespace synod::api::etcd
