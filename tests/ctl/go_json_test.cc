// Go's encoding/json of etcd's responses; the expected texts are etcdctl 3.4's `-w json` output.
#include "ctl/go_json.h"

#include <gtest/gtest.h>

#include "response_fixtures.h"

namespace synod::ctl::go {
namespace {

using namespace synod::ctl::testing;

TEST(GoJson, PutResponseWithPreviousKeyValue) {
  EXPECT_EQ(message_json(put_with_prev_kv()),
            "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
            "\"revision\":4,\"raft_term\":2},\"prev_kv\":{\"key\":\"Zm9v\",\"create_revision\":2,"
            "\"mod_revision\":3,\"version\":2,\"value\":\"YmF6\"}}");
}

TEST(GoJson, RangeResponseOmitsZeroFields) {
  EXPECT_EQ(message_json(get_foo()),
            "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
            "\"revision\":4,\"raft_term\":2},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,"
            "\"mod_revision\":4,\"version\":3,\"value\":\"cXV4\"}],\"count\":1}");
  etcdserverpb::RangeResponse empty;
  EXPECT_EQ(message_json(empty), "{}");
  empty.mutable_header();  // present though empty: Go's non-nil pointer
  EXPECT_EQ(message_json(empty), "{\"header\":{}}");
}

TEST(GoJson, TxnResponsesAreWrappedInTheirOneof) {
  EXPECT_EQ(
      message_json(txn_put_get_delete()),
      "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
      "\"revision\":5,\"raft_term\":2},\"succeeded\":true,\"responses\":["
      "{\"Response\":{\"ResponsePut\":{\"header\":{\"revision\":5}}}},"
      "{\"Response\":{\"ResponseRange\":{\"header\":{\"revision\":5},\"kvs\":[{\"key\":\"Zm9v\","
      "\"create_revision\":2,\"mod_revision\":4,\"version\":3,\"value\":\"cXV4\"}],\"count\":1}}},"
      "{\"Response\":{\"ResponseDeleteRange\":{\"header\":{\"revision\":5}}}}]}");
  etcdserverpb::ResponseOp unset;
  EXPECT_EQ(message_json(unset), "{\"Response\":null}");
}

TEST(GoJson, StatusResponseUsesItsCamelCaseProtoNames) {
  EXPECT_EQ(message_json(status_with_nospace_alarm()),
            "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
            "\"revision\":2,\"raft_term\":2},\"version\":\"3.4.23\",\"dbSize\":81920,"
            "\"leader\":10276657743932975437,\"raftIndex\":8,\"raftTerm\":2,"
            "\"raftAppliedIndex\":8,\"errors\":[\"memberID:10276657743932975437 alarm:NOSPACE \"],"
            "\"dbSizeInUse\":77824}");
}

TEST(GoJson, OneofScalarsAreNeverOmitted) {
  etcdserverpb::Compare compare;
  compare.set_key("k");
  compare.set_version(0);  // zero, but set: Go's wrapper struct has no omitempty
  EXPECT_EQ(message_json(compare), "{\"key\":\"aw==\",\"TargetUnion\":{\"Version\":0}}");
}

TEST(GoJson, StringsEscapeAsEncodingJson) {
  std::string out;
  append_json_string(out, "<a&b>\n\r\t\"\\\x01\x7f\xff\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9");
  EXPECT_EQ(out,
            "\"\\u003ca\\u0026b\\u003e\\n\\r\\t\\\"\\\\\\u0001\x7f\\ufffd\\u2028\\u2029\xc3\xa9\"");
}

TEST(GoJson, Base64AndCamelCase) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("\xff\xfe\xfd\xfc"), "//79/A==");
  EXPECT_EQ(camel_case("response_delete_range"), "ResponseDeleteRange");
  EXPECT_EQ(camel_case("target_union"), "TargetUnion");
}

}  // namespace
}  // namespace synod::ctl::go
