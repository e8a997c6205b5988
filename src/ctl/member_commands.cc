#include "ctl/member_commands.h"

#include <cctype>
#include <cinttypes>
#include <optional>
#include <cstdio>

#include "ctl/command_support.h"
#include "ctl/go_json.h"
#include "ctl/go_text.h"
#include "ctl/table_writer.h"

namespace synod::ctl {
namespace {

// Go's %16x: hexadecimal, padded with spaces to 16 characters.
std::string padded_hex(uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%16" PRIx64, value);
  return buffer;
}

std::string plain_hex(uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%" PRIx64, value);
  return buffer;
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items, const char* separator) {
  std::string out;
  for (int i = 0; i < items.size(); ++i) out += (i > 0 ? separator : "") + items[i];
  return out;
}

// strings.Split(s, ","), as etcdctl splits --peer-urls.
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// Go's url.Parse scheme rule: letters, then letters, digits, '+', '-', '.', up to the first ':'.
// Empty when there is none; nullopt for ":..." (url.Parse's "missing protocol scheme").
std::optional<std::string> url_scheme(const std::string& url) {
  for (size_t i = 0; i < url.size(); ++i) {
    const char c = url[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) return "";
      continue;
    }
    if (c == ':') {
      if (i == 0) return std::nullopt;
      std::string scheme = url.substr(0, i);
      for (char& letter : scheme) letter = static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
      return scheme;
    }
    return "";
  }
  return "";
}

// clientv3's check of peer URLs before MemberAdd and MemberUpdate (types.NewURLs over
// url.Parse), with their texts; url.Parse's rarer failures (bad escapes, control bytes) are not
// reproduced.
MaybeError check_peer_urls(const std::vector<std::string>& urls) {
  for (const std::string& url : urls) {
    const std::optional<std::string> scheme = url_scheme(url);
    if (!scheme) return general_error("parse " + go::quote(url) + ": missing protocol scheme");
    if (scheme->empty() && url.substr(0, url.find('/')).find(':') != std::string::npos)
      return general_error("parse " + go::quote(url) + ": first path segment in URL cannot contain colon");
    if (*scheme != "http" && *scheme != "https" && *scheme != "unix" && *scheme != "unixs")
      return general_error("URL scheme must be http, https, unix, or unixs: " + url);
    const std::string rest = url.substr(scheme->size() + 1);
    std::string host;
    std::string after_host;
    if (rest.rfind("//", 0) == 0) {
      const size_t end = rest.find_first_of("/?#", 2);
      host = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
      if (end != std::string::npos) after_host = rest.substr(end);
    }
    const bool bracketed = !host.empty() && host[0] == '[';
    const size_t colon = host.rfind(':');
    const bool has_port = colon != std::string::npos &&
                          (bracketed ? colon > 0 && host[colon - 1] == ']' : host.find(':') == colon);
    if (!has_port) return general_error("URL address does not have the form \"host:port\": " + url);
    if (!after_host.empty() && after_host[0] == '/')
      return general_error("URL must not contain a path: " + url);
  }
  return std::nullopt;
}

// strconv.ParseUint(arg, 16, 64).
Outcome<uint64_t> parse_member_id(const std::string& text) {
  const CtlError bad = bad_args("bad member ID arg (strconv.ParseUint: parsing " + go::quote(text) +
                                ": invalid syntax), expecting ID in Hex");
  if (text.empty() || text.size() > 16 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return bad;
  return static_cast<uint64_t>(std::stoull(text, nullptr, 16));
}

struct Prepared {
  OutputFormat format;
  std::unique_ptr<EtcdClient> client;
};

Outcome<Prepared> prepare(const Session& session, bool table_allowed) {
  const Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return format.error();
  if (format.value() == OutputFormat::kTable && !table_allowed)
    return bad_feature("table not supported as output format");
  Outcome<std::unique_ptr<EtcdClient>> client = EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return client.error();
  return Prepared{format.value(), std::move(client).value()};
}

void print_fields_header(const etcdserverpb::ResponseHeader& header, std::ostream& out) {
  out << "\"ClusterID\" : " << header.cluster_id() << '\n'
      << "\"MemberID\" : " << header.member_id() << '\n'
      << "\"Revision\" : " << header.revision() << '\n'
      << "\"RaftTerm\" : " << header.raft_term() << '\n';
}

// Everything but simple and table, which each command prints its own way.
template <typename Response>
void print_generic(OutputFormat format, const Response& response, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson: out << go::message_json(response) << '\n'; break;
    case OutputFormat::kProtobuf: out << response.SerializeAsString(); break;
    case OutputFormat::kFields: print_fields_header(response.header(), out); break;
    case OutputFormat::kSimple:
    case OutputFormat::kTable: break;
  }
}

}  // namespace

std::vector<std::string> member_list_header() {
  return {"ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"};
}

std::vector<std::vector<std::string>> member_list_rows(const etcdserverpb::MemberListResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const etcdserverpb::Member& member : response.members()) {
    rows.push_back({plain_hex(member.id()), member.name().empty() ? "unstarted" : "started", member.name(),
                    join(member.peerurls(), ","), join(member.clienturls(), ","),
                    member.islearner() ? "true" : "false"});
  }
  return rows;
}

int run_member_list(const Session& session, CommandIo io) {
  Outcome<Prepared> prepared = prepare(session, /*table_allowed=*/true);
  if (!prepared.ok()) return report(prepared.error(), io.err);
  const Outcome<etcdserverpb::MemberListResponse> response = prepared.value().client->member_list();
  if (!response.ok()) return report(response.error(), io.err);
  const etcdserverpb::MemberListResponse& list = response.value();
  switch (prepared.value().format) {
    case OutputFormat::kSimple:
      for (const auto& row : member_list_rows(list)) {
        for (size_t i = 0; i < row.size(); ++i) io.out << (i > 0 ? ", " : "") << row[i];
        io.out << '\n';
      }
      break;
    case OutputFormat::kTable: {
      TableWriter table(member_list_header());
      for (auto& row : member_list_rows(list)) table.append_row(std::move(row));
      io.out << table.render();
      break;
    }
    case OutputFormat::kFields:
      print_fields_header(list.header(), io.out);
      for (const etcdserverpb::Member& member : list.members()) {
        io.out << "\"ID\" : " << member.id() << '\n' << "\"Name\" : " << go::quote(member.name()) << '\n';
        for (const std::string& url : member.peerurls()) io.out << "\"PeerURL\" : " << go::quote(url) << '\n';
        for (const std::string& url : member.clienturls()) io.out << "\"ClientURL\" : " << go::quote(url) << '\n';
        io.out << "\"IsLearner\" : " << (member.islearner() ? "true" : "false") << "\n\n";
      }
      break;
    case OutputFormat::kJson:
    case OutputFormat::kProtobuf:
      print_generic(prepared.value().format, list, io.out);
      break;
  }
  return 0;
}

int run_member_add(const Session& session, const MemberFlags& flags, CommandIo io) {
  if (flags.arguments.size() < 1) return report(bad_args("member name not provided"), io.err);
  if (flags.arguments.size() > 1) {
    std::string message = "too many arguments";
    for (const std::string& argument : flags.arguments) {
      if (argument.rfind("http://", 0) == 0 || argument.rfind("https://", 0) == 0) {
        message += ", did you mean --peer-urls=" + argument;
        break;
      }
    }
    return report(bad_args(message), io.err);
  }
  const std::string& name = flags.arguments[0];
  if (flags.peer_urls.empty()) return report(bad_args("member peer urls not provided"), io.err);
  const std::vector<std::string> peer_urls = split_commas(flags.peer_urls);
  Outcome<Prepared> prepared = prepare(session, /*table_allowed=*/false);
  if (!prepared.ok()) return report(prepared.error(), io.err);
  if (MaybeError invalid = check_peer_urls(peer_urls)) return report(*invalid, io.err);
  etcdserverpb::MemberAddRequest request;
  for (const std::string& url : peer_urls) request.add_peerurls(url);
  request.set_islearner(flags.learner);
  EtcdClient& client = *prepared.value().client;
  const Outcome<etcdserverpb::MemberAddResponse> response = client.member_add(request);
  if (!response.ok()) return report(response.error(), io.err);
  const etcdserverpb::MemberAddResponse& added = response.value();
  if (prepared.value().format != OutputFormat::kSimple) {
    print_generic(prepared.value().format, added, io.out);
    return 0;
  }
  // (etcdctl 3.4 says "added" for learners too; " as learner" came in 3.5.)
  io.out << "Member " << padded_hex(added.member().id()) << " added to cluster "
         << padded_hex(added.header().cluster_id()) << '\n';
  // etcdctl lists the members again (from the member that answered) for the new member's flags.
  const Outcome<etcdserverpb::MemberListResponse> list = client.member_list();
  if (!list.ok()) return report(list.error(), io.err);
  std::string initial_cluster;
  for (const etcdserverpb::Member& member : list.value().members()) {
    for (const std::string& url : member.peerurls()) {
      if (!initial_cluster.empty()) initial_cluster += ',';
      initial_cluster += (member.id() == added.member().id() ? name : member.name()) + "=" + url;
    }
  }
  std::string advertised;
  for (const std::string& url : peer_urls) advertised += (advertised.empty() ? "" : ",") + url;
  io.out << "\nETCD_NAME=" << go::quote(name) << '\n'
         << "ETCD_INITIAL_CLUSTER=" << go::quote(initial_cluster) << '\n'
         << "ETCD_INITIAL_ADVERTISE_PEER_URLS=" << go::quote(advertised) << '\n'
         << "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n";
  return 0;
}

int run_member_remove(const Session& session, const MemberFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) return report(bad_args("member ID is not provided"), io.err);
  const Outcome<uint64_t> id = parse_member_id(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  Outcome<Prepared> prepared = prepare(session, /*table_allowed=*/false);
  if (!prepared.ok()) return report(prepared.error(), io.err);
  const auto response = prepared.value().client->member_remove(id.value());
  if (!response.ok()) return report(response.error(), io.err);
  if (prepared.value().format != OutputFormat::kSimple) {
    print_generic(prepared.value().format, response.value(), io.out);
    return 0;
  }
  io.out << "Member " << padded_hex(id.value()) << " removed from cluster "
         << padded_hex(response.value().header().cluster_id()) << '\n';
  return 0;
}

int run_member_update(const Session& session, const MemberFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) return report(bad_args("member ID is not provided"), io.err);
  const Outcome<uint64_t> id = parse_member_id(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  if (flags.peer_urls.empty()) return report(bad_args("member peer urls not provided"), io.err);
  Outcome<Prepared> prepared = prepare(session, /*table_allowed=*/false);
  if (!prepared.ok()) return report(prepared.error(), io.err);
  const std::vector<std::string> peer_urls = split_commas(flags.peer_urls);
  if (MaybeError invalid = check_peer_urls(peer_urls)) return report(*invalid, io.err);
  etcdserverpb::MemberUpdateRequest request;
  request.set_id(id.value());
  for (const std::string& url : peer_urls) request.add_peerurls(url);
  const auto response = prepared.value().client->member_update(request);
  if (!response.ok()) return report(response.error(), io.err);
  if (prepared.value().format != OutputFormat::kSimple) {
    print_generic(prepared.value().format, response.value(), io.out);
    return 0;
  }
  io.out << "Member " << padded_hex(id.value()) << " updated in cluster "
         << padded_hex(response.value().header().cluster_id()) << '\n';
  return 0;
}

int run_member_promote(const Session& session, const MemberFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) return report(bad_args("member ID is not provided"), io.err);
  const Outcome<uint64_t> id = parse_member_id(flags.arguments[0]);
  if (!id.ok()) return report(id.error(), io.err);
  Outcome<Prepared> prepared = prepare(session, /*table_allowed=*/false);
  if (!prepared.ok()) return report(prepared.error(), io.err);
  const auto response = prepared.value().client->member_promote(id.value());
  if (!response.ok()) return report(response.error(), io.err);
  if (prepared.value().format != OutputFormat::kSimple) {
    print_generic(prepared.value().format, response.value(), io.out);
    return 0;
  }
  io.out << "Member " << padded_hex(id.value()) << " promoted in cluster "
         << padded_hex(response.value().header().cluster_id()) << '\n';
  return 0;
}

}  // namespace synod::ctl
