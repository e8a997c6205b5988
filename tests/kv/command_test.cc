// Replicated commands: encode/decode round trips, refusal of malformed bytes, and apply().
#include "kv/command.h"

#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/mvcc_store.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

RangeRequest full_range() {
  return RangeRequest{"k", std::string("\0", 1), -5, 7, SortOrder::kDescend, SortTarget::kValue,
                      true, true, false, 1, INT64_MAX, INT64_MIN, -1};
}

TxnRequest nested_txn() {
  Compare compare{CompareResult::kNotEqual, CompareTarget::kLease, std::string("\xff\0", 2), "z",
                  1, -2, 3, "value", -4};
  TxnRequest inner{{compare}, {RequestOp{PutRequest{"p", "v", 5, true, false, true}}},
                   {RequestOp{DeleteRangeRequest{"d", "e", true}}}};
  return TxnRequest{{compare, compare},
                    {RequestOp{full_range()}, RequestOp{inner}},
                    {RequestOp{PutRequest{"q", "", 0, false, true, false}}}};
}

std::vector<Command> sample_commands() {
  return {
      Command{full_range()},
      Command{PutRequest{std::string("\0k", 2), std::string(300, 'x'), -9, true, true, true}},
      Command{DeleteRangeRequest{"a", "b", true}},
      Command{nested_txn()},
      Command{TxnRequest{}},
      Command{CompactionRequest{42, true}},
      Command{LeaseRevokeRequest{INT64_MIN}},
      Command{LeaseGrantRequest{INT64_MAX, -3}},
      Command{LeaseCheckpointRequest{{{7, 30}, {-1, 0}}}},
      Command{LeaseCheckpointRequest{}},
      Command{LeaseKeepAliveRequest{12}},
      Command{LeaseTimeToLiveRequest{13, true}},
      Command{LeaseLeasesRequest{}},
  };
}

TEST(CommandTest, EveryKindRoundTrips) {
  for (const Command& command : sample_commands()) {
    std::string bytes = encode_command(command);
    Command decoded;
    Status status = decode_command(bytes, decoded);
    ASSERT_TRUE(status.ok()) << command.index() << ": " << status.message();
    EXPECT_EQ(decoded, command) << command.index();
    EXPECT_EQ(encode_command(decoded), bytes);
  }
}

TEST(CommandTest, EveryTruncationAndExtensionIsRefused) {
  for (const Command& command : sample_commands()) {
    std::string bytes = encode_command(command);
    Command decoded;
    for (size_t length = 0; length < bytes.size(); ++length)
      EXPECT_FALSE(decode_command(std::string_view(bytes).substr(0, length), decoded).ok())
          << command.index() << " cut at " << length;
    EXPECT_FALSE(decode_command(bytes + '\0', decoded).ok());
  }
}

TEST(CommandTest, MalformedFieldsAreRefused) {
  std::string put = encode_command(Command{PutRequest{"k", "v", 0, false, false, false}});
  // version 1, kind 1, key, value, lease, then three bools at the end.
  struct Case {
    const char* name;
    std::string bytes;
  };
  std::string bad_version = put, bad_kind = put, bad_bool = put;
  bad_version[0] = 2;
  bad_kind[1] = 6;
  bad_bool[bad_bool.size() - 1] = 2;
  std::string range = encode_command(Command{RangeRequest{}});
  std::string bad_sort_order = range;
  bad_sort_order[2 + 1 + 1 + 1 + 1] = 3;  // after version, kind, key, range_end, limit, revision
  std::string huge_count = std::string("\x01\x03", 2) + "\xff\xff\xff\xff\x0f";
  const Case cases[] = {
      {"empty", ""},
      {"unknown version", bad_version},
      {"unknown kind", bad_kind},
      {"bool out of range", bad_bool},
      {"enum out of range", bad_sort_order},
      {"count beyond the input", huge_count},
      {"overlong varint", std::string("\x01\x05", 2) + std::string(11, '\xff')},
  };
  for (const Case& c : cases) {
    Command decoded;
    EXPECT_EQ(decode_command(c.bytes, decoded).code(), StatusCode::kInvalidArgument) << c.name;
  }
}

TEST(CommandTest, NestingBeyondTheLimitIsRefused) {
  auto nested = [](int depth) {
    TxnRequest request;
    for (int i = 1; i < depth; ++i) request = TxnRequest{{}, {RequestOp{std::move(request)}}, {}};
    return encode_command(Command{request});
  };
  Command decoded;
  EXPECT_TRUE(decode_command(nested(kMaxTxnDepth), decoded).ok());
  EXPECT_FALSE(decode_command(nested(kMaxTxnDepth + 1), decoded).ok());
}

TEST(CommandTest, RandomBytesNeverCrashTheDecoder) {
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint8_t>(state >> 56);
  };
  std::string valid = encode_command(Command{nested_txn()});
  for (int round = 0; round < 20000; ++round) {
    std::string bytes = valid;
    int mutations = 1 + next() % 4;
    for (int m = 0; m < mutations; ++m) bytes[next() % bytes.size()] = static_cast<char>(next());
    Command decoded;
    if (!decode_command(bytes, decoded).ok()) continue;
    // Accepted bytes are a command (maybe with non-minimal varints): it re-encodes to itself.
    Command again;
    ASSERT_TRUE(decode_command(encode_command(decoded), again).ok());
    EXPECT_EQ(again, decoded);
  }
}

TEST(CommandTest, ApplyRunsTheCommandAndReportsEvents) {
  MvccStore store;
  ApplyResult put = store.apply(encode_command(Command{PutRequest{"a", "1", 0, false, false, false}}));
  ASSERT_TRUE(put.status.ok());
  EXPECT_EQ(put.revision, 2);
  EXPECT_EQ(std::get<PutResponse>(put.response).header.revision, 2);
  ASSERT_EQ(put.events.size(), 1u);
  EXPECT_EQ(put.events[0].kv, (KeyValue{"a", 2, 2, 1, "1", 0}));

  TxnRequest txn{{}, {RequestOp{PutRequest{"b", "2", 0, false, false, false}},
                      RequestOp{DeleteRangeRequest{"a", "", true}}}, {}};
  ApplyResult applied = store.apply(encode_command(Command{txn}));
  ASSERT_TRUE(applied.status.ok());
  EXPECT_EQ(applied.revision, 3);
  EXPECT_EQ(applied.events.size(), 2u);
  EXPECT_TRUE(std::get<TxnResponse>(applied.response).succeeded);

  RangeRequest get_b;
  get_b.key = "b";
  ApplyResult range = store.apply(encode_command(Command{get_b}));
  ASSERT_TRUE(range.status.ok());
  EXPECT_EQ(std::get<RangeResponse>(range.response).kvs.size(), 1u);
  EXPECT_TRUE(range.events.empty());

  ApplyResult compact = store.apply(encode_command(Command{CompactionRequest{3, false}}));
  EXPECT_TRUE(compact.status.ok());
  ApplyResult again = store.apply(encode_command(Command{CompactionRequest{3, false}}));
  EXPECT_EQ(again.status.message(), kErrCompacted);

  ApplyResult grant = store.apply(encode_command(Command{LeaseGrantRequest{8, 60}}));
  ASSERT_TRUE(grant.status.ok());
  EXPECT_EQ(std::get<LeaseGrantResponse>(grant.response), (LeaseGrantResponse{{3}, 8, 60}));
  EXPECT_EQ(grant.revision, 3);  // a grant takes no revision
  store.apply(encode_command(Command{PutRequest{"l", "1", 8, false, false, false}}));
  ApplyResult revoke = store.apply(encode_command(Command{LeaseRevokeRequest{8}}));
  ASSERT_TRUE(revoke.status.ok());
  EXPECT_EQ(revoke.events.size(), 1u);
  EXPECT_EQ(revoke.revision, 5);
  EXPECT_EQ(store.find_lease(8), nullptr);
  ApplyResult keep_alive = store.apply(encode_command(Command{LeaseKeepAliveRequest{8}}));
  EXPECT_EQ(keep_alive.status.message(), kErrNotReplicated);
}

TEST(CommandTest, ApplyOfAnErrorOrGarbageChangesNothing) {
  MvccStore store;
  store.apply(encode_command(Command{PutRequest{"a", "1", 0, false, false, false}}));
  std::string before = store.snapshot();
  ApplyResult garbage = store.apply("\x01\x09junk");
  EXPECT_EQ(garbage.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.revision, 2);
  ApplyResult missing =
      store.apply(encode_command(Command{PutRequest{"b", "", 0, false, true, false}}));
  EXPECT_EQ(missing.status.message(), kErrKeyNotFound);
  EXPECT_TRUE(missing.events.empty());
  EXPECT_EQ(store.snapshot(), before);
}

}  // namespace
}  // namespace synod::kv
