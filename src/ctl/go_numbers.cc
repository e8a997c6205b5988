// Numbers, booleans, durations and sizes as Go's strconv, time and go-humanize read and write
// them, with Go's error texts (pflag and etcdctl print those texts verbatim).
#include <cmath>
#include <cstdio>

#include "ctl/go_text.h"

namespace synod::ctl::go {
namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

CtlError num_error(std::string_view function, std::string_view text, std::string_view reason) {
  return general_error("strconv." + std::string(function) + ": parsing " + quote(text) + ": " +
                       std::string(reason));
}

char lower(char c) { return static_cast<char>(c | 0x20); }

// strconv's underscoreOK: '_' may only separate digits (or follow a base prefix).
bool underscores_ok(std::string_view text) {
  char last_seen = '^';  // ^ start, 0 digit or prefix, _ underscore, ! anything else
  std::size_t i = 0;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  bool hex = false;
  if (text.size() >= 2 && text[0] == '0' &&
      (lower(text[1]) == 'b' || lower(text[1]) == 'o' || lower(text[1]) == 'x')) {
    i = 2;
    last_seen = '0';
    hex = lower(text[1]) == 'x';
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      last_seen = '0';
      continue;
    }
    if (c == '_') {
      if (last_seen != '0') return false;
      last_seen = '_';
      continue;
    }
    if (last_seen == '_') return false;
    last_seen = '!';
  }
  return last_seen != '_';
}

enum class UintParse { kOk, kSyntax, kRange };

// strconv.ParseUint(text, base, 64) without the error text.
UintParse parse_uint64(std::string_view text, int base, std::uint64_t& value) {
  value = 0;
  if (text.empty()) return UintParse::kSyntax;
  const bool base_zero = base == 0;
  const std::string_view original = text;
  if (base_zero) {
    base = 10;
    if (text[0] == '0') {
      if (text.size() >= 3 && lower(text[1]) == 'b') {
        base = 2, text.remove_prefix(2);
      } else if (text.size() >= 3 && lower(text[1]) == 'o') {
        base = 8, text.remove_prefix(2);
      } else if (text.size() >= 3 && lower(text[1]) == 'x') {
        base = 16, text.remove_prefix(2);
      } else {
        base = 8, text.remove_prefix(1);
      }
    }
  }
  const std::uint64_t cutoff = ~std::uint64_t{0} / static_cast<std::uint64_t>(base) + 1;
  bool saw_underscore = false;
  for (const char c : text) {
    int digit = 0;
    if (c == '_' && base_zero) {
      saw_underscore = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      digit = lower(c) - 'a' + 10;
    } else {
      return UintParse::kSyntax;
    }
    if (digit >= base) return UintParse::kSyntax;
    if (value >= cutoff) return UintParse::kRange;
    value *= static_cast<std::uint64_t>(base);
    const std::uint64_t next = value + static_cast<std::uint64_t>(digit);
    if (next < value) return UintParse::kRange;
    value = next;
  }
  if (saw_underscore && !underscores_ok(original)) return UintParse::kSyntax;
  return UintParse::kOk;
}

// time's leadingInt: digits into `value`; false on overflow past 1<<63.
bool leading_int(std::string_view& text, std::uint64_t& value) {
  value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > kSignBit / 10) return false;
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (value > kSignBit) return false;
  }
  text.remove_prefix(i);
  return true;
}

// time's leadingFraction: digits after '.', as value / scale, ignoring digits past overflow.
void leading_fraction(std::string_view& text, std::uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (overflow) continue;
    if (value > (kSignBit - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t next = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (next > kSignBit) {
      overflow = true;
      continue;
    }
    value = next;
    scale *= 10;
  }
  text.remove_prefix(i);
}

std::optional<std::uint64_t> duration_unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return std::nullopt;
}

}  // namespace

Outcome<std::int64_t> parse_int64(std::string_view text, int base) {
  if (text.empty()) return num_error("ParseInt", text, "invalid syntax");
  std::string_view digits = text;
  bool negative = false;
  if (digits[0] == '+') {
    digits.remove_prefix(1);
  } else if (digits[0] == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  const UintParse parsed = parse_uint64(digits, base, magnitude);
  if (parsed == UintParse::kSyntax) return num_error("ParseInt", text, "invalid syntax");
  if (parsed == UintParse::kRange || (!negative && magnitude >= kSignBit) ||
      (negative && magnitude > kSignBit)) {
    return num_error("ParseInt", text, "value out of range");
  }
  return negative ? static_cast<std::int64_t>(~magnitude + 1)
                  : static_cast<std::int64_t>(magnitude);
}

Outcome<bool> parse_bool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" ||
      text == "False") {
    return false;
  }
  return num_error("ParseBool", text, "invalid syntax");
}

Outcome<std::int64_t> parse_duration_nanos(std::string_view text) {
  const std::string_view original = text;
  const CtlError invalid = general_error("time: invalid duration " + time_quote(original));
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::int64_t{0};
  if (text.empty()) return invalid;
  std::uint64_t total = 0;
  while (!text.empty()) {
    if (!(text[0] == '.' || (text[0] >= '0' && text[0] <= '9'))) return invalid;
    const std::size_t before_int = text.size();
    std::uint64_t whole = 0;
    if (!leading_int(text, whole)) return invalid;
    const bool had_whole = before_int != text.size();
    std::uint64_t fraction = 0;
    double scale = 1;
    bool had_fraction = false;
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      const std::size_t before_fraction = text.size();
      leading_fraction(text, fraction, scale);
      had_fraction = before_fraction != text.size();
    }
    if (!had_whole && !had_fraction) return invalid;
    std::size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] != '.' &&
           !(text[unit_length] >= '0' && text[unit_length] <= '9')) {
      ++unit_length;
    }
    if (unit_length == 0) {
      return general_error("time: missing unit in duration " + time_quote(original));
    }
    const std::string_view unit = text.substr(0, unit_length);
    text.remove_prefix(unit_length);
    const std::optional<std::uint64_t> unit_nanos = duration_unit_nanos(unit);
    if (!unit_nanos) {
      return general_error("time: unknown unit " + time_quote(unit) + " in duration " +
                           time_quote(original));
    }
    if (whole > kSignBit / *unit_nanos) return invalid;
    whole *= *unit_nanos;
    if (fraction > 0) {
      whole += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(*unit_nanos) / scale));
      if (whole > kSignBit) return invalid;
    }
    total += whole;
    if (total > kSignBit) return invalid;
  }
  if (negative) return static_cast<std::int64_t>(~total + 1);
  if (total > kSignBit - 1) return invalid;
  return static_cast<std::int64_t>(total);
}

std::string humanize_bytes(std::uint64_t bytes) {
  static constexpr const char* kSuffixes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  char text[64];
  if (bytes < 10) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    return text;
  }
  const double size = static_cast<double>(bytes);
  const double exponent = std::floor(std::log(size) / std::log(1000.0));
  const double value = std::floor(size / std::pow(1000.0, exponent) * 10 + 0.5) / 10;
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value,
                kSuffixes[static_cast<int>(exponent)]);
  return text;
}

}  // namespace synod::ctl::go
