#pragma once
// Client histories in Synod's JSON-lines format (Jepsen's register model), one event per line:
//   {"process": 3, "type": "invoke", "f": "write", "key": "x", "value": "7", "time": 1200}
// type: invoke | ok | fail | info (outcome unknown; that process issues nothing more)
// f:    read  (invoke value null; ok value is the string read, or null when absent)
//       write (value is the string written)
//       cas   (value is [expected, new]; ok = swapped, fail = the compare did not match)
// time: integer nanoseconds. The format is documented in docs/history-format.md.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace synod::check {

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class Function : uint8_t { kRead, kWrite, kCas };

struct Event {
  int64_t process = 0;
  EventType type = EventType::kInvoke;
  Function function = Function::kRead;
  std::string key;
  // read: the value read (ok), null for absent or unknown; write: the value written;
  // cas: the new value.
  std::optional<std::string> value;
  std::optional<std::string> expected;  // cas only
  int64_t time_ns = 0;

  bool operator==(const Event&) const = default;
};

using History = std::vector<Event>;

std::string to_json_line(const Event& event);
// Parses one line; on failure returns false and says why in `error`.
bool parse_json_line(const std::string& line, Event& event, std::string& error);
// Reads a whole history; the error names the line number. Blank lines are skipped.
Status read_history(std::istream& input, History& history);
void write_history(std::ostream& output, const History& history);

}  // namespace synod::check
