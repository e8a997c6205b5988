#pragma once
// `synodctl watch`: etcdctl 3.4's watch command (watch_command.go) over one Watch stream.
//
//   watch [--rev N] [--prefix] [--prev-kv] <key> [range_end]
//   watch -i          then lines "watch [flags] <key> [range_end]" or "progress" on stdin
//
// Output as etcdctl prints a clientv3 WatchResponse: simple (each event's type, then prev_kv and
// kv as key and value lines) or json; "progress notify: <revision>" and "watch was canceled
// (<error>)" lines as etcdctl. A watch the server cancels ends the command with etcdctl's
// "watch is canceled by the server" (exit 5); interactive mode ends at the end of stdin (exit 3).
// Not supported: running a command per event (`-- cmd args`), -w fields/protobuf, and resuming a
// stream that broke (clientv3 reconnects; synodctl reports the error and exits).
#include <string>
#include <vector>

#include "ctl/commands.h"

namespace synod::ctl {

struct WatchFlags {
  std::vector<std::string> arguments;  // <key> [range_end]
  bool interactive = false;
  bool prefix = false;
  bool prev_kv = false;
  int64_t revision = 0;
};

int run_watch(const Session& session, const WatchFlags& flags, CommandIo io);

// One interactive line's flags and arguments (pflag's syntax), or etcdctl's error.
Outcome<WatchFlags> parse_watch_line(const std::vector<std::string>& words);

// The create request etcdctl's getWatchChan makes, or its error.
Outcome<etcdserverpb::WatchCreateRequest> watch_create_request(const WatchFlags& flags);

// What etcdctl prints for one response, in simple or json form, on `out` and `err`.
void print_watch_response(const etcdserverpb::WatchResponse& response, bool json, bool hex,
                          std::ostream& out, std::ostream& err);

}  // namespace synod::ctl
