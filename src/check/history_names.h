#pragma once
// Spellings of the history format's enumerations, shared by the parser, the writer and the tools.
#include <optional>
#include <string_view>

#include "check/history.h"

namespace synod::check {

std::string_view event_type_name(EventType type);
std::string_view function_name(Function function);
std::optional<EventType> parse_event_type(std::string_view name);
std::optional<Function> parse_function(std::string_view name);

}  // namespace synod::check
