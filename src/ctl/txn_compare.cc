// Compare lines: etcdctl's parseCompare, including the exact behaviour of the
// fmt.Sscanf(rest, "%q) %s %q", &key, &op, &val) call it relies on.
#include <optional>

#include "ctl/go_text.h"
#include "ctl/txn_parser.h"

namespace synod::ctl {
namespace {

constexpr char32_t kEndOfInput = 0xFFFFFFFF;

// fmt's scanner over a string: runes, with bytes that are not UTF-8 read as U+FFFD.
class RuneScanner {
 public:
  explicit RuneScanner(std::string_view input) : rest_(input) {}

  char32_t peek() const { return rest_.empty() ? kEndOfInput : go::decode_rune(rest_).rune; }
  char32_t next() {
    if (rest_.empty()) return kEndOfInput;
    const go::DecodedRune decoded = go::decode_rune(rest_);
    rest_.remove_prefix(decoded.size);
    return decoded.rune;
  }
  void skip_spaces() {
    while (peek() != kEndOfInput && go::is_fmt_space(peek())) next();
  }

 private:
  std::string_view rest_;
};

// %q: a double-quoted Go literal (unquoted) or a back-quoted raw string.
std::optional<std::string> scan_quoted(RuneScanner& scanner) {
  scanner.skip_spaces();
  const char32_t quote = scanner.next();
  std::string text;
  if (quote == '`') {
    for (char32_t rune = scanner.next(); rune != '`'; rune = scanner.next()) {
      if (rune == kEndOfInput) return std::nullopt;
      go::append_rune(text, rune);
    }
    return text;
  }
  if (quote != '"') return std::nullopt;
  text += '"';
  for (;;) {
    const char32_t rune = scanner.next();
    if (rune == kEndOfInput) return std::nullopt;
    go::append_rune(text, rune);
    if (rune == '\\') {
      // Only the character right after a backslash can be a quote that does not end it.
      const char32_t escaped = scanner.next();
      if (escaped == kEndOfInput) return std::nullopt;
      go::append_rune(text, escaped);
    } else if (rune == '"') {
      break;
    }
  }
  return go::unquote(text);
}

// %s: the next run of non-space runes.
std::optional<std::string> scan_word(RuneScanner& scanner) {
  scanner.skip_spaces();
  if (scanner.peek() == kEndOfInput) return std::nullopt;
  std::string word;
  while (scanner.peek() != kEndOfInput && !go::is_fmt_space(scanner.peek())) {
    go::append_rune(word, scanner.next());
  }
  return word;
}

// A lone space in a Sscanf format: one or more spaces, or the end of the input.
bool scan_format_space(RuneScanner& scanner) {
  if (scanner.peek() != kEndOfInput && !go::is_fmt_space(scanner.peek())) return false;
  scanner.skip_spaces();
  return true;
}

struct ScannedCompare {
  int fields_scanned = 0;  // Sscanf's n
  std::string key;
  std::string op;
  std::string value;
};

ScannedCompare scan_compare_operands(std::string_view rest) {
  ScannedCompare scanned;
  RuneScanner scanner(rest);
  std::optional<std::string> key = scan_quoted(scanner);
  if (!key) return scanned;
  scanned.key = std::move(*key);
  scanned.fields_scanned = 1;
  if (scanner.next() != ')' || !scan_format_space(scanner)) return scanned;
  std::optional<std::string> op = scan_word(scanner);
  if (!op) return scanned;
  scanned.op = std::move(*op);
  scanned.fields_scanned = 2;
  if (!scan_format_space(scanner)) return scanned;
  std::optional<std::string> value = scan_quoted(scanner);
  if (!value) return scanned;
  scanned.value = std::move(*value);
  scanned.fields_scanned = 3;
  return scanned;
}

std::optional<etcdserverpb::Compare::CompareResult> parse_operator(std::string_view op) {
  if (op == "=") return etcdserverpb::Compare::EQUAL;
  if (op == "!=") return etcdserverpb::Compare::NOT_EQUAL;
  if (op == ">") return etcdserverpb::Compare::GREATER;
  if (op == "<") return etcdserverpb::Compare::LESS;
  return std::nullopt;
}

}  // namespace

Outcome<etcdserverpb::Compare> parse_compare(std::string_view line) {
  const std::string text(line);
  const std::size_t paren = line.find('(');
  if (paren == std::string_view::npos) return invalid_input("malformed comparison: " + text);
  const std::string target(line.substr(0, paren));
  const ScannedCompare scanned = scan_compare_operands(line.substr(paren + 1));
  if (scanned.fields_scanned != 3) {
    return invalid_input("malformed comparison: " + text + "; got " + target + "(" +
                         go::quote(scanned.key) + ") " + scanned.op + " " +
                         go::quote(scanned.value));
  }
  const CtlError invalid_request = invalid_input("invalid txn compare request: " + text);
  etcdserverpb::Compare compare;
  compare.set_key(scanned.key);
  std::optional<std::int64_t> number;
  if (target == "ver" || target == "version" || target == "c" || target == "create" ||
      target == "m" || target == "mod") {
    const Outcome<std::int64_t> parsed = go::parse_int64(scanned.value, 10);
    if (!parsed.ok()) return invalid_request;
    number = parsed.value();
  } else if (target == "lease") {
    const Outcome<std::int64_t> parsed = go::parse_int64(scanned.value, 16);
    if (!parsed.ok()) return invalid_request;
    number = parsed.value();
  } else if (target != "val" && target != "value") {
    return invalid_input("malformed comparison: " + text + " (unknown target " + target + ")");
  }
  const std::optional<etcdserverpb::Compare::CompareResult> result = parse_operator(scanned.op);
  if (!result) {
    return invalid_input("malformed comparison: " + text + " (unknown operator " +
                         go::quote(scanned.op) + ")");
  }
  compare.set_result(*result);
  if (target == "ver" || target == "version") {
    compare.set_target(etcdserverpb::Compare::VERSION);
    compare.set_version(*number);
  } else if (target == "c" || target == "create") {
    compare.set_target(etcdserverpb::Compare::CREATE);
    compare.set_create_revision(*number);
  } else if (target == "m" || target == "mod") {
    compare.set_target(etcdserverpb::Compare::MOD);
    compare.set_mod_revision(*number);
  } else if (target == "lease") {
    compare.set_target(etcdserverpb::Compare::LEASE);
    compare.set_lease(*number);
  } else {
    compare.set_target(etcdserverpb::Compare::VALUE);
    compare.set_value(scanned.value);
  }
  return compare;
}

}  // namespace synod::ctl
