// endpoint hashkv, defrag, move-leader and alarm list|disarm (etcdctl's ep_command.go,
// defrag_command.go, move_leader_command.go, alarm_command.go).
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "ctl/command_support.h"
#include "ctl/go_json.h"
#include "ctl/maintenance_commands.h"
#include "ctl/table_writer.h"

namespace synod::ctl {
namespace {

std::string hex_id(uint64_t id) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(id));
  return buffer;
}

// Go's %v of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& items) {
  std::string text = "[";
  for (size_t i = 0; i < items.size(); ++i) text += (i ? " " : "") + items[i];
  return text + "]";
}

}  // namespace

Outcome<OutputFormat> maintenance_output_format(const Session& session, bool has_table) {
  Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return format;
  switch (format.value()) {
    case OutputFormat::kSimple:
    case OutputFormat::kJson:
      return format;
    case OutputFormat::kTable:
      if (has_table) return format;
      return bad_feature("table not supported as output format");  // etcdctl's words
    default:
      return bad_feature(std::string(output_format_name(format.value())) +
                         " output is not supported by synodctl for this command yet");
  }
}

namespace {

void print_rows(OutputFormat format, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  if (format == OutputFormat::kTable) {
    TableWriter table(header);
    for (const auto& row : rows) table.append_row(row);
    out << table.render();
    return;
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? ", " : "") << row[i];
    out << '\n';
  }
}

void print_alarms(OutputFormat format, const etcdserverpb::AlarmResponse& response,
                  std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << go::message_json(response) << '\n';
    return;
  }
  for (const etcdserverpb::AlarmMember& alarm : response.alarms()) out << alarm_text(alarm) << '\n';
}

}  // namespace

std::string humanize_bytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 10) return std::to_string(bytes) + " B";
  const double exponent = std::floor(std::log(static_cast<double>(bytes)) / std::log(1000.0));
  const double value =
      std::floor(static_cast<double>(bytes) / std::pow(1000.0, exponent) * 10 + 0.5) / 10;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, value < 10 ? "%.1f %s" : "%.0f %s", value,
                kUnits[static_cast<int>(exponent)]);
  return buffer;
}

std::string alarm_text(const etcdserverpb::AlarmMember& alarm) {
  std::string text;
  if (alarm.memberid() != 0) text += "memberID:" + std::to_string(alarm.memberid()) + " ";
  if (alarm.alarm() != etcdserverpb::NONE)
    text += "alarm:" + etcdserverpb::AlarmType_Name(alarm.alarm()) + " ";
  return text;
}

int run_endpoint_hashkv(const Session& session, int64_t revision, CommandIo io) {
  const Outcome<OutputFormat> format = maintenance_output_format(session, true);
  if (!format.ok()) return report(format.error(), io.err);
  std::vector<std::vector<std::string>> rows;
  std::string json = "[";  // etcdctl marshals []epHashKV{Ep `json:"Endpoint"`, Resp `json:"HashKV"`}
  bool any_failed = false;
  for (const std::string& endpoint : session.endpoints) {
    Outcome<std::unique_ptr<EtcdClient>> client =
        EtcdClient::connect({endpoint}, timeouts_of(session));
    if (!client.ok() && client.error().exit_code == ExitCode::kBadArgs)
      return report(client.error(), io.err);
    etcdserverpb::HashKVRequest request;
    request.set_revision(revision);
    Outcome<etcdserverpb::HashKVResponse> hashed =
        client.ok() ? client.value()->hash_kv(request)
                    : Outcome<etcdserverpb::HashKVResponse>(client.error());
    if (!hashed.ok()) {
      io.err << "Failed to get the hash of endpoint " << endpoint << " ("
             << hashed.error().message << ")\n";
      any_failed = true;
      continue;
    }
    rows.push_back({endpoint, std::to_string(hashed.value().hash())});
    json += rows.size() > 1 ? ",{\"Endpoint\":" : "{\"Endpoint\":";
    go::append_json_string(json, endpoint);
    json += ",\"HashKV\":";
    go::append_message_json(json, hashed.value());
    json += '}';
  }
  if (format.value() == OutputFormat::kJson) {
    io.out << json << "]\n";
  } else {
    print_rows(format.value(), {"endpoint", "hash"}, rows, io.out);
  }
  return any_failed ? static_cast<int>(ExitCode::kError) : 0;
}

int run_defrag(const Session& session, CommandIo io) {
  bool any_failed = false;
  for (const std::string& endpoint : session.endpoints) {
    Outcome<std::unique_ptr<EtcdClient>> client =
        EtcdClient::connect({endpoint}, timeouts_of(session));
    if (!client.ok() && client.error().exit_code == ExitCode::kBadArgs)
      return report(client.error(), io.err);
    Outcome<etcdserverpb::DefragmentResponse> done =
        client.ok() ? client.value()->defragment()
                    : Outcome<etcdserverpb::DefragmentResponse>(client.error());
    if (!done.ok()) {
      io.err << "Failed to defragment etcd member[" << endpoint << "] (" << done.error().message
             << ")\n";
      any_failed = true;
      continue;
    }
    io.out << "Finished defragmenting etcd member[" << endpoint << "]\n";
  }
  return any_failed ? static_cast<int>(ExitCode::kError) : 0;
}

int run_move_leader(const Session& session, const std::vector<std::string>& arguments,
                    CommandIo io) {
  if (arguments.size() != 1) return report(bad_args("move-leader command needs 1 argument"), io.err);
  const Outcome<OutputFormat> format = maintenance_output_format(session, false);
  if (!format.ok()) return report(format.error(), io.err);
  uint64_t target = 0;
  {
    const std::string& text = arguments[0];
    char* end = nullptr;
    errno = 0;
    target = std::strtoull(text.c_str(), &end, 16);
    if (text.empty() || *end != '\0' || errno != 0 || text[0] == '-' || text[0] == '+')
      return report(bad_args("strconv.ParseUint: parsing \"" + text + "\": invalid syntax"),
                    io.err);
  }
  // The leader among the endpoints, each asked on its own connection, as etcdctl does.
  std::unique_ptr<EtcdClient> leader_client;
  uint64_t leader_id = 0;
  for (const std::string& endpoint : session.endpoints) {
    Outcome<std::unique_ptr<EtcdClient>> client =
        EtcdClient::connect({endpoint}, timeouts_of(session));
    if (!client.ok()) return report(client.error(), io.err);
    Outcome<etcdserverpb::StatusResponse> status = client.value()->status();
    if (!status.ok()) return report(status.error(), io.err);
    if (status.value().header().member_id() == status.value().leader()) {
      leader_id = status.value().leader();
      leader_client = std::move(client).value();
      break;
    }
  }
  if (leader_client == nullptr)
    return report(bad_args("no leader endpoint given at " + go_list(session.endpoints)), io.err);
  etcdserverpb::MoveLeaderRequest request;
  request.set_targetid(target);
  Outcome<etcdserverpb::MoveLeaderResponse> moved = leader_client->move_leader(request);
  if (!moved.ok()) return report(moved.error(), io.err);
  if (format.value() == OutputFormat::kJson) {
    io.out << go::message_json(moved.value()) << '\n';
  } else {
    io.out << "Leadership transferred from " << hex_id(leader_id) << " to " << hex_id(target)
           << '\n';
  }
  return 0;
}

int run_alarm_list(const Session& session, CommandIo io) {
  const Outcome<OutputFormat> format = maintenance_output_format(session, false);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  etcdserverpb::AlarmRequest request;
  request.set_action(etcdserverpb::AlarmRequest::GET);
  Outcome<etcdserverpb::AlarmResponse> listed = client.value()->alarm(request);
  if (!listed.ok()) return report(listed.error(), io.err);
  print_alarms(format.value(), listed.value(), io.out);
  return 0;
}

// clientv3's AlarmDisarm with an empty member: every listed alarm is deactivated, one request
// each, and the deactivated ones are printed.
int run_alarm_disarm(const Session& session, CommandIo io) {
  const Outcome<OutputFormat> format = maintenance_output_format(session, false);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  etcdserverpb::AlarmRequest request;
  request.set_action(etcdserverpb::AlarmRequest::GET);
  Outcome<etcdserverpb::AlarmResponse> listed = client.value()->alarm(request);
  if (!listed.ok()) return report(listed.error(), io.err);
  etcdserverpb::AlarmResponse disarmed;
  *disarmed.mutable_header() = listed.value().header();
  for (const etcdserverpb::AlarmMember& alarm : listed.value().alarms()) {
    etcdserverpb::AlarmRequest deactivate;
    deactivate.set_action(etcdserverpb::AlarmRequest::DEACTIVATE);
    deactivate.set_memberid(alarm.memberid());
    deactivate.set_alarm(alarm.alarm());
    Outcome<etcdserverpb::AlarmResponse> answer = client.value()->alarm(deactivate);
    if (!answer.ok()) return report(answer.error(), io.err);
    for (const etcdserverpb::AlarmMember& gone : answer.value().alarms())
      *disarmed.add_alarms() = gone;
  }
  print_alarms(format.value(), disarmed, io.out);
  return 0;
}

}  // namespace synod::ctl
