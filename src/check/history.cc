// Writing and reading whole histories; the per-line parser lives in history_parse.cc.
#include "check/history.h"

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "check/history_names.h"

namespace synod::check {
namespace {

nlohmann::ordered_json value_json(const Event& event) {
  if (event.function == Function::kCas) {
    return nlohmann::ordered_json::array({event.expected.value_or(""), event.value.value_or("")});
  }
  if (!event.value) return nullptr;
  return *event.value;
}

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

std::string to_json_line(const Event& event) {
  nlohmann::ordered_json json;
  json["process"] = event.process;
  json["type"] = event_type_name(event.type);
  json["f"] = function_name(event.function);
  json["key"] = event.key;
  json["value"] = value_json(event);
  json["time"] = event.time_ns;
  // Replace rather than throw on invalid UTF-8: a diagnostic printer must never crash.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Status read_history(std::istream& input, History& history) {
  history.clear();
  std::string line;
  std::string error;
  for (int64_t line_number = 1; std::getline(input, line); ++line_number) {
    if (is_blank(line)) continue;
    Event event;
    if (!parse_json_line(line, event, error)) {
      return {StatusCode::kInvalidArgument, "line " + std::to_string(line_number) + ": " + error};
    }
    history.push_back(std::move(event));
  }
  if (input.bad()) return {StatusCode::kInvalidArgument, "read error"};
  return Status::Ok();
}

void write_history(std::ostream& output, const History& history) {
  for (const Event& event : history) output << to_json_line(event) << '\n';
}

}  // namespace synod::check
