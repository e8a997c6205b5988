#include "ctl/watch_command.h"

#include <grpcpp/grpcpp.h>

#include <istream>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "ctl/command_support.h"
#include "ctl/go_json.h"
#include "ctl/go_text.h"
#include "ctl/kv_requests.h"
#include "ctl/txn_parser.h"

namespace synod::ctl {
namespace {

constexpr const char* kCompacted = "etcdserver: mvcc: required revision has been compacted";
constexpr const char* kFutureRevision = "etcdserver: mvcc: required revision is a future revision";

// clientv3.WatchResponse.Err() for a canceled response.
std::string cancel_error(const etcdserverpb::WatchResponse& response) {
  if (response.compact_revision() != 0) return kCompacted;
  if (!response.cancel_reason().empty()) {
    return "rpc error: code = FailedPrecondition desc = " + response.cancel_reason();
  }
  return kFutureRevision;
}

bool is_progress_notify(const etcdserverpb::WatchResponse& response) {
  return response.events_size() == 0 && !response.canceled() && !response.created() &&
         response.compact_revision() == 0 && response.header().revision() != 0;
}

Outcome<bool> parse_bool(const std::string& flag, const std::string& text) {
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" || text == "True")
    return true;
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" || text == "False")
    return false;
  return bad_args("invalid argument \"" + text + "\" for \"" + flag + "\" flag: strconv.ParseBool: parsing " +
                  go::quote(text) + ": invalid syntax");
}

// The stream: one reader (this thread or the response thread), one writer.
using Stream = grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>;

// Reads responses until the stream ends or (`stop_when_canceled`) a watch is canceled; true when
// a watch was canceled.
bool print_responses(Stream& stream, bool json, bool hex, bool stop_when_canceled,
                     std::mutex& output_mutex, CommandIo io) {
  std::set<int64_t> watching;
  etcdserverpb::WatchResponse response;
  while (stream.Read(&response)) {
    std::lock_guard lock(output_mutex);
    if (response.created()) {  // clientv3 delivers no created response
      if (!response.canceled()) {
        watching.insert(response.watch_id());
      } else {  // a refused create: clientv3 reports the reason alone
        io.err << "watch was canceled (" << response.cancel_reason() << ")\n";
        io.err.flush();
        if (stop_when_canceled) return true;
      }
      continue;
    }
    if (response.watch_id() == -1 && is_progress_notify(response)) {
      for (std::size_t i = 0; i < watching.size(); ++i)  // clientv3 broadcasts it to every watch
        print_watch_response(response, json, hex, io.out, io.err);
      continue;
    }
    print_watch_response(response, json, hex, io.out, io.err);
    if (response.canceled()) {
      watching.erase(response.watch_id());
      if (stop_when_canceled) return true;
    }
  }
  return false;
}

int run_interactive(const Session& session, bool json, Stream& stream,
                    grpc::ClientContext& context, CommandIo io) {
  std::mutex output_mutex;
  std::thread reader([&] { print_responses(stream, json, session.hex, false, output_mutex, io); });
  auto finish = [&](const CtlError& error) {
    context.TryCancel();
    reader.join();
    std::lock_guard lock(output_mutex);
    return report(error, io.err);
  };
  std::string line;
  while (std::getline(io.in, line)) {
    Outcome<std::vector<std::string>> words = split_request_line(line);
    auto invalid = [&](const std::string& why) {
      std::lock_guard lock(output_mutex);
      io.err << "Invalid command " << line << " (" << why << ")\n";
      io.err.flush();
    };
    if (!words.ok() || words.value().empty()) {
      std::lock_guard lock(output_mutex);
      io.err << "Invalid command: " << line << " (watch and progress supported)\n";
      continue;
    }
    const std::string& command = words.value()[0];
    etcdserverpb::WatchRequest request;
    if (command == "progress") {
      request.mutable_progress_request();
    } else if (command == "watch") {
      if (words.value().size() < 2) {
        invalid("command type or key is not provided");
        continue;
      }
      Outcome<WatchFlags> flags = parse_watch_line(words.value());
      if (!flags.ok()) return finish(flags.error());
      Outcome<etcdserverpb::WatchCreateRequest> create = watch_create_request(flags.value());
      if (!create.ok()) {
        invalid(create.error().message);
        continue;
      }
      *request.mutable_create_request() = std::move(create).value();
    } else {
      invalid("only support watch");
      continue;
    }
    if (!stream.Write(request)) return finish(general_error("watch stream closed"));
  }
  return finish(invalid_input("Error reading watch request line: EOF"));
}

}  // namespace

Outcome<WatchFlags> parse_watch_line(const std::vector<std::string>& words) {
  WatchFlags flags;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() < 2 || word[0] != '-') {
      flags.arguments.push_back(word);
      continue;
    }
    if (word == "--") {
      return bad_args("running a command per event (-- command) is not supported by synodctl");
    }
    std::size_t equals = word.find('=');
    std::string name = word.substr(0, equals);
    std::optional<std::string> value;
    if (equals != std::string::npos) value = word.substr(equals + 1);
    if (name == "--prefix" || name == "--prev-kv" || name == "-i" || name == "--interactive") {
      bool set = true;
      if (value) {
        Outcome<bool> parsed = parse_bool(name.substr(name.rfind('-') + 1), *value);
        if (!parsed.ok()) return parsed.error();
        set = parsed.value();
      }
      if (name == "--prefix") flags.prefix = set;
      if (name == "--prev-kv") flags.prev_kv = set;
      if (name == "-i" || name == "--interactive") flags.interactive = set;
      continue;
    }
    if (name == "--rev") {
      if (!value) {
        if (i + 1 >= words.size()) return bad_args("flag needs an argument: --rev");
        value = words[++i];
      }
      try {
        std::size_t used = 0;
        flags.revision = std::stoll(*value, &used, 0);
        if (used != value->size()) throw std::invalid_argument(*value);
      } catch (const std::exception&) {
        return bad_args("invalid argument " + go::quote(*value) +
                        " for \"--rev\" flag: strconv.ParseInt: parsing " + go::quote(*value) +
                        ": invalid syntax");
      }
      continue;
    }
    if (name.rfind("--", 0) == 0) return bad_args("unknown flag: " + name);
    return bad_args("unknown shorthand flag: '" + name.substr(1, 1) + "' in " + word);
  }
  if (flags.arguments.empty()) return bad_args("bad number of arguments");
  return flags;
}

Outcome<etcdserverpb::WatchCreateRequest> watch_create_request(const WatchFlags& flags) {
  if (flags.arguments.empty()) return bad_args("bad number of arguments");
  etcdserverpb::WatchCreateRequest create;
  std::string key = flags.arguments[0];
  std::string range_end;
  if (flags.arguments.size() == 2) {
    if (flags.prefix) return bad_args("`range_end` and `--prefix` are mutually exclusive");
    range_end = flags.arguments[1];
  }
  if (flags.prefix) {
    if (key.empty()) {
      key = std::string(1, '\0');
      range_end = std::string(1, '\0');
    } else {
      range_end = prefix_range_end(key);
    }
  }
  create.set_key(key);
  create.set_range_end(range_end);
  create.set_start_revision(flags.revision);
  create.set_prev_kv(flags.prev_kv);
  return create;
}

void print_watch_response(const etcdserverpb::WatchResponse& response, bool json, bool hex,
                          std::ostream& out, std::ostream& err) {
  if (response.canceled()) err << "watch was canceled (" << cancel_error(response) << ")\n";
  if (is_progress_notify(response)) out << "progress notify: " << response.header().revision() << '\n';
  if (json) {
    // encoding/json of clientv3.WatchResponse: Header, Events, CompactRevision, Canceled, Created.
    std::string text = "{\"Header\":";
    go::append_message_json(text, response.header());
    text += ",\"Events\":";
    if (response.events_size() == 0) {
      text += "null";
    } else {
      text += '[';
      for (int i = 0; i < response.events_size(); ++i) {
        if (i > 0) text += ',';
        go::append_message_json(text, response.events(i));
      }
      text += ']';
    }
    text += ",\"CompactRevision\":" + std::to_string(response.compact_revision());
    text += std::string(",\"Canceled\":") + (response.canceled() ? "true" : "false");
    text += std::string(",\"Created\":") + (response.created() ? "true" : "false") + "}\n";
    out << text;
  } else {
    auto print_kv = [&](const mvccpb::KeyValue& kv) {
      out << (hex ? go::hex_escaped(kv.key()) : kv.key()) << '\n';
      out << (hex ? go::hex_escaped(kv.value()) : kv.value()) << '\n';
    };
    for (const mvccpb::Event& event : response.events()) {
      out << (event.type() == mvccpb::Event::DELETE ? "DELETE" : "PUT") << '\n';
      if (event.has_prev_kv()) print_kv(event.prev_kv());
      print_kv(event.kv());
    }
  }
  out.flush();
  err.flush();
}

int run_watch(const Session& session, const WatchFlags& flags, CommandIo io) {
  Outcome<etcdserverpb::WatchCreateRequest> create = etcdserverpb::WatchCreateRequest{};
  if (!flags.interactive) {
    create = watch_create_request(flags);
    if (!create.ok()) return report(create.error(), io.err);
  }
  Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return report(format.error(), io.err);
  if (format.value() != OutputFormat::kSimple && format.value() != OutputFormat::kJson) {
    return report(bad_feature(std::string(output_format_name(format.value())) +
                              " is not supported as output format by synodctl watch"),
                  io.err);
  }
  const bool json = format.value() == OutputFormat::kJson;
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  auto stub = etcdserverpb::Watch::NewStub(client.value()->channel());
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub->Watch(&context);
  if (flags.interactive) return run_interactive(session, json, *stream, context, io);

  etcdserverpb::WatchRequest request;
  *request.mutable_create_request() = create.value();
  std::mutex output_mutex;
  if (stream->Write(request)) print_responses(*stream, json, session.hex, true, output_mutex, io);
  context.TryCancel();
  return report(CtlError{ExitCode::kInterrupted, "watch is canceled by the server"}, io.err);
}

}  // namespace synod::ctl
