#pragma once
// Go's text conventions, reproduced where etcdctl's output or error messages depend on them:
// strconv's quoting and number parsing, time.ParseDuration, fmt's notion of space, UTF-8
// decoding with U+FFFD for bad bytes, and go-humanize's byte sizes. Each function names the Go
// function it mirrors; synodctl must print what etcdctl prints, byte for byte.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ctl/ctl_error.h"

namespace synod::ctl::go {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune = kRuneError;
  std::size_t size = 0;  // bytes consumed; 1 for an invalid byte (rune is then kRuneError)
};

// utf8.DecodeRuneInString. `text` must not be empty.
DecodedRune decode_rune(std::string_view text);
// utf8.EncodeRune (invalid runes become U+FFFD).
void append_rune(std::string& out, char32_t rune);

// fmt's isSpace: the Unicode spaces its scanner skips.
bool is_fmt_space(char32_t rune);
// strings.TrimSpace on ASCII white space (\t \n \v \f \r and ' ').
std::string_view trim_space(std::string_view text);

// strconv.Quote: a double-quoted Go literal (what fmt's %q prints for a string). unicode.IsPrint
// is approximated for code points beyond Latin-1: controls, format characters, non-ASCII spaces,
// separators and private use are escaped; unassigned code points are treated as printable.
std::string quote(std::string_view text);
// The quoting time.ParseDuration uses in its errors: non-ASCII and control bytes as \xNN.
std::string time_quote(std::string_view text);
// strconv.Unquote for a double-quoted literal; nullopt where Go reports "invalid syntax".
std::optional<std::string> unquote(std::string_view literal);

// strconv.ParseInt(text, base, 64); the error text is Go's, e.g.
// `strconv.ParseInt: parsing "abc": invalid syntax`. base 0 takes 0x/0o/0b/0 prefixes and '_'.
Outcome<std::int64_t> parse_int64(std::string_view text, int base);
// strconv.ParseBool.
Outcome<bool> parse_bool(std::string_view text);
// time.ParseDuration, in nanoseconds.
Outcome<std::int64_t> parse_duration_nanos(std::string_view text);

// humanize.Bytes: SI units, e.g. 20480 -> "20 kB".
std::string humanize_bytes(std::uint64_t bytes);
// etcdctl --hex: every byte as \xNN, lower case.
std::string hex_escaped(std::string_view bytes);
// fmt's %x of an unsigned integer: lower-case hex, no padding.
std::string lower_hex(std::uint64_t value);

}  // namespace synod::ctl::go
