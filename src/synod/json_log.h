#pragma once
// One JSON object per line on stderr, shaped like etcd's zap logs:
//   {"level":"info","ts":"2024-05-01T12:00:00.123Z","msg":"serving client requests","address":"127.0.0.1:2379"}
// so that the same tools read both. Lines from several threads never interleave.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace synod::app {

using LogFields = std::vector<std::pair<std::string, nlohmann::ordered_json>>;

// level, ts and msg first (like zap), then `fields` in the order given. ts is UTC, milliseconds.
std::string format_log_line(std::string_view level, std::chrono::system_clock::time_point time,
                            std::string_view message, const LogFields& fields);

class JsonLogger {
 public:
  explicit JsonLogger(std::FILE* out = stderr) : out_(out) {}

  void info(std::string_view message, const LogFields& fields = {});
  void warn(std::string_view message, const LogFields& fields = {});
  void error(std::string_view message, const LogFields& fields = {});
  // A line from another component (the node's config.log): a JSON object gets this logger's ts
  // and field order (level, ts, msg first); anything else becomes the msg of an info line.
  void write_line(std::string_view line);

 private:
  void log(std::string_view level, std::string_view message, const LogFields& fields);
  void write(const std::string& line);

  std::mutex mutex_;
  std::FILE* out_;
};

}  // namespace synod::app
