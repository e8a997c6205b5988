#pragma once
// The flags every synodctl command takes, named and defaulted as etcdctl's, and read from the
// same ETCDCTL_* environment variables when not given. Durations are Go durations ("2s",
// "500ms", "1m30s") read as pflag reads them, with pflag's message when they do not parse.
#include <chrono>
#include <string>
#include <vector>

#include "ctl/ctl_error.h"

namespace CLI {
class App;
}

namespace synod::ctl {

struct GlobalFlags {
  std::vector<std::string> endpoints{"127.0.0.1:2379"};
  std::string dial_timeout = "2s";
  std::string command_timeout = "5s";
  std::string write_out = "simple";
  bool hex = false;
};

void add_global_flags(CLI::App& app, GlobalFlags& flags);

// The global flags once read: what a command needs to reach the cluster and print.
struct Session {
  std::vector<std::string> endpoints;  // as given, white space trimmed
  std::chrono::nanoseconds dial_timeout{0};
  std::chrono::nanoseconds command_timeout{0};
  std::string write_out;  // checked by the command, after its own arguments, as etcdctl does
  bool hex = false;
};

Outcome<Session> resolve_session(const GlobalFlags& flags);

}  // namespace synod::ctl
