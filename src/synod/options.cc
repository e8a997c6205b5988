#include "synod/options.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <CLI/CLI.hpp>

#include "consensus/registry.h"
#include "synod/cluster_identity.h"
#include "synod/url.h"

namespace synod::app {
namespace {

Status invalid(std::string message) { return Status(StatusCode::kInvalidArgument, std::move(message)); }

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string join(const std::vector<std::string>& pieces, std::string_view separator) {
  std::string joined;
  for (const std::string& piece : pieces) {
    if (!joined.empty()) joined += separator;
    joined += piece;
  }
  return joined;
}

std::vector<std::string> canonical_urls(const std::vector<HttpUrl>& urls) {
  std::vector<std::string> canonical;
  for (const HttpUrl& url : urls) canonical.push_back(url.canonical());
  return canonical;
}

Status check_positive(std::string_view flag, int64_t value) {
  if (value > 0) return Status::Ok();
  return invalid(std::string(flag) + " must be positive, got " + std::to_string(value));
}

// The name is written into --initial-cluster's "name=url,..." syntax, so it must not break it.
Status check_name(const std::string& name) {
  if (name.empty()) return invalid("--name must not be empty");
  const bool breaks_syntax = std::any_of(name.begin(), name.end(), [](unsigned char c) {
    return c == ',' || c == '=' || std::iscntrl(c) != 0;
  });
  if (breaks_syntax) return invalid("--name " + in_quotes(name) + " must not contain ',', '=' or control characters");
  return Status::Ok();
}

Status check_engine(const std::string& engine) {
  if (consensus::find_engine(engine) != nullptr) return Status::Ok();
  std::vector<std::string> known;
  for (const consensus::EngineEntry& entry : consensus::engines()) known.emplace_back(entry.name);
  return invalid("--engine: unknown engine " + in_quotes(engine) + " (known: " + join(known, ", ") + ")");
}

Status check_timing(const CommandLineFlags& flags) {
  Status status = check_positive("--heartbeat-interval", flags.heartbeat_interval_ms);
  if (!status.ok()) return status;
  status = check_positive("--election-timeout", flags.election_timeout_ms);
  if (!status.ok()) return status;
  // etcd's rule: a follower must miss several heartbeats before it campaigns.
  if (flags.election_timeout_ms / 5 < flags.heartbeat_interval_ms) {
    return invalid("--election-timeout (" + std::to_string(flags.election_timeout_ms) +
                   " ms) must be at least 5 times --heartbeat-interval (" +
                   std::to_string(flags.heartbeat_interval_ms) + " ms)");
  }
  if (flags.election_timeout_ms > kMaxElectionTimeoutMs) {
    return invalid("--election-timeout (" + std::to_string(flags.election_timeout_ms) +
                   " ms) must be at most " + std::to_string(kMaxElectionTimeoutMs) + " ms");
  }
  return Status::Ok();
}

Status check_limits(const CommandLineFlags& flags) {
  const std::pair<const char*, int64_t> counts[] = {
      {"--snapshot-count", flags.snapshot_count},
      {"--quota-backend-bytes", flags.quota_backend_bytes},
      {"--max-request-bytes", flags.max_request_bytes},
      {"--max-txn-ops", flags.max_txn_ops},
  };
  for (const auto& [flag, value] : counts) {
    Status status = check_positive(flag, value);
    if (!status.ok()) return status;
  }
  if (flags.snapshot_catch_up_entries < 0) {
    return invalid("--snapshot-catch-up-entries must not be negative, got " +
                   std::to_string(flags.snapshot_catch_up_entries));
  }
  if (flags.wal_segment_bytes < kMinWalSegmentBytes) {
    return invalid("--wal-segment-bytes (" + std::to_string(flags.wal_segment_bytes) +
                   ") must be at least " + std::to_string(kMinWalSegmentBytes));
  }
  if (flags.max_request_bytes > kMaxRequestBytesLimit) {
    return invalid("--max-request-bytes (" + std::to_string(flags.max_request_bytes) +
                   ") must be at most " + std::to_string(kMaxRequestBytesLimit));
  }
  return Status::Ok();
}

Status check_cluster_state(const std::string& state, InitialClusterState& parsed) {
  if (state == "new") {
    parsed = InitialClusterState::kNew;
  } else if (state == "existing") {
    parsed = InitialClusterState::kExisting;
  } else {
    return invalid("--initial-cluster-state must be \"new\" or \"existing\", got " + in_quotes(state));
  }
  return Status::Ok();
}

Status check_dialable(std::string_view flag, const std::vector<HttpUrl>& urls) {
  for (const HttpUrl& url : urls) {
    if (url.is_unspecified()) {
      return invalid(std::string(flag) + ": " + url.canonical() +
                     " cannot be dialed; give this member's own IP address");
    }
  }
  return Status::Ok();
}

// Advertised URLs default to the listen URLs, unless one of those is 0.0.0.0 or ::.
Status advertised_urls(std::string_view advertise_flag, const std::string& advertise_text,
                       std::string_view listen_flag, const std::vector<HttpUrl>& listen_urls,
                       std::vector<HttpUrl>& advertised) {
  if (!advertise_text.empty()) {
    Status status = parse_http_url_list(advertise_flag, advertise_text, advertised);
    if (!status.ok()) return status;
    return check_dialable(advertise_flag, advertised);
  }
  for (const HttpUrl& url : listen_urls) {
    if (url.is_unspecified()) {
      return invalid(std::string(advertise_flag) + " is required when " + std::string(listen_flag) +
                     " has the unspecified address " + url.canonical());
    }
  }
  advertised = listen_urls;
  return Status::Ok();
}

bool same_listen_address(const HttpUrl& a, const HttpUrl& b) {
  if (a.port == 0 || a.port != b.port) return false;
  return a.host == b.host || a.is_unspecified() || b.is_unspecified();
}

struct ParsedUrls {
  std::vector<HttpUrl> listen_client;
  std::vector<HttpUrl> advertise_client;
  HttpUrl listen_peer;
  std::vector<HttpUrl> advertise_peer;
};

Status parse_urls(const CommandLineFlags& flags, ParsedUrls& urls) {
  Status status = parse_http_url_list("--listen-client-urls", flags.listen_client_urls, urls.listen_client);
  if (!status.ok()) return status;
  status = advertised_urls("--advertise-client-urls", flags.advertise_client_urls, "--listen-client-urls",
                           urls.listen_client, urls.advertise_client);
  if (!status.ok()) return status;
  std::vector<HttpUrl> listen_peer;
  status = parse_http_url_list("--listen-peer-urls", flags.listen_peer_urls, listen_peer);
  if (!status.ok()) return status;
  // The peer transport has one listener.
  if (listen_peer.size() != 1) {
    return invalid("--listen-peer-urls: one URL is supported, got " + std::to_string(listen_peer.size()));
  }
  urls.listen_peer = listen_peer.front();
  for (const HttpUrl& client : urls.listen_client) {
    if (same_listen_address(client, urls.listen_peer)) {
      return invalid("--listen-client-urls: " + client.canonical() + " is also --listen-peer-urls " +
                     urls.listen_peer.canonical());
    }
  }
  return advertised_urls("--initial-advertise-peer-urls", flags.initial_advertise_peer_urls,
                         "--listen-peer-urls", listen_peer, urls.advertise_peer);
}

std::string default_initial_cluster(const std::string& name, const std::vector<HttpUrl>& advertise_peer) {
  std::vector<std::string> entries;
  for (const HttpUrl& url : advertise_peer) entries.push_back(name + "=" + url.canonical());
  return join(entries, ",");
}

// etcd's syntax: "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380"; a name given twice gives that
// member a second peer URL. Members in order of first appearance, ids not yet assigned.
Status parse_initial_cluster(const std::string& text, std::vector<server::Member>& members) {
  constexpr std::string_view kFlag = "--initial-cluster: ";
  std::map<std::string, std::string> owner_of_url;  // canonical URL -> member name
  std::vector<server::Member> parsed;
  std::string entry_with_port_zero;
  for (std::string_view entry : split(text, ',')) {
    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return invalid(std::string(kFlag) + in_quotes(entry) + " is not name=http://host:port");
    }
    const std::string name(entry.substr(0, equals));
    HttpUrl url;
    Status status = parse_http_url(entry.substr(equals + 1), url);
    if (!status.ok()) return invalid(std::string(kFlag) + in_quotes(entry) + ": " + status.message());
    const std::string canonical = url.canonical();
    if (url.is_unspecified()) {
      return invalid(std::string(kFlag) + in_quotes(entry) + ": peers cannot dial an unspecified address");
    }
    if (auto owner = owner_of_url.find(canonical); owner != owner_of_url.end()) {
      return invalid(std::string(kFlag) + canonical + " is listed twice (for " + in_quotes(owner->second) +
                     " and " + in_quotes(name) + ")");
    }
    owner_of_url[canonical] = name;
    if (url.port == 0 && entry_with_port_zero.empty()) entry_with_port_zero = entry;
    auto member = std::find_if(parsed.begin(), parsed.end(),
                               [&](const server::Member& m) { return m.name == name; });
    if (member == parsed.end()) {
      parsed.emplace_back();
      member = std::prev(parsed.end());
      member->name = name;
    }
    member->peer_urls.push_back(canonical);
  }
  // Port 0 is a free port picked at start, which only a cluster of one never needs to dial.
  if (parsed.size() > 1 && !entry_with_port_zero.empty()) {
    return invalid(std::string(kFlag) + in_quotes(entry_with_port_zero) + ": peers cannot dial port 0");
  }
  members = std::move(parsed);
  return Status::Ok();
}

// Sorted peer URLs; the transport dials the first. The same choice on every node.
Status finish_members(std::vector<server::Member>& members) {
  for (server::Member& member : members) {
    std::sort(member.peer_urls.begin(), member.peer_urls.end());
    HttpUrl first;
    Status status = parse_http_url(member.peer_urls.front(), first);
    if (!status.ok()) return status;
    member.peer_address = {first.host, first.port};
  }
  return Status::Ok();
}

// etcd's rule: this member's entry in --initial-cluster is exactly what it advertises.
Status check_self(const std::string& name, const std::vector<HttpUrl>& advertise_peer,
                  std::vector<server::Member>& members, const std::vector<HttpUrl>& advertise_client) {
  auto self = std::find_if(members.begin(), members.end(),
                           [&](const server::Member& m) { return m.name == name; });
  if (self == members.end()) {
    std::vector<std::string> names;
    for (const server::Member& member : members) names.push_back(member.name);
    return invalid("--name " + in_quotes(name) + " is not in --initial-cluster (members: " + join(names, ", ") +
                   ")");
  }
  std::vector<std::string> advertised = canonical_urls(advertise_peer);
  std::sort(advertised.begin(), advertised.end());
  if (advertised != self->peer_urls) {
    return invalid("--initial-cluster has " + name + "=" + join(self->peer_urls, ",") +
                   " but --initial-advertise-peer-urls is " + join(advertised, ","));
  }
  self->client_urls = canonical_urls(advertise_client);
  return Status::Ok();
}

Status check_flags(const CommandLineFlags& flags, ServerOptions& options) {
  Status status = check_name(flags.name);
  if (!status.ok()) return status;
  if (flags.initial_cluster_token.empty()) return invalid("--initial-cluster-token must not be empty");
  status = check_engine(flags.engine);
  if (!status.ok()) return status;
  status = check_cluster_state(flags.initial_cluster_state, options.initial_cluster_state);
  if (!status.ok()) return status;
  status = check_timing(flags);
  if (!status.ok()) return status;
  return check_limits(flags);
}

void fill_settings(const CommandLineFlags& flags, server::NodeConfig& node) {
  node.name = flags.name;
  node.data_dir = flags.data_dir.empty() ? flags.name + ".synod" : flags.data_dir;
  node.engine = flags.engine;
  node.heartbeat_interval = std::chrono::milliseconds(flags.heartbeat_interval_ms);
  node.election_timeout = std::chrono::milliseconds(flags.election_timeout_ms);
  node.snapshot_count = static_cast<uint64_t>(flags.snapshot_count);
  node.quota_backend_bytes = flags.quota_backend_bytes;
  node.max_request_bytes = static_cast<uint64_t>(flags.max_request_bytes);
  node.max_txn_ops = flags.max_txn_ops;
  node.snapshot_catch_up_entries = static_cast<uint64_t>(flags.snapshot_catch_up_entries);
  node.wal_segment_bytes = static_cast<uint64_t>(flags.wal_segment_bytes);
}

}  // namespace

Status build_server_options(const CommandLineFlags& flags, ServerOptions& options) {
  ServerOptions built;
  Status status = check_flags(flags, built);
  if (!status.ok()) return status;
  ParsedUrls urls;
  status = parse_urls(flags, urls);
  if (!status.ok()) return status;

  const std::string initial_cluster = flags.initial_cluster.empty()
                                          ? default_initial_cluster(flags.name, urls.advertise_peer)
                                          : flags.initial_cluster;
  std::vector<server::Member> members;
  status = parse_initial_cluster(initial_cluster, members);
  if (!status.ok()) return status;
  status = finish_members(members);
  if (!status.ok()) return status;
  status = check_self(flags.name, urls.advertise_peer, members, urls.advertise_client);
  if (!status.ok()) return status;

  fill_settings(flags, built.node);
  built.node.initial_members = std::move(members);
  built.node.listen_peer = {urls.listen_peer.host, urls.listen_peer.port};
  for (const HttpUrl& url : urls.listen_client) built.client_listen_addresses.push_back(url.host_port());
  built.initial_cluster_token = flags.initial_cluster_token;
  status = assign_cluster_identity(built.node, flags.initial_cluster_token);
  if (!status.ok()) return status;
  options = std::move(built);
  return Status::Ok();
}

namespace {

void add_flags(CLI::App& app, CommandLineFlags& flags) {
  app.add_option("--name", flags.name, "human-readable name of this member")->capture_default_str();
  app.add_option("--data-dir", flags.data_dir, "directory of the write-ahead log and snapshots (default: <name>.synod)");
  app.add_option("--listen-client-urls", flags.listen_client_urls, "URLs to serve clients on (http://IP:port, comma-separated)")
      ->capture_default_str();
  app.add_option("--advertise-client-urls", flags.advertise_client_urls,
                 "this member's client URLs as the cluster reports them (default: --listen-client-urls)");
  app.add_option("--listen-peer-urls", flags.listen_peer_urls, "URL to serve peers on")->capture_default_str();
  app.add_option("--initial-advertise-peer-urls", flags.initial_advertise_peer_urls,
                 "this member's peer URLs as the others dial them (default: --listen-peer-urls)");
  app.add_option("--initial-cluster", flags.initial_cluster,
                 "the initial members, name=http://IP:port,... (default: <name>=<initial advertise peer URLs>)");
  app.add_option("--initial-cluster-state", flags.initial_cluster_state, "new or existing")->capture_default_str();
  app.add_option("--initial-cluster-token", flags.initial_cluster_token,
                 "distinguishes clusters started from the same peer URLs")
      ->capture_default_str();
  app.add_option("--heartbeat-interval", flags.heartbeat_interval_ms, "milliseconds between heartbeats (one tick)")
      ->capture_default_str();
  app.add_option("--election-timeout", flags.election_timeout_ms, "milliseconds before a follower campaigns")
      ->capture_default_str();
  app.add_option("--snapshot-count", flags.snapshot_count, "applied entries between snapshots")->capture_default_str();
  app.add_option("--quota-backend-bytes", flags.quota_backend_bytes, "store size that raises the NOSPACE alarm")
      ->capture_default_str();
  app.add_option("--max-request-bytes", flags.max_request_bytes, "largest client request")->capture_default_str();
  app.add_option("--max-txn-ops", flags.max_txn_ops, "most operations in one transaction")->capture_default_str();
  app.add_option("--snapshot-catch-up-entries", flags.snapshot_catch_up_entries,
                 "log entries kept below a snapshot so that slow followers catch up from the log")
      ->capture_default_str();
  app.add_option("--wal-segment-bytes", flags.wal_segment_bytes, "size of a preallocated WAL segment file")
      ->capture_default_str();
  app.add_option("--engine", flags.engine, "consensus engine")->capture_default_str();
}

// Go's flag package, which etcd uses, takes "-name" for "--name"; CLI11 reads "-name" as -n -a...
std::vector<std::string> with_double_dashes(const std::vector<std::string>& arguments) {
  std::vector<std::string> normalized;
  for (const std::string& argument : arguments) {
    const bool single_dash_word = argument.size() > 2 && argument[0] == '-' &&
                                  std::isalpha(static_cast<unsigned char>(argument[1])) != 0 &&
                                  std::isalpha(static_cast<unsigned char>(argument[2])) != 0;
    normalized.push_back(single_dash_word ? "-" + argument : argument);
  }
  return normalized;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& arguments) {
  CommandLine result;
  CommandLineFlags flags;
  CLI::App app{"synod: a replicated key-value store serving etcd's v3 API", "synod"};
  app.set_version_flag("--version", version_line());
  add_flags(app, flags);
  std::vector<std::string> reversed = with_double_dashes(arguments);
  std::reverse(reversed.begin(), reversed.end());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    result.action = CommandLine::Action::kPrintAndExit;
    result.text = app.help();
    return result;
  } catch (const CLI::CallForVersion& version) {
    result.action = CommandLine::Action::kPrintAndExit;
    result.text = std::string(version.what()) + "\n";
    return result;
  } catch (const CLI::ParseError& error) {
    result.text = error.what();
    return result;
  }
  Status status = build_server_options(flags, result.options);
  if (!status.ok()) {
    result.text = status.message();
    return result;
  }
  result.action = CommandLine::Action::kServe;
  return result;
}

std::string version_line() {
  return std::string("synod ") + kSynodVersion + " (etcd API " + kEtcdApiVersion + ")";
}

}  // namespace synod::app
