#include "check/history_names.h"

namespace synod::check {

std::string_view event_type_name(EventType type) {
  switch (type) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kInfo: return "info";
  }
  return "?";
}

std::string_view function_name(Function function) {
  switch (function) {
    case Function::kRead: return "read";
    case Function::kWrite: return "write";
    case Function::kCas: return "cas";
  }
  return "?";
}

std::optional<EventType> parse_event_type(std::string_view name) {
  for (EventType type : {EventType::kInvoke, EventType::kOk, EventType::kFail, EventType::kInfo}) {
    if (event_type_name(type) == name) return type;
  }
  return std::nullopt;
}

std::optional<Function> parse_function(std::string_view name) {
  for (Function function : {Function::kRead, Function::kWrite, Function::kCas}) {
    if (function_name(function) == name) return function;
  }
  return std::nullopt;
}

}  // namespace synod::check
