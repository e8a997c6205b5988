// Log lines: zap's shape (level, ts, msg first), valid JSON, one line each.
#include <gtest/gtest.h>

#include <cstdio>

#include "synod/json_log.h"

namespace synod::app {
namespace {

std::chrono::system_clock::time_point fixed_time() {
  // 2024-05-01T12:00:00.123Z
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
}

std::string logged_by(const std::function<void(JsonLogger&)>& write) {
  std::FILE* file = std::tmpfile();
  {
    JsonLogger logger(file);
    write(logger);
  }
  std::rewind(file);
  std::string text;
  char buffer[512];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, read);
  std::fclose(file);
  return text;
}

TEST(JsonLogTest, ZapShape) {
  EXPECT_EQ(format_log_line("info", fixed_time(), "serving client requests", {{"address", "127.0.0.1:2379"}}),
            R"({"level":"info","ts":"2024-05-01T12:00:00.123Z","msg":"serving client requests","address":"127.0.0.1:2379"})");
}

TEST(JsonLogTest, FieldsKeepTheirOrderAndTypes) {
  const std::string line =
      format_log_line("warn", fixed_time(), "m", {{"z", 1}, {"a", true}, {"list", {"x", "y"}}});
  EXPECT_EQ(line, R"({"level":"warn","ts":"2024-05-01T12:00:00.123Z","msg":"m","z":1,"a":true,"list":["x","y"]})");
}

TEST(JsonLogTest, EscapesAndSurvivesInvalidUtf8) {
  const std::string line = format_log_line("error", fixed_time(), "a \"quoted\"\nline", {{"path", "bad\xff"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find(R"("msg":"a \"quoted\"\nline")"), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(JsonLogTest, LinesFromOtherComponentsAreReshaped) {
  const std::string text = logged_by([](JsonLogger& logger) {
    logger.write_line(R"({"msg":"leader changed","level":"info","leader":"1a","term":3})" "\n");
    logger.write_line("plain text");
    logger.info("done");
  });
  std::vector<nlohmann::ordered_json> lines;
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
    lines.push_back(nlohmann::ordered_json::parse(text.substr(start, end - start)));
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].begin().key(), "level");
  EXPECT_EQ(lines[0]["msg"], "leader changed");
  EXPECT_EQ(lines[0]["leader"], "1a");
  EXPECT_EQ(lines[0]["term"], 3);
  EXPECT_TRUE(lines[0].contains("ts"));
  EXPECT_EQ(lines[1]["msg"], "plain text");
  EXPECT_EQ(lines[1]["level"], "info");
  EXPECT_EQ(lines[2]["msg"], "done");
}

}  // namespace
}  // namespace synod::app
