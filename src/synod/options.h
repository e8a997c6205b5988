#pragma once
// The synod binary's command line: etcd's flag names and defaults (etcd 3.4), parsed with CLI11
// and validated at start with one-line errors, into the node's configuration plus the addresses
// the client API listens on. With no flags at all: one member "default" serving clients on
// 127.0.0.1:2379, peers on 127.0.0.1:2380, data in ./default.synod. docs/server.md lists the flags.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/node.h"

namespace synod::app {

inline constexpr char kSynodVersion[] = "0.1.0";
inline constexpr char kEtcdApiVersion[] = "3.4";

// A request travels to the peers inside one transport frame, among other entries; etcd's own
// documentation advises no more than 10 MiB.
inline constexpr int64_t kMaxRequestBytesLimit = 10 << 20;
// Below this a segment would hold too few records to be worth a file (the WAL's own floor is 4 KiB).
inline constexpr int64_t kMinWalSegmentBytes = 64 << 10;
// etcd's upper bound on --election-timeout.
inline constexpr int64_t kMaxElectionTimeoutMs = 50000;

// The flags as typed, before validation. An empty string means "derive from the other flags".
struct CommandLineFlags {
  std::string name = "default";
  std::string data_dir;                     // "<name>.synod"
  std::string listen_client_urls = "http://127.0.0.1:2379";
  std::string advertise_client_urls;        // the listen client URLs
  std::string listen_peer_urls = "http://127.0.0.1:2380";
  std::string initial_advertise_peer_urls;  // the listen peer URL
  std::string initial_cluster;              // "<name>=<initial advertise peer URLs>"
  std::string initial_cluster_state = "new";
  std::string initial_cluster_token = "synod-cluster";
  // Signed, so that a negative value gets our message rather than a conversion error.
  int64_t heartbeat_interval_ms = 100;
  int64_t election_timeout_ms = 1000;
  int64_t snapshot_count = 100000;
  int64_t quota_backend_bytes = 2ll << 30;
  int64_t max_request_bytes = 1536 * 1024;
  int64_t max_txn_ops = 128;
  int64_t snapshot_catch_up_entries = 5000;
  int64_t wal_segment_bytes = 64ll << 20;
  std::string engine = "raft";
};

enum class InitialClusterState { kNew, kExisting };

struct ServerOptions {
  // Everything but `log`, which main fills. Members sorted by id; ids filled (cluster_identity.h).
  server::NodeConfig node;
  // "127.0.0.1:2379", "[::1]:2379", "0.0.0.0:2379": for EtcdApiServer; port 0 picks a free one.
  std::vector<std::string> client_listen_addresses;
  InitialClusterState initial_cluster_state = InitialClusterState::kNew;
  std::string initial_cluster_token;
};

// Validates `flags` and builds the options. The error is one line naming the flag at fault.
Status build_server_options(const CommandLineFlags& flags, ServerOptions& options);

struct CommandLine {
  enum class Action {
    kServe,         // `options` is filled
    kPrintAndExit,  // --help or --version: print `text` to stdout, exit 0
    kUsageError,    // print `text` (one line) to stderr, exit 2
  };
  Action action = Action::kUsageError;
  std::string text;
  ServerOptions options;
};

// `arguments` without the program name. Like etcd (Go's flag package), "-name x" means
// "--name x" and "--name=x" works too.
CommandLine parse_command_line(const std::vector<std::string>& arguments);

// "synod 0.1.0 (etcd API 3.4)"
std::string version_line();

}  // namespace synod::app
