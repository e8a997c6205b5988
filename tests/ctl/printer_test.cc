// The printers against etcdctl 3.4's output for the same responses (see response_fixtures.h),
// and the table layout of tablewriter.
#include "ctl/printer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ctl/table_writer.h"
#include "response_fixtures.h"

namespace synod::ctl {
namespace {

using namespace synod::ctl::testing;

template <typename Print>
std::string printed(OutputFormat format, Print print, PrinterOptions options = {}) {
  std::ostringstream out;
  std::unique_ptr<Printer> printer = make_printer(format, options, out);
  print(*printer);
  return out.str();
}

const std::string kHeader4 =
    "\"ClusterID\" : 14841639068965178418\n\"MemberID\" : 10276657743932975437\n"
    "\"Revision\" : 4\n\"RaftTerm\" : 2\n";

TEST(SimplePrinter, PutPrintsOkThenThePreviousPair) {
  EXPECT_EQ(printed(OutputFormat::kSimple, [](Printer& p) { p.put(put_with_prev_kv()); }),
            "OK\nfoo\nbaz\n");
  EXPECT_EQ(printed(OutputFormat::kSimple, [](Printer& p) { p.put({}); }), "OK\n");
}

TEST(SimplePrinter, GetPrintsKeysAndValuesOnTheirOwnLines) {
  EXPECT_EQ(printed(OutputFormat::kSimple, [](Printer& p) { p.get(get_foo()); }), "foo\nqux\n");
  PrinterOptions value_only;
  value_only.value_only = true;
  EXPECT_EQ(printed(
                OutputFormat::kSimple, [](Printer& p) { p.get(get_foo()); }, value_only),
            "qux\n");
  PrinterOptions hex;
  hex.hex = true;
  EXPECT_EQ(printed(
                OutputFormat::kSimple, [](Printer& p) { p.get(get_foo()); }, hex),
            "\\x66\\x6f\\x6f\n\\x71\\x75\\x78\n");
  PrinterOptions count_only;
  count_only.count_only = true;
  EXPECT_EQ(printed(
                OutputFormat::kSimple, [](Printer& p) { p.get(get_foo()); }, count_only),
            "1\n");
}

TEST(SimplePrinter, DeletePrintsTheCountThenDeletedPairs) {
  etcdserverpb::DeleteRangeResponse response;
  *response.mutable_header() = header(5);
  response.set_deleted(1);
  *response.add_prev_kvs() = key_value("foo", "qux", 2, 4, 3);
  EXPECT_EQ(printed(OutputFormat::kSimple, [&](Printer& p) { p.del(response); }), "1\nfoo\nqux\n");
}

TEST(SimplePrinter, TxnPrintsTheOutcomeThenEachResponseAfterABlankLine) {
  EXPECT_EQ(printed(OutputFormat::kSimple, [](Printer& p) { p.txn(txn_put_get_delete()); }),
            "SUCCESS\n\nOK\n\nfoo\nqux\n\n0\n");
  etcdserverpb::TxnResponse failed;
  *failed.mutable_header() = header(5);
  EXPECT_EQ(printed(OutputFormat::kSimple, [&](Printer& p) { p.txn(failed); }), "FAILURE\n");
}

TEST(SimplePrinter, EndpointStatusIsOneCommaSeparatedLine) {
  const std::vector<EndpointStatus> statuses = {{"127.0.0.1:25790", status_with_nospace_alarm()},
                                                {"127.0.0.1:23790", healthy_status()}};
  EXPECT_EQ(printed(OutputFormat::kSimple, [&](Printer& p) { p.endpoint_status(statuses); }),
            "127.0.0.1:25790, 8e9e05c52164694d, 3.4.23, 82 kB, true, false, 2, 8, 8, "
            "memberID:10276657743932975437 alarm:NOSPACE \n"
            "127.0.0.1:23790, 8e9e05c52164694d, 3.4.23, 20 kB, true, false, 2, 7, 7, \n");
}

TEST(JsonPrinter, PrintsOneLinePerResponse) {
  EXPECT_EQ(printed(OutputFormat::kJson, [](Printer& p) { p.get(get_foo()); }),
            "{\"header\":{\"cluster_id\":14841639068965178418,\"member_id\":10276657743932975437,"
            "\"revision\":4,\"raft_term\":2},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,"
            "\"mod_revision\":4,\"version\":3,\"value\":\"cXV4\"}],\"count\":1}\n");
  PrinterOptions hex;  // etcdctl's json printer ignores --hex
  hex.hex = true;
  EXPECT_EQ(printed(
                OutputFormat::kJson, [](Printer& p) { p.get(get_foo()); }, hex),
            printed(OutputFormat::kJson, [](Printer& p) { p.get(get_foo()); }));
}

TEST(JsonPrinter, EndpointStatusIsAnArrayOfEndpointAndStatus) {
  const std::vector<EndpointStatus> statuses = {{"127.0.0.1:23790", healthy_status()}};
  EXPECT_EQ(printed(OutputFormat::kJson, [&](Printer& p) { p.endpoint_status(statuses); }),
            "[{\"Endpoint\":\"127.0.0.1:23790\",\"Status\":{\"header\":{\"cluster_id\":"
            "14841639068965178418,\"member_id\":10276657743932975437,\"revision\":4,"
            "\"raft_term\":2},\"version\":\"3.4.23\",\"dbSize\":20480,\"leader\":"
            "10276657743932975437,\"raftIndex\":7,\"raftTerm\":2,\"raftAppliedIndex\":7,"
            "\"dbSizeInUse\":16384}}]\n");
  EXPECT_EQ(printed(OutputFormat::kJson, [](Printer& p) { p.endpoint_status({}); }), "[]\n");
}

TEST(FieldsPrinter, GetListsHeaderPairsMoreAndCount) {
  EXPECT_EQ(printed(OutputFormat::kFields, [](Printer& p) { p.get(get_foo()); }),
            kHeader4 +
                "\"Key\" : \"foo\"\n\"CreateRevision\" : 2\n\"ModRevision\" : 4\n"
                "\"Version\" : 3\n\"Value\" : \"qux\"\n\"Lease\" : 0\n\"More\" : false\n"
                "\"Count\" : 1\n");
}

TEST(FieldsPrinter, PutQuotesBytesAsGo) {
  etcdserverpb::PutResponse response = put_with_prev_kv();
  response.mutable_prev_kv()->set_key("k\x01\xc3\xa9\xff\t<&>");
  EXPECT_EQ(printed(OutputFormat::kFields, [&](Printer& p) { p.put(response); }),
            kHeader4 +
                "\"PrevKey\" : \"k\\x01\xc3\xa9\\xff\\t<&>\"\n\"PrevCreateRevision\" : 2\n"
                "\"PrevModRevision\" : 3\n\"PrevVersion\" : 2\n\"PrevValue\" : \"baz\"\n"
                "\"PrevLease\" : 0\n");
}

TEST(FieldsPrinter, TxnPrintsEachResponseWithItsOwnHeader) {
  const std::string inner_header =
      "\"ClusterID\" : 0\n\"MemberID\" : 0\n\"Revision\" : 5\n\"RaftTerm\" : 0\n";
  EXPECT_EQ(printed(OutputFormat::kFields, [](Printer& p) { p.txn(txn_put_get_delete()); }),
            "\"ClusterID\" : 14841639068965178418\n\"MemberID\" : 10276657743932975437\n"
            "\"Revision\" : 5\n\"RaftTerm\" : 2\n\"Succeeded\" : true\n" +
                inner_header + inner_header +
                "\"Key\" : \"foo\"\n\"CreateRevision\" : 2\n\"ModRevision\" : 4\n"
                "\"Version\" : 3\n\"Value\" : \"qux\"\n\"Lease\" : 0\n\"More\" : false\n"
                "\"Count\" : 1\n" +
                inner_header + "\"Deleted\" : 0\n");
}

TEST(FieldsPrinter, EndpointStatusAsEtcdctlPrintsIt) {
  const std::vector<EndpointStatus> statuses = {{"127.0.0.1:25790", status_with_nospace_alarm()}};
  EXPECT_EQ(printed(OutputFormat::kFields, [&](Printer& p) { p.endpoint_status(statuses); }),
            "\"ClusterID\" : 14841639068965178418\n\"MemberID\" : 10276657743932975437\n"
            "\"Revision\" : 2\n\"RaftTerm\" : 2\n\"Version\" : \"3.4.23\"\n\"DBSize\" : 81920\n"
            "\"Leader\" : 10276657743932975437\n\"IsLearner\" : false\n\"RaftIndex\" : 8\n"
            "\"RaftTerm\" : 2\n\"RaftAppliedIndex\" : 8\n"
            "\"Errors\" : [memberID:10276657743932975437 alarm:NOSPACE ]\n"
            "\"Endpoint\" : \"127.0.0.1:25790\"\n\n");
}

TEST(TablePrinter, EndpointStatusTable) {
  const std::vector<EndpointStatus> statuses = {{"127.0.0.1:23790", healthy_status()}};
  EXPECT_EQ(
      printed(OutputFormat::kTable, [&](Printer& p) { p.endpoint_status(statuses); }),
      "+-----------------+------------------+---------+---------+-----------+------------+-------"
      "----+------------+--------------------+--------+\n"
      "|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT "
      "TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |\n"
      "+-----------------+------------------+---------+---------+-----------+------------+-------"
      "----+------------+--------------------+--------+\n"
      "| 127.0.0.1:23790 | 8e9e05c52164694d |  3.4.23 |   20 kB |      true |      false |       "
      "  2 |          7 |                  7 |        |\n"
      "+-----------------+------------------+---------+---------+-----------+------------+-------"
      "----+------------+--------------------+--------+\n");
}

TEST(TablePrinter, LongCellsWrapOntoMoreLines) {
  const std::vector<EndpointStatus> statuses = {{"127.0.0.1:25790", status_with_nospace_alarm()}};
  const std::string border =
      "+-----------------+------------------+---------+---------+-----------+------------+-------"
      "----+------------+--------------------+--------------------------------+\n";
  EXPECT_EQ(
      printed(OutputFormat::kTable, [&](Printer& p) { p.endpoint_status(statuses); }),
      border +
          "|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | "
          "RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |             ERRORS             |\n" +
          border +
          "| 127.0.0.1:25790 | 8e9e05c52164694d |  3.4.23 |   82 kB |      true |      false | "
          "        2 |          8 |                  8 |  memberID:10276657743932975437 |\n"
          "|                 |                  |         |         |           |            | "
          "          |            |                    |                 alarm:NOSPACE  |\n" +
          border);
}

TEST(TablePrinter, NoRowsLeavesTheHeader) {
  const std::string border =
      "+----------+----+---------+---------+-----------+------------+-----------+------------+---"
      "-----------------+--------+\n";
  EXPECT_EQ(printed(OutputFormat::kTable, [](Printer& p) { p.endpoint_status({}); }),
            border +
                "| ENDPOINT | ID | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT "
                "INDEX | RAFT APPLIED INDEX | ERRORS |\n" +
                border + border);
}

TEST(ProtobufPrinter, PrintsTheWireBytesWithoutUnknownFields) {
  etcdserverpb::RangeResponse response = get_foo();
  EXPECT_EQ(printed(OutputFormat::kProtobuf, [&](Printer& p) { p.get(response); }),
            response.SerializeAsString());
  etcdserverpb::RangeResponse with_unknown = response;
  with_unknown.GetReflection()->MutableUnknownFields(&with_unknown)->AddVarint(99, 1);
  EXPECT_EQ(printed(OutputFormat::kProtobuf, [&](Printer& p) { p.get(with_unknown); }),
            response.SerializeAsString());
}

TEST(OutputFormats, ParsedAndCheckedAsEtcdctlDoes) {
  EXPECT_EQ(parse_output_format("fields").value(), OutputFormat::kFields);
  const Outcome<OutputFormat> unknown = parse_output_format("xml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unsupported output format");
  EXPECT_EQ(unknown.error().exit_code, ExitCode::kBadFeature);
  const MaybeError table = check_format_supports(OutputFormat::kTable, PrintedKind::kKeyValue);
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->message, "table not supported as output format");
  EXPECT_EQ(table->exit_code, ExitCode::kBadFeature);
  const MaybeError protobuf =
      check_format_supports(OutputFormat::kProtobuf, PrintedKind::kEndpointStatus);
  ASSERT_TRUE(protobuf.has_value());
  EXPECT_EQ(protobuf->message, "protobuf not supported as output format");
  EXPECT_FALSE(check_format_supports(OutputFormat::kTable, PrintedKind::kEndpointStatus));
  EXPECT_FALSE(check_format_supports(OutputFormat::kFields, PrintedKind::kKeyValue));
}

TEST(TableWriter, WrapsWordsWithMinimalRaggedness) {
  EXPECT_EQ(wrap_words("memberID:10276657743932975437 alarm:NOSPACE ", 30),
            (std::vector<std::string>{"memberID:10276657743932975437", "alarm:NOSPACE "}));
  EXPECT_EQ(wrap_words("a b c", 30), (std::vector<std::string>{"a b c"}));
  EXPECT_EQ(wrap_words("", 0), (std::vector<std::string>{""}));
  // A word longer than the limit raises the limit rather than being cut.
  EXPECT_EQ(wrap_words("aaaa bb cc", 3), (std::vector<std::string>{"aaaa", "bb", "cc"}));
  EXPECT_EQ(wrap_words("aa bb cc dd", 5), (std::vector<std::string>{"aa bb", "cc dd"}));
}

TEST(TableWriter, TitlesHeadersAsTablewriter) {
  EXPECT_EQ(table_title("raft applied index"), "RAFT APPLIED INDEX");
  EXPECT_EQ(table_title("db_size"), "DB SIZE");
  EXPECT_EQ(table_title("v1.2"), "V1.2");
  EXPECT_EQ(table_title("a.b"), "A B");
  EXPECT_EQ(table_title("ID"), "ID");
}

TEST(TableWriter, CellsKeepTheirLinesAndShortCellsArePadded) {
  TableWriter table({"h", "second"});
  table.append_row({"one\ntwo", "x"});
  EXPECT_EQ(table.render(),
            "+-----+--------+\n|  H  | SECOND |\n+-----+--------+\n| one |      x |\n"
            "| two |        |\n+-----+--------+\n");
}

}  // namespace
}  // namespace synod::ctl
