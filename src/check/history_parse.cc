// parse_json_line: strict validation of one history event. Every rejection says which field is
// wrong and what was expected, because a checker that silently misreads a history proves nothing.
#include <limits>
#include <nlohmann/json.hpp>

#include "check/history.h"
#include "check/history_names.h"

namespace synod::check {
namespace {

using Json = nlohmann::json;

std::string describe(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string parse_integer(const Json& object, const char* field, int64_t& out) {
  if (!object.contains(field)) return std::string("missing field \"") + field + "\"";
  const Json& json = object.at(field);
  if (!json.is_number_integer()) {
    return std::string("\"") + field + "\" must be an integer, got " + describe(json);
  }
  if (json.is_number_unsigned() &&
      json.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::string("\"") + field + "\" is out of range: " + describe(json);
  }
  out = json.get<int64_t>();
  return "";
}

std::string parse_string(const Json& object, const char* field, std::string& out) {
  if (!object.contains(field)) return std::string("missing field \"") + field + "\"";
  const Json& json = object.at(field);
  if (!json.is_string()) {
    return std::string("\"") + field + "\" must be a string, got " + describe(json);
  }
  out = json.get<std::string>();
  return "";
}

std::string parse_type_and_function(const Json& object, Event& event) {
  std::string name;
  if (std::string error = parse_string(object, "type", name); !error.empty()) return error;
  std::optional<EventType> type = parse_event_type(name);
  if (!type) return "unknown type \"" + name + "\" (expected invoke, ok, fail or info)";
  if (std::string error = parse_string(object, "f", name); !error.empty()) return error;
  std::optional<Function> function = parse_function(name);
  if (!function) return "unknown f \"" + name + "\" (expected read, write or cas)";
  event.type = *type;
  event.function = *function;
  return "";
}

std::string parse_read_value(const Json& value, Event& event) {
  if (value.is_null()) return "";
  if (event.type == EventType::kOk && value.is_string()) {
    event.value = value.get<std::string>();
    return "";
  }
  if (event.type == EventType::kOk) return "read ok value must be a string or null, got " + describe(value);
  return std::string("read ") + std::string(event_type_name(event.type)) +
         " value must be null, got " + describe(value);
}

std::string parse_cas_value(const Json& value, Event& event) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_string() || !value[1].is_string()) {
    return "cas value must be [expected, new] with two strings, got " + describe(value);
  }
  event.expected = value[0].get<std::string>();
  event.value = value[1].get<std::string>();
  return "";
}

std::string parse_value(const Json& object, Event& event) {
  if (!object.contains("value")) return "missing field \"value\"";
  const Json& value = object.at("value");
  switch (event.function) {
    case Function::kRead: return parse_read_value(value, event);
    case Function::kCas: return parse_cas_value(value, event);
    case Function::kWrite:
      if (!value.is_string()) return "write value must be a string, got " + describe(value);
      event.value = value.get<std::string>();
      return "";
  }
  return "unreachable";
}

std::string parse_event(const Json& object, Event& event) {
  if (!object.is_object()) return "an event must be a JSON object, got " + describe(object);
  std::string error = parse_integer(object, "process", event.process);
  if (error.empty()) error = parse_type_and_function(object, event);
  if (error.empty()) error = parse_string(object, "key", event.key);
  if (error.empty()) error = parse_value(object, event);
  if (error.empty()) error = parse_integer(object, "time", event.time_ns);
  // The largest time stands for "never returns" in the checker: no real clock reaches it.
  if (error.empty() && event.time_ns == std::numeric_limits<int64_t>::max()) {
    error = "\"time\" is out of range: " + std::to_string(event.time_ns);
  }
  return error;
}

}  // namespace

bool parse_json_line(const std::string& line, Event& event, std::string& error) {
  Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  Event parsed;
  error = parse_event(object, parsed);
  if (!error.empty()) return false;
  event = std::move(parsed);
  return true;
}

}  // namespace synod::check
