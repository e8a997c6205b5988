// UTF-8, spaces and quoting as Go's unicode/utf8, fmt and strconv packages do them.
#include "ctl/go_text.h"

namespace synod::ctl::go {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool is_valid_rune(char32_t rune) {
  return rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF);
}

// unicode.IsPrint beyond ASCII, approximated without Unicode's tables (see go_text.h).
bool is_printable_non_ascii(char32_t rune) {
  if (rune <= 0xA0 || rune == 0xAD) return false;  // C1 controls, no-break space, soft hyphen
  if ((rune >= 0x600 && rune <= 0x605) || rune == 0x61C || rune == 0x6DD || rune == 0x70F ||
      rune == 0x8E2 || rune == 0x180E) {
    return false;
  }
  if (rune == 0x1680 || (rune >= 0x2000 && rune <= 0x200F) || (rune >= 0x2028 && rune <= 0x202F) ||
      (rune >= 0x205F && rune <= 0x206F) || rune == 0x3000) {
    return false;
  }
  if (rune == 0xFEFF || (rune >= 0xFFF9 && rune <= 0xFFFB) || rune == 0xFFFE || rune == 0xFFFF) {
    return false;
  }
  if ((rune >= 0xE000 && rune <= 0xF8FF) || rune >= 0xF0000) return false;  // private use
  if (rune >= 0xE0000 && rune <= 0xE007F) return false;                     // tags
  return true;
}

bool is_printable(char32_t rune) {
  if (rune < 0x80) return rune >= 0x20 && rune != 0x7F;
  return is_printable_non_ascii(rune);
}

void append_hex_digits(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out += kLowerHex[(value >> shift) & 0xF];
}

// strconv's appendEscapedRune for a double-quoted literal.
void append_escaped_rune(std::string& out, char32_t rune) {
  if (rune == '"' || rune == '\\') {
    out += '\\';
    out += static_cast<char>(rune);
    return;
  }
  if (is_printable(rune)) {
    append_rune(out, rune);
    return;
  }
  switch (rune) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (rune < ' ' || rune == 0x7F) {
    out += "\\x";
    append_hex_digits(out, rune, 2);
  } else if (rune < 0x10000) {
    out += "\\u";
    append_hex_digits(out, rune, 4);
  } else {
    out += "\\U";
    append_hex_digits(out, rune, 8);
  }
}

std::optional<int> hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// strconv.UnquoteChar for a double-quoted literal: appends one character or escape to `out`
// and advances `rest`; false on a syntax error.
bool unquote_one(std::string_view& rest, std::string& out) {
  const unsigned char first = static_cast<unsigned char>(rest[0]);
  if (first == '"') return false;
  if (first >= 0x80) {
    const DecodedRune decoded = decode_rune(rest);
    append_rune(out, decoded.rune);
    rest.remove_prefix(decoded.size);
    return true;
  }
  if (first != '\\') {
    out += static_cast<char>(first);
    rest.remove_prefix(1);
    return true;
  }
  if (rest.size() <= 1) return false;
  const char escape = rest[1];
  rest.remove_prefix(2);
  switch (escape) {
    case 'a': out += '\a'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'v': out += '\v'; return true;
    case '\\': out += '\\'; return true;
    case '"': out += '"'; return true;
    default: break;
  }
  if (escape == 'x' || escape == 'u' || escape == 'U') {
    const std::size_t digits = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
    if (rest.size() < digits) return false;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const std::optional<int> digit = hex_digit_value(rest[i]);
      if (!digit) return false;
      value = value << 4 | static_cast<std::uint32_t>(*digit);
    }
    rest.remove_prefix(digits);
    if (escape == 'x') {  // one raw byte, possibly not UTF-8
      out += static_cast<char>(value);
      return true;
    }
    if (!is_valid_rune(value)) return false;
    append_rune(out, value);
    return true;
  }
  if (escape >= '0' && escape <= '7') {
    if (rest.size() < 2) return false;
    std::uint32_t value = static_cast<std::uint32_t>(escape - '0');
    for (int i = 0; i < 2; ++i) {
      if (rest[i] < '0' || rest[i] > '7') return false;
      value = value << 3 | static_cast<std::uint32_t>(rest[i] - '0');
    }
    rest.remove_prefix(2);
    if (value > 255) return false;
    out += static_cast<char>(value);
    return true;
  }
  return false;  // includes \' which a double-quoted literal may not use
}

}  // namespace

DecodedRune decode_rune(std::string_view text) {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte_at(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t size = 0;
  char32_t rune = 0;
  char32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    size = 2, rune = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    size = 3, rune = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    size = 4, rune = lead & 0x07, minimum = 0x10000;
  } else {
    return {kRuneError, 1};
  }
  if (text.size() < size) return {kRuneError, 1};
  for (std::size_t i = 1; i < size; ++i) {
    if (!is_continuation(byte_at(i))) return {kRuneError, 1};
    rune = rune << 6 | (byte_at(i) & 0x3F);
  }
  if (rune < minimum || !is_valid_rune(rune)) return {kRuneError, 1};
  return {rune, size};
}

void append_rune(std::string& out, char32_t rune) {
  if (!is_valid_rune(rune)) rune = kRuneError;
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

bool is_fmt_space(char32_t rune) {
  switch (rune) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return rune >= 0x2000 && rune <= 0x200A;
  }
}

std::string_view trim_space(std::string_view text) {
  constexpr std::string_view kAsciiSpace = " \t\n\v\f\r";
  const std::size_t first = text.find_first_not_of(kAsciiSpace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kAsciiSpace);
  return text.substr(first, last - first + 1);
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    const DecodedRune decoded = decode_rune(text);
    if (decoded.rune == kRuneError && decoded.size == 1) {
      out += "\\x";
      append_hex_digits(out, static_cast<unsigned char>(text[0]), 2);
    } else {
      append_escaped_rune(out, decoded.rune);
    }
    text.remove_prefix(decoded.size);
  }
  out += '"';
  return out;
}

std::string time_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || byte < ' ') {
      out += "\\x";
      append_hex_digits(out, byte, 2);
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<std::string> unquote(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return std::nullopt;
  std::string_view rest = literal.substr(1);
  std::string out;
  while (!rest.empty() && rest[0] != '"') {
    if (rest[0] == '\n') return std::nullopt;
    if (!unquote_one(rest, out)) return std::nullopt;
  }
  // The closing quote must be the literal's last byte.
  if (rest.size() != 1) return std::nullopt;
  return out;
}

std::string hex_escaped(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 4);
  for (const char c : bytes) {
    out += "\\x";
    append_hex_digits(out, static_cast<unsigned char>(c), 2);
  }
  return out;
}

std::string lower_hex(std::uint64_t value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), kLowerHex[value & 0xF]);
    value >>= 4;
  } while (value != 0);
  return digits;
}

}  // namespace synod::ctl::go
