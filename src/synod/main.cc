// synod: one member of a Synod cluster, serving etcd's v3 gRPC API (docs/server.md).
// Exit codes: 0 after a clean shutdown (SIGTERM or SIGINT), 1 when the node or the API server
// cannot start, 2 on bad flags.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/etcd/api_server.h"
#include "api/etcd/grpc_runtime.h"
#include "server/node.h"
#include "storage/file_system.h"
#include "synod/cluster_identity.h"
#include "synod/json_log.h"
#include "synod/options.h"
#include "synod/url.h"

namespace synod::app {
namespace {

// Blocked in every thread (threads inherit the mask of their creator, so this runs first) and
// taken with sigwait by the main thread: no work in a signal handler.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer or client that goes away must fail a write, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

int wait_for_signal(const sigset_t& signals) {
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

// A second SIGINT or SIGTERM during a shutdown that hangs ends the process at once. The thread
// may outlive serve()'s logger, so it writes its one line itself.
void exit_on_second_signal(const sigset_t& signals) {
  std::thread([signals] {
    const int received = wait_for_signal(signals);
    const std::string line = format_log_line("warn", std::chrono::system_clock::now(),
                                             "second signal; exiting without a clean shutdown",
                                             {{"signal", strsignal(received)}});
    std::fprintf(stderr, "%s\n", line.c_str());
    std::_Exit(1);
  }).detach();
}

// "127.0.0.1:0" and port 43121 -> "127.0.0.1:43121".
std::string with_port(const std::string& address, int port) {
  return address.substr(0, address.rfind(':') + 1) + std::to_string(port);
}

LogFields startup_fields(const ServerOptions& options) {
  const server::NodeConfig& node = options.node;
  nlohmann::ordered_json members = nlohmann::ordered_json::array();
  for (const server::Member& member : node.initial_members) {
    members.push_back({{"name", member.name}, {"id", format_id(member.id)}, {"peer-urls", member.peer_urls}});
  }
  return {{"version", kSynodVersion},
          {"name", node.name},
          {"data-dir", node.data_dir},
          {"member-id", format_id(node.id)},
          {"cluster-id", format_id(node.cluster_id)},
          {"engine", node.engine},
          {"initial-cluster", members},
          {"heartbeat-interval-ms", node.heartbeat_interval.count()},
          {"election-timeout-ms", node.election_timeout.count()}};
}

// A data directory with files in it is recovered (its membership, not --initial-cluster's, is in
// force). Without one, "existing" joins a running cluster that already added this member.
bool check_data_dir(ServerOptions& options, JsonLogger& logger) {
  std::error_code error;
  const bool has_data = std::filesystem::exists(options.node.data_dir, error) &&
                        !std::filesystem::is_empty(options.node.data_dir, error) && !error;
  if (has_data) {
    logger.info("found a data directory; recovering from it",
                {{"data-dir", options.node.data_dir}});
    // A member that joined a running cluster cannot derive the cluster id from its flags (its
    // --initial-cluster lists itself): it learns it again from its peers.
    if (options.initial_cluster_state == InitialClusterState::kExisting) options.node.cluster_id = 0;
    return true;
  }
  if (options.initial_cluster_state == InitialClusterState::kExisting) {
    // Joining: the members were added with MemberAdd; the cluster id is learnt from them.
    options.node.join_existing = true;
    options.node.cluster_id = 0;
    logger.info("joining a running cluster", {{"data-dir", options.node.data_dir}});
  }
  return true;
}

// Peer URLs of members added at run time: the same forms and ids as --initial-cluster's.
void set_member_recipes(ServerOptions& options) {
  options.node.parse_peer_url = [](const std::string& text)
      -> std::optional<std::pair<std::string, transport::PeerAddress>> {
    HttpUrl url;
    if (!parse_http_url(text, url).ok() || url.is_unspecified()) return std::nullopt;
    return std::make_pair(url.canonical(), transport::PeerAddress{url.host, url.port});
  };
  options.node.member_id_for_peer_urls = [token = options.initial_cluster_token](
                                             const std::vector<std::string>& peer_urls) {
    return derive_member_id(peer_urls, token);
  };
  // A removed member shuts down as on SIGTERM (the main thread is waiting for one).
  options.node.on_removed = [] { kill(getpid(), SIGTERM); };
}

int serve(ServerOptions& options, const sigset_t& shutdown_signals) {
  JsonLogger logger;
  if (!check_data_dir(options, logger)) return 2;
  set_member_recipes(options);
  options.node.log = [&logger](const std::string& line) { logger.write_line(line); };
  logger.info("starting synod", startup_fields(options));

  storage::PosixFileSystem file_system;
  server::Node node(options.node, file_system);
  Status status = node.start();
  if (!status.ok()) {
    logger.error("cannot start the node", {{"error", status.message()}});
    return 1;
  }
  logger.info("serving peer traffic",
              {{"address", options.node.listen_peer.host + ":" + std::to_string(node.peer_port())}});

  api::etcd::EtcdApiServer api_server(
      node, {.listen_addresses = options.client_listen_addresses,
             .max_request_bytes = options.node.max_request_bytes});
  status = api_server.start();
  if (!status.ok()) {
    logger.error("cannot serve client requests", {{"error", status.message()}});
    node.stop();
    return 1;
  }
  const std::vector<int>& ports = api_server.bound_ports();
  for (size_t i = 0; i < ports.size() && i < options.client_listen_addresses.size(); ++i) {
    logger.info("serving client requests", {{"address", with_port(options.client_listen_addresses[i], ports[i])}});
  }

  const int received = wait_for_signal(shutdown_signals);
  logger.info("received signal; shutting down", {{"signal", strsignal(received)}});
  exit_on_second_signal(shutdown_signals);
  api_server.stop();
  logger.info("stopped serving client requests");
  node.stop();
  logger.info("stopped the node; exiting");
  return 0;
}

}  // namespace
}  // namespace synod::app

int main(int argc, char** argv) {
  using namespace synod::app;
  // Snapshot buffers (tens of MiB) are mmapped and unmapped when freed: glibc's adaptive threshold
  // would otherwise move them into the heap after the first one, where freed pages stay resident.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  synod::api::etcd::configure_grpc_runtime();
  const sigset_t shutdown_signals = block_shutdown_signals();
  CommandLine command_line = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  switch (command_line.action) {
    case CommandLine::Action::kPrintAndExit:
      std::cout << command_line.text;
      return 0;
    case CommandLine::Action::kUsageError:
      std::cerr << "synod: " << command_line.text << "\n";
      return 2;
    case CommandLine::Action::kServe:
      break;
  }
  return serve(command_line.options, shutdown_signals);
}
