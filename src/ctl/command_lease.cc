#include "ctl/command_lease.h"

#include <chrono>
#include <thread>

#include "ctl/command_support.h"
#include "ctl/go_text.h"
#include "ctl/lease_client.h"
#include "ctl/lease_printer.h"

namespace synod::ctl {
namespace {

CtlError bad_connection(const CtlError& error) { return {ExitCode::kBadConnection, error.message}; }

// etcdctl's leaseFromArgs.
Outcome<int64_t> lease_from_argument(const std::string& argument) {
  const Outcome<int64_t> id = go::parse_int64(argument, 16);
  if (!id.ok()) return bad_args("bad lease ID arg (" + id.error().message + "), expecting ID in Hex");
  return id.value();
}

// etcdctl's table printer has nothing for leases; the other formats are lease_printer's.
Outcome<OutputFormat> lease_output_format(const Session& session) {
  const Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return format.error();
  if (format.value() == OutputFormat::kTable)
    return bad_feature(std::string(output_format_name(format.value())) + " not supported as output format");
  return format;
}

Outcome<LeaseClient> connect_lease_client(const Session& session) {
  Outcome<std::unique_ptr<EtcdClient>> client = EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return client.error();
  return LeaseClient(client.value()->channel(), timeouts_of(session));
}

// Go's "%v" of a []string: the strings side by side in brackets.
std::string go_string_list(const etcdserverpb::LeaseTimeToLiveResponse& response) {
  std::string text = "[";
  for (int i = 0; i < response.keys_size(); ++i) {
    if (i > 0) text += ' ';
    text += response.keys(i);
  }
  return text + "]";
}

}  // namespace

std::string lease_id_hex(int64_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const bool negative = id < 0;
  uint64_t magnitude = negative ? ~static_cast<uint64_t>(id) + 1 : static_cast<uint64_t>(id);
  std::string digits;
  do {
    digits.insert(digits.begin(), kDigits[magnitude & 0xf]);
    magnitude >>= 4;
  } while (magnitude != 0);
  const size_t width = negative ? 15 : 16;
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return negative ? "-" + digits : digits;
}

int run_lease_grant(const Session& session, const LeaseFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) return report(bad_args("lease grant command needs TTL argument"), io.err);
  const Outcome<int64_t> ttl = go::parse_int64(flags.arguments[0], 10);
  if (!ttl.ok()) return report(bad_args("bad TTL (" + ttl.error().message + ")"), io.err);
  const Outcome<OutputFormat> format = lease_output_format(session);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<LeaseClient> client = connect_lease_client(session);
  if (!client.ok()) return report(client.error(), io.err);
  const auto response = client.value().grant(ttl.value());
  if (!response.ok())
    return report(general_error("failed to grant lease (" + response.error().message + ")"), io.err);
  if (format.value() != OutputFormat::kSimple) {
    print_lease_grant(format.value(), response.value(), io.out);
    return 0;
  }
  io.out << "lease " << lease_id_hex(response.value().id()) << " granted with TTL("
         << response.value().ttl() << "s)\n";
  return 0;
}

int run_lease_revoke(const Session& session, const LeaseFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) return report(bad_args("lease revoke command needs 1 argument"), io.err);
  const Outcome<int64_t> id = lease_from_argument(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  const Outcome<OutputFormat> format = lease_output_format(session);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<LeaseClient> client = connect_lease_client(session);
  if (!client.ok()) return report(client.error(), io.err);
  const auto response = client.value().revoke(id.value());
  if (!response.ok())
    return report(general_error("failed to revoke lease (" + response.error().message + ")"), io.err);
  if (format.value() != OutputFormat::kSimple) {
    if (MaybeError refused = print_lease_revoke(format.value(), response.value(), io.out))
      return report(*refused, io.err);
    return 0;
  }
  io.out << "lease " << lease_id_hex(id.value()) << " revoked\n";
  return 0;
}

int run_lease_time_to_live(const Session& session, const LeaseFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1)
    return report(bad_args("lease timetolive command needs lease ID as argument"), io.err);
  const Outcome<int64_t> id = lease_from_argument(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  const Outcome<OutputFormat> format = lease_output_format(session);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<LeaseClient> client = connect_lease_client(session);
  if (!client.ok()) return report(bad_connection(client.error()), io.err);
  const auto response = client.value().time_to_live(id.value(), flags.keys);
  if (!response.ok()) return report(bad_connection(response.error()), io.err);
  const etcdserverpb::LeaseTimeToLiveResponse& answer = response.value();
  if (format.value() != OutputFormat::kSimple) {
    print_lease_time_to_live(format.value(), answer, io.out);
    return 0;
  }
  if (answer.grantedttl() == 0 && answer.ttl() == -1) {
    io.out << "lease " << lease_id_hex(answer.id()) << " already expired\n";
    return 0;
  }
  io.out << "lease " << lease_id_hex(answer.id()) << " granted with TTL(" << answer.grantedttl()
         << "s), remaining(" << answer.ttl() << "s)";
  if (flags.keys) io.out << ", attached keys(" << go_string_list(answer) << ")";
  io.out << "\n";
  return 0;
}

int run_lease_list(const Session& session, const LeaseFlags& flags, CommandIo io) {
  (void)flags;  // etcdctl ignores arguments here
  const Outcome<OutputFormat> format = lease_output_format(session);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<LeaseClient> client = connect_lease_client(session);
  if (!client.ok()) return report(bad_connection(client.error()), io.err);
  const auto response = client.value().leases();
  if (!response.ok()) return report(bad_connection(response.error()), io.err);
  if (format.value() != OutputFormat::kSimple) {
    print_lease_list(format.value(), response.value(), io.out);
    return 0;
  }
  io.out << "found " << response.value().leases_size() << " leases\n";
  for (const etcdserverpb::LeaseStatus& lease : response.value().leases())
    io.out << lease_id_hex(lease.id()) << "\n";
  return 0;
}

// Without --once: renew every TTL/3 (clientv3's rhythm) until the lease is gone.
int run_lease_keep_alive(const Session& session, const LeaseFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1)
    return report(bad_args("lease keep-alive command needs lease ID as argument"), io.err);
  const Outcome<int64_t> id = lease_from_argument(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  const Outcome<OutputFormat> format = lease_output_format(session);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<LeaseClient> client = connect_lease_client(session);
  if (!client.ok()) return report(bad_connection(client.error()), io.err);
  for (;;) {
    const auto response = client.value().keep_alive_once(id.value());
    if (!response.ok()) {
      if (flags.once) return report(bad_connection(response.error()), io.err);
      // etcdctl says so with its simple printer only.
      if (format.value() == OutputFormat::kSimple) io.out << "lease " << lease_id_hex(id.value()) << " expired or revoked.\n";
      return 0;
    }
    if (format.value() == OutputFormat::kSimple)
      io.out << "lease " << lease_id_hex(response.value().id()) << " keepalived with TTL("
             << response.value().ttl() << ")\n";
    else
      print_lease_keep_alive(format.value(), response.value(), io.out);
    io.out.flush();
    if (flags.once) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(response.value().ttl() * 1000 / 3));
  }
}

}  // namespace synod::ctl
