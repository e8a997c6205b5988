// Global flags: registration and reading.
#include "ctl/global_flags.h"

#include <CLI/CLI.hpp>

#include "ctl/go_text.h"
#include "ctl/kv_requests.h"

namespace synod::ctl {
namespace {

Outcome<std::chrono::nanoseconds> parse_duration_flag(const std::string& value,
                                                      const std::string& flag_name) {
  const Outcome<std::int64_t> nanos = go::parse_duration_nanos(value);
  if (!nanos.ok())
    return general_error(invalid_flag_value(value, flag_name, nanos.error().message));
  return std::chrono::nanoseconds(nanos.value());
}

}  // namespace

void add_global_flags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--endpoints", flags.endpoints, "gRPC endpoints (comma separated)")
      ->delimiter(',')
      ->allow_extra_args(false)  // one list per --endpoints, as pflag; repeats add to it
      ->capture_default_str()
      ->envname("ETCDCTL_ENDPOINTS");
  app.add_option("--dial-timeout", flags.dial_timeout, "dial timeout for client connections")
      ->capture_default_str()
      ->envname("ETCDCTL_DIAL_TIMEOUT");
  app.add_option("--command-timeout", flags.command_timeout,
                 "timeout for short running command (excluding dial timeout)")
      ->capture_default_str()
      ->envname("ETCDCTL_COMMAND_TIMEOUT");
  app.add_option("-w,--write-out", flags.write_out,
                 "set the output format (fields, json, protobuf, simple, table)")
      ->capture_default_str()
      ->envname("ETCDCTL_WRITE_OUT");
  app.add_flag("--hex", flags.hex, "print byte strings as hex encoded strings")
      ->envname("ETCDCTL_HEX");
}

Outcome<Session> resolve_session(const GlobalFlags& flags) {
  Session session;
  for (const std::string& endpoint : flags.endpoints) {
    session.endpoints.emplace_back(go::trim_space(endpoint));
  }
  Outcome<std::chrono::nanoseconds> dial =
      parse_duration_flag(flags.dial_timeout, "--dial-timeout");
  if (!dial.ok()) return dial.error();
  Outcome<std::chrono::nanoseconds> command =
      parse_duration_flag(flags.command_timeout, "--command-timeout");
  if (!command.ok()) return command.error();
  session.dial_timeout = dial.value();
  session.command_timeout = command.value();
  session.write_out = flags.write_out;
  session.hex = flags.hex;
  return session;
}

}  // namespace synod::ctl
