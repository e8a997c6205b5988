// Request lines and the section structure of etcdctl's txn input.
#include "ctl/txn_parser.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "ctl/go_text.h"
#include "ctl/kv_requests.h"

namespace synod::ctl {
namespace {

// Go's regexp \s, which argify's pattern uses: [\t\n\f\r ].
bool is_regexp_space(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

// argify's `"(?:[^"\\]|\\.)*"` at `start`: the end of the match, or npos.
std::size_t match_double_quoted(std::string_view line, std::size_t start) {
  for (std::size_t i = start + 1; i < line.size(); ++i) {
    if (line[i] == '"') return i + 1;
    if (line[i] == '\\') {
      // `.` matches any character but a newline.
      if (i + 1 >= line.size() || line[i + 1] == '\n') return std::string_view::npos;
      ++i;
    }
  }
  return std::string_view::npos;
}

// A put without a value in a txn cannot read stdin: stdin holds the transaction itself.
std::string no_stdin() { return {}; }

struct RequestLineCommands {
  CLI::App app{"txn request"};
  PutFlags put;
  GetFlags get;
  DeleteFlags del;
  CLI::App* put_command = nullptr;
  CLI::App* get_command = nullptr;
  CLI::App* del_command = nullptr;

  RequestLineCommands() {
    put_command = app.add_subcommand("put");
    get_command = app.add_subcommand("get");
    del_command = app.add_subcommand("del");
    add_put_flags(*put_command, put);
    add_get_flags(*get_command, get);
    add_delete_flags(*del_command, del);
    app.require_subcommand(1);
  }
};

Outcome<etcdserverpb::RequestOp> request_from_commands(const RequestLineCommands& commands,
                                                       const CtlError& invalid_request) {
  etcdserverpb::RequestOp op;
  if (commands.put_command->parsed()) {
    Outcome<etcdserverpb::PutRequest> put = build_put_request(commands.put, no_stdin);
    if (!put.ok()) return put.error();
    *op.mutable_request_put() = std::move(put).value();
  } else if (commands.get_command->parsed()) {
    const Outcome<GetNumbers> numbers = parse_get_numbers(commands.get);
    if (!numbers.ok()) return invalid_request;  // a flag error: cobra fails the whole line
    Outcome<etcdserverpb::RangeRequest> get = build_range_request(commands.get, numbers.value());
    if (!get.ok()) return get.error();
    *op.mutable_request_range() = std::move(get).value();
  } else {
    Outcome<etcdserverpb::DeleteRangeRequest> del = build_delete_request(commands.del);
    if (!del.ok()) return del.error();
    *op.mutable_request_delete_range() = std::move(del).value();
  }
  return op;
}

// bufio.Reader.ReadString('\n'): a line that the input ends before its newline is an error.
Outcome<std::string> read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line) || in.eof()) return invalid_input("EOF");
  return line;
}

}  // namespace

Outcome<std::vector<std::string>> split_request_line(std::string_view line) {
  std::vector<std::string> words;
  std::size_t position = 0;
  while (position < line.size()) {
    const char c = line[position];
    if (c == '"') {
      const std::size_t end = match_double_quoted(line, position);
      if (end != std::string_view::npos) {
        std::optional<std::string> word = go::unquote(line.substr(position, end - position));
        if (!word) return invalid_input("invalid syntax");
        words.push_back(std::move(*word));
        position = end;
        continue;
      }
    } else if (c == '\'') {
      const std::size_t end = line.find('\'', position + 1);
      if (end != std::string_view::npos) {
        words.emplace_back(line.substr(position + 1, end - position - 1));
        position = end + 1;
        continue;
      }
    } else if (!is_regexp_space(c)) {
      // `[^'"\s]\S*[^'"\s]?`: a bare word runs to the next space, quotes included.
      std::size_t end = position + 1;
      while (end < line.size() && !is_regexp_space(line[end])) ++end;
      words.emplace_back(line.substr(position, end - position));
      position = end;
      continue;
    }
    ++position;  // no match starts here (a space, or a quote that is never closed)
  }
  return words;
}

Outcome<etcdserverpb::RequestOp> parse_request_line(std::string_view line) {
  const std::string text(line);
  Outcome<std::vector<std::string>> words = split_request_line(line);
  if (!words.ok()) return words.error();
  if (words.value().size() < 2) return invalid_input("invalid txn compare request: " + text);
  const CtlError invalid_request = invalid_input("invalid txn request: " + text);
  RequestLineCommands commands;
  std::vector<std::string> arguments = std::move(words).value();
  std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
  try {
    commands.app.parse(arguments);
  } catch (const CLI::Error&) {
    return invalid_request;
  }
  return request_from_commands(commands, invalid_request);
}

namespace {

Outcome<std::vector<etcdserverpb::Compare>> read_compares(std::istream& in) {
  std::vector<etcdserverpb::Compare> compares;
  for (;;) {
    const Outcome<std::string> line = read_line(in);
    if (!line.ok()) return line.error();
    const std::string_view trimmed = go::trim_space(line.value());
    if (trimmed.empty()) return compares;
    Outcome<etcdserverpb::Compare> compare = parse_compare(trimmed);
    if (!compare.ok()) return compare.error();
    compares.push_back(std::move(compare).value());
  }
}

Outcome<std::vector<etcdserverpb::RequestOp>> read_requests(std::istream& in) {
  std::vector<etcdserverpb::RequestOp> requests;
  for (;;) {
    const Outcome<std::string> line = read_line(in);
    if (!line.ok()) return line.error();
    const std::string_view trimmed = go::trim_space(line.value());
    if (trimmed.empty()) return requests;
    Outcome<etcdserverpb::RequestOp> request = parse_request_line(trimmed);
    if (!request.ok()) return request.error();
    requests.push_back(std::move(request).value());
  }
}

void prompt(std::ostream* prompts, const char* text) {
  if (prompts != nullptr) *prompts << text << '\n' << std::flush;
}

}  // namespace

Outcome<etcdserverpb::TxnRequest> read_txn(std::istream& in, std::ostream* prompts) {
  etcdserverpb::TxnRequest txn;
  prompt(prompts, "compares:");
  Outcome<std::vector<etcdserverpb::Compare>> compares = read_compares(in);
  if (!compares.ok()) return compares.error();
  for (etcdserverpb::Compare& compare : compares.value()) *txn.add_compare() = std::move(compare);

  prompt(prompts, "success requests (get, put, del):");
  Outcome<std::vector<etcdserverpb::RequestOp>> success = read_requests(in);
  if (!success.ok()) return success.error();
  for (etcdserverpb::RequestOp& op : success.value()) *txn.add_success() = std::move(op);

  prompt(prompts, "failure requests (get, put, del):");
  Outcome<std::vector<etcdserverpb::RequestOp>> failure = read_requests(in);
  if (!failure.ok()) return failure.error();
  for (etcdserverpb::RequestOp& op : failure.value()) *txn.add_failure() = std::move(op);
  return txn;
}

}  // namespace synod::ctl
