// The JSON-lines history format: round trips and every kind of malformed line.
#include "check/history.h"

#include <gtest/gtest.h>

#include <sstream>

namespace synod::check {
namespace {

Event event(int64_t process, EventType type, Function function, std::string key,
            std::optional<std::string> value, std::optional<std::string> expected, int64_t time_ns) {
  return {process, type, function, std::move(key), std::move(value), std::move(expected), time_ns};
}

std::string parse_error(const std::string& line) {
  Event parsed;
  std::string error;
  EXPECT_FALSE(parse_json_line(line, parsed, error)) << line;
  return error;
}

TEST(HistoryFormat, WritesTheDocumentedLine) {
  Event write = event(3, EventType::kInvoke, Function::kWrite, "x", "7", std::nullopt, 1200);
  EXPECT_EQ(to_json_line(write), R"({"process":3,"type":"invoke","f":"write","key":"x","value":"7","time":1200})");
  Event cas = event(1, EventType::kFail, Function::kCas, "y", "2", "1", 5);
  EXPECT_EQ(to_json_line(cas), R"({"process":1,"type":"fail","f":"cas","key":"y","value":["1","2"],"time":5})");
  Event read = event(2, EventType::kInvoke, Function::kRead, "x", std::nullopt, std::nullopt, 0);
  EXPECT_EQ(to_json_line(read), R"({"process":2,"type":"invoke","f":"read","key":"x","value":null,"time":0})");
}

TEST(HistoryFormat, EveryKindOfEventRoundTrips) {
  History history = {
      event(0, EventType::kInvoke, Function::kRead, "x", std::nullopt, std::nullopt, 1),
      event(0, EventType::kOk, Function::kRead, "x", std::nullopt, std::nullopt, 2),
      event(0, EventType::kInvoke, Function::kRead, "x", std::nullopt, std::nullopt, 3),
      event(0, EventType::kOk, Function::kRead, "x", "a \"quoted\"\nvalue é", std::nullopt, 4),
      event(1, EventType::kInvoke, Function::kWrite, "key with spaces", "", std::nullopt, -5),
      event(1, EventType::kFail, Function::kWrite, "key with spaces", "", std::nullopt, 6),
      event(2, EventType::kInvoke, Function::kCas, "z", "new", "old", 7),
      event(2, EventType::kInfo, Function::kCas, "z", "new", "old", INT64_MAX - 1),
      event(-4, EventType::kInvoke, Function::kRead, "", std::nullopt, std::nullopt, INT64_MIN),
      event(-4, EventType::kFail, Function::kRead, "", std::nullopt, std::nullopt, 9),
  };
  std::stringstream stream;
  write_history(stream, history);
  History parsed;
  ASSERT_TRUE(read_history(stream, parsed).ok());
  EXPECT_EQ(parsed, history);
}

TEST(HistoryFormat, IgnoresExtraFieldsAndFieldOrder) {
  Event parsed;
  std::string error;
  ASSERT_TRUE(parse_json_line(R"({"time":9,"value":"v","key":"k","f":"write","type":"ok","process":4,"node":"n1"})",
                              parsed, error))
      << error;
  EXPECT_EQ(parsed, event(4, EventType::kOk, Function::kWrite, "k", "v", std::nullopt, 9));
}

TEST(HistoryFormat, RejectsMalformedLinesSayingWhy) {
  EXPECT_EQ(parse_error("{"), "not valid JSON");
  EXPECT_EQ(parse_error("[1,2]"), "an event must be a JSON object, got [1,2]");
  EXPECT_EQ(parse_error(R"({"type":"ok","f":"read","key":"x","value":null,"time":1})"), "missing field \"process\"");
  EXPECT_EQ(parse_error(R"({"process":1,"f":"read","key":"x","value":null,"time":1})"), "missing field \"type\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","key":"x","value":null,"time":1})"), "missing field \"f\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","value":null,"time":1})"), "missing field \"key\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","time":1})"), "missing field \"value\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":null})"), "missing field \"time\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"done","f":"read","key":"x","value":null,"time":1})"),
            "unknown type \"done\" (expected invoke, ok, fail or info)");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"append","key":"x","value":null,"time":1})"),
            "unknown f \"append\" (expected read, write or cas)");
  EXPECT_EQ(parse_error(R"({"process":1,"type":7,"f":"read","key":"x","value":null,"time":1})"),
            "\"type\" must be a string, got 7");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":3,"value":null,"time":1})"),
            "\"key\" must be a string, got 3");
}

TEST(HistoryFormat, RejectsNonIntegerNumbers) {
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":null,"time":1.5})"),
            "\"time\" must be an integer, got 1.5");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":null,"time":"1"})"),
            "\"time\" must be an integer, got \"1\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":null,"time":9223372036854775808})"),
            "\"time\" is out of range: 9223372036854775808");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":null,"time":9223372036854775807})"),
            "\"time\" is out of range: 9223372036854775807");
  EXPECT_EQ(parse_error(R"({"process":"p1","type":"ok","f":"read","key":"x","value":null,"time":1})"),
            "\"process\" must be an integer, got \"p1\"");
}

TEST(HistoryFormat, RejectsValuesOfTheWrongShape) {
  EXPECT_EQ(parse_error(R"({"process":1,"type":"invoke","f":"read","key":"x","value":"a","time":1})"),
            "read invoke value must be null, got \"a\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"info","f":"read","key":"x","value":"a","time":1})"),
            "read info value must be null, got \"a\"");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"ok","f":"read","key":"x","value":5,"time":1})"),
            "read ok value must be a string or null, got 5");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"invoke","f":"write","key":"x","value":null,"time":1})"),
            "write value must be a string, got null");
  EXPECT_EQ(parse_error(R"({"process":1,"type":"invoke","f":"write","key":"x","value":7,"time":1})"),
            "write value must be a string, got 7");
  for (const char* bad : {R"("a")", R"(["a"])", R"(["a","b","c"])", R"(["a",null])", R"([1,"b"])", "null"}) {
    std::string line = std::string(R"({"process":1,"type":"invoke","f":"cas","key":"x","value":)") + bad + R"(,"time":1})";
    EXPECT_EQ(parse_error(line), std::string("cas value must be [expected, new] with two strings, got ") +
                                     bad);
  }
}

TEST(HistoryFormat, ReadHistoryNamesTheLineAndSkipsBlankLines) {
  std::stringstream stream(
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"x\",\"value\":null,\"time\":1}\n"
      "\n   \n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"x\",\"value\":null,\"time\":\"late\"}\n");
  History history;
  Status status = read_history(stream, history);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "line 4: \"time\" must be an integer, got \"late\"");
}

TEST(HistoryFormat, ReadHistoryAcceptsCrLfAndAnEmptyInput) {
  std::stringstream empty("");
  History history = {Event{}};
  EXPECT_TRUE(read_history(empty, history).ok());
  EXPECT_TRUE(history.empty());
  std::stringstream crlf("{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"x\",\"value\":null,\"time\":1}\r\n");
  EXPECT_TRUE(read_history(crlf, history).ok());
  EXPECT_EQ(history.size(), 1u);
}

}  // namespace
}  // namespace synod::check
