#include "synod/json_log.h"

#include <ctime>

namespace synod::app {
namespace {

// Invalid UTF-8 (from a file name, say) is replaced rather than thrown on.
std::string json_text(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string format_log_line(std::string_view level, std::chrono::system_clock::time_point time,
                            std::string_view message, const LogFields& fields) {
  using namespace std::chrono;
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto milliseconds = duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char timestamp[40];
  const size_t length = std::strftime(timestamp, sizeof(timestamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(timestamp + length, sizeof(timestamp) - length, ".%03dZ", static_cast<int>(milliseconds));

  // Built by hand so that the keys keep zap's order (nlohmann::json sorts object keys).
  std::string line = "{\"level\":" + json_text(level) + ",\"ts\":\"" + timestamp +
                     "\",\"msg\":" + json_text(message);
  for (const auto& [key, value] : fields) line += "," + json_text(key) + ":" + json_text(value);
  line += "}";
  return line;
}

void JsonLogger::info(std::string_view message, const LogFields& fields) { log("info", message, fields); }
void JsonLogger::warn(std::string_view message, const LogFields& fields) { log("warn", message, fields); }
void JsonLogger::error(std::string_view message, const LogFields& fields) { log("error", message, fields); }

void JsonLogger::write_line(std::string_view line) {
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  // ordered_json keeps the component's field order; parse(..., false) never throws.
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(line, nullptr, false);
  if (!parsed.is_object()) {
    log("info", line, {});
    return;
  }
  std::string level = "info";
  std::string message;
  LogFields fields;
  for (const auto& [key, value] : parsed.items()) {
    if (key == "level" && value.is_string()) {
      level = value.get<std::string>();
    } else if (key == "msg" && value.is_string()) {
      message = value.get<std::string>();
    } else if (key != "ts") {
      fields.emplace_back(key, value);
    }
  }
  log(level, message, fields);
}

void JsonLogger::log(std::string_view level, std::string_view message, const LogFields& fields) {
  write(format_log_line(level, std::chrono::system_clock::now(), message, fields));
}

void JsonLogger::write(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace synod::app
