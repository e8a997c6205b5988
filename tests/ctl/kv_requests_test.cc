// put/get/del flags into requests, with etcdctl's checks and clientv3's encoding of ranges.
#include "ctl/kv_requests.h"

#include <gtest/gtest.h>

namespace synod::ctl {
namespace {

const std::string kZero(1, '\0');

std::string no_stdin() { return ""; }

etcdserverpb::RangeRequest range_of(const GetFlags& flags) {
  const Outcome<GetNumbers> numbers = parse_get_numbers(flags);
  EXPECT_TRUE(numbers.ok());
  const Outcome<etcdserverpb::RangeRequest> request = build_range_request(flags, numbers.value());
  EXPECT_TRUE(request.ok()) << (request.ok() ? "" : request.error().message);
  return request.ok() ? request.value() : etcdserverpb::RangeRequest();
}

CtlError range_error(const GetFlags& flags) {
  const Outcome<etcdserverpb::RangeRequest> request =
      build_range_request(flags, parse_get_numbers(flags).value());
  EXPECT_FALSE(request.ok());
  return request.ok() ? CtlError{} : request.error();
}

TEST(PutRequest, KeyValueAndOptions) {
  PutFlags flags;
  flags.arguments = {"k", "v", "ignored"};
  flags.lease = "1a";
  flags.prev_kv = true;
  const Outcome<etcdserverpb::PutRequest> request = build_put_request(flags, no_stdin);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().key(), "k");
  EXPECT_EQ(request.value().value(), "v");
  EXPECT_EQ(request.value().lease(), 0x1a);
  EXPECT_TRUE(request.value().prev_kv());
  EXPECT_FALSE(request.value().ignore_value());
}

TEST(PutRequest, ValueFromStdinWhenLeftOut) {
  PutFlags flags;
  flags.arguments = {"k"};
  const Outcome<etcdserverpb::PutRequest> request =
      build_put_request(flags, [] { return std::string("from stdin\n"); });
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().value(), "from stdin\n");
}

TEST(PutRequest, IgnoreValueTakesNoValue) {
  PutFlags flags;
  flags.arguments = {"k"};
  flags.ignore_value = true;
  const Outcome<etcdserverpb::PutRequest> request = build_put_request(flags, [] {
    ADD_FAILURE() << "stdin read";
    return std::string();
  });
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request.value().ignore_value());
  flags.arguments = {"k", "v"};
  EXPECT_EQ(build_put_request(flags, no_stdin).error().message,
            "put command needs only 1 argument when 'ignore-value' is set");
}

TEST(PutRequest, FailsAsEtcdctl) {
  PutFlags flags;
  const CtlError missing = build_put_request(flags, no_stdin).error();
  EXPECT_EQ(missing.message, "put command needs 1 argument and input from stdin or 2 arguments");
  EXPECT_EQ(missing.exit_code, ExitCode::kBadArgs);
  flags.arguments = {"k"};
  EXPECT_EQ(build_put_request(flags, no_stdin).error().message, missing.message);
  flags.arguments = {"k", "v"};
  flags.lease = "zz";
  const CtlError lease = build_put_request(flags, no_stdin).error();
  EXPECT_EQ(lease.message,
            "bad lease ID (strconv.ParseInt: parsing \"zz\": invalid syntax), expecting ID in Hex");
  EXPECT_EQ(lease.exit_code, ExitCode::kBadArgs);
}

TEST(RangeRequest, PrefixAndFromKeyAsClientv3EncodesThem) {
  GetFlags flags;
  flags.arguments = {"foo"};
  flags.prefix = true;
  EXPECT_EQ(range_of(flags).range_end(), "fop");
  flags.arguments = {""};
  EXPECT_EQ(range_of(flags).key(), kZero);  // every key
  EXPECT_EQ(range_of(flags).range_end(), kZero);
  flags.prefix = false;
  flags.from_key = true;
  flags.arguments = {"a"};
  EXPECT_EQ(range_of(flags).key(), "a");
  EXPECT_EQ(range_of(flags).range_end(), kZero);
  flags.from_key = false;
  flags.arguments = {"a", "c", "ignored"};
  EXPECT_EQ(range_of(flags).range_end(), "c");
}

TEST(RangeRequest, SortLimitRevisionAndConsistency) {
  GetFlags flags;
  flags.arguments = {"a"};
  EXPECT_EQ(range_of(flags).sort_order(), etcdserverpb::RangeRequest::NONE);
  EXPECT_EQ(range_of(flags).sort_target(), etcdserverpb::RangeRequest::KEY);
  flags.order = "ASCEND";  // ascending by key is the natural order: sent as NONE
  EXPECT_EQ(range_of(flags).sort_order(), etcdserverpb::RangeRequest::NONE);
  flags.order = "descend";
  flags.sort_by = "value";
  EXPECT_EQ(range_of(flags).sort_order(), etcdserverpb::RangeRequest::DESCEND);
  EXPECT_EQ(range_of(flags).sort_target(), etcdserverpb::RangeRequest::VALUE);
  flags.order = "";
  flags.sort_by = "MODIFY";
  EXPECT_EQ(range_of(flags).sort_order(), etcdserverpb::RangeRequest::NONE);
  EXPECT_EQ(range_of(flags).sort_target(), etcdserverpb::RangeRequest::MOD);
  flags.limit = "0x10";
  flags.revision = "-4";  // etcdctl sends only a positive revision
  flags.consistency = "s";
  flags.keys_only = true;
  flags.count_only = true;
  flags.min_mod_revision = "3";
  flags.max_create_revision = "9";
  const etcdserverpb::RangeRequest request = range_of(flags);
  EXPECT_EQ(request.limit(), 16);
  EXPECT_EQ(request.revision(), 0);
  EXPECT_TRUE(request.serializable());
  EXPECT_TRUE(request.keys_only());
  EXPECT_TRUE(request.count_only());
  EXPECT_EQ(request.min_mod_revision(), 3);
  EXPECT_EQ(request.max_create_revision(), 9);
}

TEST(RangeRequest, FailsAsEtcdctl) {
  GetFlags flags;
  EXPECT_EQ(range_error(flags).message,
            "get command needs one argument as key and an optional argument as range_end");
  flags.arguments = {"a"};
  flags.prefix = true;
  flags.from_key = true;
  EXPECT_EQ(range_error(flags).message,
            "`--prefix` and `--from-key` cannot be set at the same time, choose one");
  flags.from_key = false;
  flags.arguments = {"a", "b"};
  EXPECT_EQ(range_error(flags).message,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
  EXPECT_EQ(range_error(flags).exit_code, ExitCode::kBadArgs);
  flags = GetFlags();
  flags.arguments = {"a"};
  flags.consistency = "q";
  EXPECT_EQ(range_error(flags).message, "unknown consistency flag \"q\"");
  EXPECT_EQ(range_error(flags).exit_code, ExitCode::kBadFeature);
  flags.consistency = "l";
  flags.order = "up";
  EXPECT_EQ(range_error(flags).message, "bad sort order up");
  flags.order = "";
  flags.sort_by = "up";
  EXPECT_EQ(range_error(flags).message, "bad sort target up");
}

TEST(RangeRequest, NumericFlagsFailWithPflagsMessage) {
  GetFlags flags;
  flags.limit = "abc";
  const Outcome<GetNumbers> numbers = parse_get_numbers(flags);
  ASSERT_FALSE(numbers.ok());
  EXPECT_EQ(numbers.error().message,
            "invalid argument \"abc\" for \"--limit\" flag: strconv.ParseInt: parsing \"abc\": "
            "invalid syntax");
  EXPECT_EQ(numbers.error().exit_code, ExitCode::kError);
}

TEST(DeleteRequest, RangesAndFailures) {
  DeleteFlags flags;
  flags.arguments = {"p/"};
  flags.prefix = true;
  flags.prev_kv = true;
  const Outcome<etcdserverpb::DeleteRangeRequest> request = build_delete_request(flags);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().range_end(), "p0");
  EXPECT_TRUE(request.value().prev_kv());
  flags.arguments = {"a", "b", "c"};
  EXPECT_EQ(build_delete_request(flags).error().message,
            "del command needs one argument as key and an optional argument as range_end");
  flags.arguments = {"", ""};
  EXPECT_EQ(build_delete_request(flags).error().message,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
}

TEST(PrefixRangeEnd, IncrementsTheLastByteBelow0xff) {
  EXPECT_EQ(prefix_range_end("abc"), "abd");
  EXPECT_EQ(prefix_range_end("a\xff"), "b");
  EXPECT_EQ(prefix_range_end("\xff\xff"), kZero);
  EXPECT_EQ(prefix_range_end(""), kZero);
}

}  // namespace
}  // namespace synod::ctl
