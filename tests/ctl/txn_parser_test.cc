// etcdctl's transaction syntax: words, compares, request lines and sections, with etcdctl's
// messages for every mistake.
#include "ctl/txn_parser.h"

#include <gtest/gtest.h>

#include <sstream>

namespace synod::ctl {
namespace {

using Words = std::vector<std::string>;

Words words_of(std::string_view line) {
  const Outcome<Words> words = split_request_line(line);
  EXPECT_TRUE(words.ok());
  return words.ok() ? words.value() : Words{};
}

CtlError compare_error(std::string_view line) {
  const Outcome<etcdserverpb::Compare> compare = parse_compare(line);
  EXPECT_FALSE(compare.ok()) << line;
  return compare.ok() ? CtlError{} : compare.error();
}

CtlError request_error(std::string_view line) {
  const Outcome<etcdserverpb::RequestOp> request = parse_request_line(line);
  EXPECT_FALSE(request.ok()) << line;
  return request.ok() ? CtlError{} : request.error();
}

TEST(SplitRequestLine, QuotedAndBareWords) {
  EXPECT_EQ(words_of("put k \"v 1\" --prev-kv"), (Words{"put", "k", "v 1", "--prev-kv"}));
  EXPECT_EQ(words_of("put\t k   v"), (Words{"put", "k", "v"}));
  EXPECT_EQ(words_of("put 'a b' c"), (Words{"put", "a b", "c"}));
  EXPECT_EQ(words_of("put \"a\\x41\\u00e9\\\"\" v"), (Words{"put", "aA\xc3\xa9\"", "v"}));
  EXPECT_EQ(words_of("put a\"b c"), (Words{"put", "a\"b", "c"}));  // a quote inside a word
  EXPECT_EQ(words_of("put \"x\"y"), (Words{"put", "x", "y"}));
  EXPECT_EQ(words_of("\"unclosed x"), (Words{"unclosed", "x"}));
  EXPECT_EQ(words_of("' \""), (Words{}));
  EXPECT_EQ(words_of("x"), (Words{"x"}));
}

TEST(SplitRequestLine, BadEscapeIsInvalidSyntax) {
  const Outcome<Words> words = split_request_line("put \"bad\\q\" v");
  ASSERT_FALSE(words.ok());
  EXPECT_EQ(words.error().message, "invalid syntax");
  EXPECT_EQ(words.error().exit_code, ExitCode::kInvalidInput);
}

TEST(ParseCompare, EveryTarget) {
  etcdserverpb::Compare compare = parse_compare("val(\"k\") = \"v 1\"").value();
  EXPECT_EQ(compare.target(), etcdserverpb::Compare::VALUE);
  EXPECT_EQ(compare.result(), etcdserverpb::Compare::EQUAL);
  EXPECT_EQ(compare.key(), "k");
  EXPECT_EQ(compare.value(), "v 1");
  compare = parse_compare("version(\"k\") != \"3\"").value();
  EXPECT_EQ(compare.target(), etcdserverpb::Compare::VERSION);
  EXPECT_EQ(compare.result(), etcdserverpb::Compare::NOT_EQUAL);
  EXPECT_EQ(compare.version(), 3);
  compare = parse_compare("c(\"k\") < \"10\"").value();
  EXPECT_EQ(compare.target(), etcdserverpb::Compare::CREATE);
  EXPECT_EQ(compare.result(), etcdserverpb::Compare::LESS);
  EXPECT_EQ(compare.create_revision(), 10);
  compare = parse_compare("mod(\"k\") > \"0\"").value();
  EXPECT_EQ(compare.target(), etcdserverpb::Compare::MOD);
  EXPECT_EQ(compare.result(), etcdserverpb::Compare::GREATER);
  EXPECT_EQ(compare.target_union_case(), etcdserverpb::Compare::kModRevision);
  compare = parse_compare("lease(\"k\") = \"694d77aa9e38260f\"").value();
  EXPECT_EQ(compare.target(), etcdserverpb::Compare::LEASE);
  EXPECT_EQ(compare.key(), "k");
  EXPECT_EQ(compare.lease(), 0x694d77aa9e38260f);
}

TEST(ParseCompare, ScansAsFmtSscanf) {
  EXPECT_EQ(parse_compare("m( \"k\")   >   \"1\" trailing").value().mod_revision(), 1);
  EXPECT_EQ(parse_compare("val(`raw \\n`) = `x`").value().key(), "raw \\n");
  EXPECT_EQ(parse_compare("val(\"a\\tb\") = \"\\u00e9\"").value().value(), "\xc3\xa9");
}

TEST(ParseCompare, MalformedLinesSayWhatWasScanned) {
  EXPECT_EQ(compare_error("nothing").message, "malformed comparison: nothing");
  EXPECT_EQ(compare_error("mod(\"k\")>\"0\"").message,
            "malformed comparison: mod(\"k\")>\"0\"; got mod(\"k\")  \"\"");
  EXPECT_EQ(compare_error("mod(\"k\") > 0").message,
            "malformed comparison: mod(\"k\") > 0; got mod(\"k\") > \"\"");
  EXPECT_EQ(compare_error("mod(k) > \"0\"").message,
            "malformed comparison: mod(k) > \"0\"; got mod(\"\")  \"\"");
  EXPECT_EQ(compare_error("mod(\"k\" ) > \"0\"").message,
            "malformed comparison: mod(\"k\" ) > \"0\"; got mod(\"k\")  \"\"");
  EXPECT_EQ(compare_error("bogus(\"k\") > \"1\"").message,
            "malformed comparison: bogus(\"k\") > \"1\" (unknown target bogus)");
  EXPECT_EQ(compare_error("bogus(\"k\") > \"1\"").exit_code, ExitCode::kInvalidInput);
}

TEST(ParseCompare, BadValuesAndOperators) {
  EXPECT_EQ(compare_error("mod(\"k\") > \"x\"").message,
            "invalid txn compare request: mod(\"k\") > \"x\"");
  EXPECT_EQ(compare_error("lease(\"k\") = \"xyz\"").message,
            "invalid txn compare request: lease(\"k\") = \"xyz\"");
  // etcdctl 3.4 panics here (clientv3.Compare); synodctl says why instead.
  EXPECT_EQ(compare_error("val(\"k\") == \"v\"").message,
            "malformed comparison: val(\"k\") == \"v\" (unknown operator \"==\")");
}

TEST(ParseRequestLine, PutGetAndDeleteWithTheirFlags) {
  const etcdserverpb::RequestOp put = parse_request_line("put k \"v 1\" --prev-kv").value();
  ASSERT_EQ(put.request_case(), etcdserverpb::RequestOp::kRequestPut);
  EXPECT_EQ(put.request_put().key(), "k");
  EXPECT_EQ(put.request_put().value(), "v 1");
  EXPECT_TRUE(put.request_put().prev_kv());
  const etcdserverpb::RequestOp get = parse_request_line("get p/ --prefix --limit 2").value();
  ASSERT_EQ(get.request_case(), etcdserverpb::RequestOp::kRequestRange);
  EXPECT_EQ(get.request_range().range_end(), "p0");
  EXPECT_EQ(get.request_range().limit(), 2);
  const etcdserverpb::RequestOp del = parse_request_line("del a --from-key --prev-kv").value();
  ASSERT_EQ(del.request_case(), etcdserverpb::RequestOp::kRequestDeleteRange);
  EXPECT_EQ(del.request_delete_range().range_end(), std::string(1, '\0'));
  // Command names later on the line are keys and values.
  EXPECT_EQ(parse_request_line("put get del").value().request_put().key(), "get");
}

TEST(ParseRequestLine, FailsAsEtcdctl) {
  EXPECT_EQ(request_error("get").message, "invalid txn compare request: get");
  EXPECT_EQ(request_error("frob a b").message, "invalid txn request: frob a b");
  EXPECT_EQ(request_error("put a b --bogus").message, "invalid txn request: put a b --bogus");
  EXPECT_EQ(request_error("get a --limit x").message, "invalid txn request: get a --limit x");
  EXPECT_EQ(request_error("get a --limit x").exit_code, ExitCode::kInvalidInput);
  // Checks of the command itself keep the command's message and exit code.
  EXPECT_EQ(request_error("put a").message,
            "put command needs 1 argument and input from stdin or 2 arguments");
  EXPECT_EQ(request_error("put a").exit_code, ExitCode::kBadArgs);
  EXPECT_EQ(request_error("get a --order up").message, "bad sort order up");
  EXPECT_EQ(request_error("get a --order up").exit_code, ExitCode::kBadFeature);
}

TEST(ReadTxn, ThreeSectionsEachEndingInABlankLine) {
  std::istringstream in(
      "mod(\"k\") > \"0\"\nval(\"k\") = \"v\"\n\nput k v2\n  get k  \n \t \ndel k\n\n");
  const Outcome<etcdserverpb::TxnRequest> txn = read_txn(in, nullptr);
  ASSERT_TRUE(txn.ok()) << txn.error().message;
  EXPECT_EQ(txn.value().compare_size(), 2);
  EXPECT_EQ(txn.value().success_size(), 2);
  ASSERT_EQ(txn.value().failure_size(), 1);
  EXPECT_EQ(txn.value().failure(0).request_delete_range().key(), "k");
}

TEST(ReadTxn, WindowsLineEndsAreTrimmed) {
  std::istringstream in("mod(\"k\") > \"0\"\r\n\r\nget k\r\n\r\n\r\n");
  const Outcome<etcdserverpb::TxnRequest> txn = read_txn(in, nullptr);
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(txn.value().success(0).request_range().key(), "k");
}

TEST(ReadTxn, InteractivePromptsBeforeEachSection) {
  std::istringstream in("\n\n\n");
  std::ostringstream prompts;
  ASSERT_TRUE(read_txn(in, &prompts).ok());
  EXPECT_EQ(prompts.str(),
            "compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\n");
}

TEST(ReadTxn, InputEndingMidSectionIsEof) {
  for (const char* input : {"", "\n", "\n\n", "\n\nput a b\n", "mod(\"k\") > \"0\"\n\nput a b"}) {
    std::istringstream in(input);
    const Outcome<etcdserverpb::TxnRequest> txn = read_txn(in, nullptr);
    ASSERT_FALSE(txn.ok()) << input;
    EXPECT_EQ(txn.error().message, "EOF");
    EXPECT_EQ(txn.error().exit_code, ExitCode::kInvalidInput);
  }
}

TEST(ReadTxn, TheFirstBadLineStopsReading) {
  std::istringstream in("mod(\"k\") > \"x\"\n");
  EXPECT_EQ(read_txn(in, nullptr).error().message,
            "invalid txn compare request: mod(\"k\") > \"x\"");
}

}  // namespace
}  // namespace synod::ctl
