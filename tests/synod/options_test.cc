// The synod command line: etcd's defaults, every flag, and the one-line text of each rejection.
#include <gtest/gtest.h>

#include "synod/cluster_identity.h"
#include "synod/options.h"

namespace synod::app {
namespace {

using Action = CommandLine::Action;

ServerOptions serve(const std::vector<std::string>& arguments) {
  CommandLine command_line = parse_command_line(arguments);
  EXPECT_EQ(command_line.action, Action::kServe) << command_line.text;
  return command_line.options;
}

std::string error_of(const std::vector<std::string>& arguments) {
  CommandLine command_line = parse_command_line(arguments);
  EXPECT_EQ(command_line.action, Action::kUsageError);
  EXPECT_EQ(command_line.text.find('\n'), std::string::npos) << "one line: " << command_line.text;
  return command_line.text;
}

const std::string kThreeNodes =
    "a=http://127.0.0.1:12380,b=http://127.0.0.1:22380,c=http://127.0.0.1:32380";

// The flags of member `name` of the local three-node cluster of docs/server.md.
std::vector<std::string> member_flags(const std::string& name, int client_port, int peer_port) {
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
  return {"--name", name,
          "--listen-client-urls", "http://127.0.0.1:" + std::to_string(client_port),
          "--listen-peer-urls", peer,
          "--initial-advertise-peer-urls", peer,
          "--initial-cluster", kThreeNodes};
}

TEST(OptionsTest, NoFlagsIsOneLocalNode) {
  const ServerOptions options = serve({});
  const server::NodeConfig& node = options.node;
  EXPECT_EQ(node.name, "default");
  EXPECT_EQ(node.data_dir, "default.synod");
  EXPECT_EQ(options.client_listen_addresses, std::vector<std::string>{"127.0.0.1:2379"});
  EXPECT_EQ(node.listen_peer, (transport::PeerAddress{"127.0.0.1", 2380}));
  ASSERT_EQ(node.initial_members.size(), 1u);
  const server::Member& self = node.initial_members[0];
  EXPECT_EQ(self.name, "default");
  EXPECT_EQ(self.peer_urls, std::vector<std::string>{"http://127.0.0.1:2380"});
  EXPECT_EQ(self.client_urls, std::vector<std::string>{"http://127.0.0.1:2379"});
  EXPECT_EQ(self.peer_address, (transport::PeerAddress{"127.0.0.1", 2380}));
  EXPECT_NE(node.id, consensus::kNoNode);
  EXPECT_EQ(self.id, node.id);
  EXPECT_EQ(node.id, derive_member_id({"http://127.0.0.1:2380"}, "synod-cluster"));
  EXPECT_EQ(node.cluster_id, derive_cluster_id({node.id}));
  EXPECT_EQ(node.engine, "raft");
  EXPECT_EQ(node.heartbeat_interval, std::chrono::milliseconds(100));
  EXPECT_EQ(node.election_timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(node.snapshot_count, 100000u);
  EXPECT_EQ(node.quota_backend_bytes, 2ll << 30);
  EXPECT_EQ(node.max_request_bytes, 1536u * 1024);
  EXPECT_EQ(node.max_txn_ops, 128);
  EXPECT_EQ(options.initial_cluster_state, InitialClusterState::kNew);
  EXPECT_EQ(options.initial_cluster_token, "synod-cluster");
  EXPECT_FALSE(node.log);  // main's to fill
}

TEST(OptionsTest, EveryFlag) {
  const ServerOptions options = serve({
      "--name", "b",
      "--data-dir", "/var/lib/synod/b",
      "--listen-client-urls", "http://0.0.0.0:22379,http://[::1]:22379",
      "--advertise-client-urls", "http://10.0.0.2:22379",
      "--listen-peer-urls", "http://0.0.0.0:22380",
      "--initial-advertise-peer-urls", "http://10.0.0.2:22380",
      "--initial-cluster", "a=http://10.0.0.1:12380,b=http://10.0.0.2:22380",
      "--initial-cluster-state", "existing",
      "--initial-cluster-token", "prod-7",
      "--heartbeat-interval", "50",
      "--election-timeout", "500",
      "--snapshot-count", "2000",
      "--quota-backend-bytes", "8589934592",
      "--max-request-bytes", "2097152",
      "--max-txn-ops", "256",
      "--engine", "raft",
  });
  const server::NodeConfig& node = options.node;
  EXPECT_EQ(node.name, "b");
  EXPECT_EQ(node.data_dir, "/var/lib/synod/b");
  EXPECT_EQ(options.client_listen_addresses, (std::vector<std::string>{"0.0.0.0:22379", "[::1]:22379"}));
  EXPECT_EQ(node.listen_peer, (transport::PeerAddress{"0.0.0.0", 22380}));
  EXPECT_EQ(options.initial_cluster_state, InitialClusterState::kExisting);
  EXPECT_EQ(options.initial_cluster_token, "prod-7");
  EXPECT_EQ(node.heartbeat_interval, std::chrono::milliseconds(50));
  EXPECT_EQ(node.election_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(node.snapshot_count, 2000u);
  EXPECT_EQ(node.quota_backend_bytes, 8ll << 30);
  EXPECT_EQ(node.max_request_bytes, 2u << 20);
  EXPECT_EQ(node.max_txn_ops, 256);
  EXPECT_EQ(node.engine, "raft");

  ASSERT_EQ(node.initial_members.size(), 2u);
  for (const server::Member& member : node.initial_members) {
    if (member.name == "a") {
      EXPECT_EQ(member.peer_address, (transport::PeerAddress{"10.0.0.1", 12380}));
      EXPECT_EQ(member.id, derive_member_id({"http://10.0.0.1:12380"}, "prod-7"));
      EXPECT_TRUE(member.client_urls.empty());  // only this node's are known
    } else {
      EXPECT_EQ(member.name, "b");
      EXPECT_EQ(member.peer_urls, std::vector<std::string>{"http://10.0.0.2:22380"});
      EXPECT_EQ(member.peer_address, (transport::PeerAddress{"10.0.0.2", 22380}));
      EXPECT_EQ(member.client_urls, std::vector<std::string>{"http://10.0.0.2:22379"});
      EXPECT_EQ(member.id, node.id);
    }
  }
}

TEST(OptionsTest, DataDirFollowsTheName) {
  EXPECT_EQ(serve({"--name", "infra1"}).node.data_dir, "infra1.synod");
}

TEST(OptionsTest, InitialClusterDefaultsToThisMembersAdvertisedPeerUrls) {
  const ServerOptions options =
      serve({"--name", "solo", "--listen-peer-urls", "http://0.0.0.0:7000", "--initial-advertise-peer-urls",
             "http://10.1.2.3:7000,http://10.1.2.4:7000"});
  ASSERT_EQ(options.node.initial_members.size(), 1u);
  EXPECT_EQ(options.node.initial_members[0].peer_urls,
            (std::vector<std::string>{"http://10.1.2.3:7000", "http://10.1.2.4:7000"}));
}

TEST(OptionsTest, AdvertisedClientUrlsDefaultToTheListenUrls) {
  const ServerOptions options = serve({"--listen-client-urls", "http://localhost:3379,http://10.0.0.5:3379"});
  EXPECT_EQ(options.client_listen_addresses, (std::vector<std::string>{"127.0.0.1:3379", "10.0.0.5:3379"}));
  EXPECT_EQ(options.node.initial_members[0].client_urls,
            (std::vector<std::string>{"http://127.0.0.1:3379", "http://10.0.0.5:3379"}));
}

TEST(OptionsTest, EtcdSpellingsOfFlags) {
  // Go's flag package: one dash, and name=value.
  const ServerOptions options = serve({"-name", "x", "--snapshot-count=7", "-max-txn-ops=9"});
  EXPECT_EQ(options.node.name, "x");
  EXPECT_EQ(options.node.snapshot_count, 7u);
  EXPECT_EQ(options.node.max_txn_ops, 9);
}

TEST(OptionsTest, ANameGivenTwiceGivesThatMemberTwoPeerUrls) {
  const ServerOptions options = serve({"--name", "a", "--initial-advertise-peer-urls",
                                       "http://127.0.0.1:2380,http://127.0.0.2:2380", "--initial-cluster",
                                       "a=http://127.0.0.2:2380,b=http://127.0.0.1:3380,a=http://127.0.0.1:2380"});
  ASSERT_EQ(options.node.initial_members.size(), 2u);
  for (const server::Member& member : options.node.initial_members) {
    if (member.name != "a") continue;
    EXPECT_EQ(member.peer_urls, (std::vector<std::string>{"http://127.0.0.1:2380", "http://127.0.0.2:2380"}));
    EXPECT_EQ(member.peer_address, (transport::PeerAddress{"127.0.0.1", 2380}));  // the first, sorted
  }
}

TEST(OptionsTest, ThreeLocalMembers) {
  const ServerOptions b = serve(member_flags("b", 22379, 22380));
  EXPECT_EQ(b.node.name, "b");
  EXPECT_EQ(b.node.data_dir, "b.synod");
  EXPECT_EQ(b.client_listen_addresses, std::vector<std::string>{"127.0.0.1:22379"});
  EXPECT_EQ(b.node.listen_peer, (transport::PeerAddress{"127.0.0.1", 22380}));
  EXPECT_EQ(b.node.initial_members.size(), 3u);
}

TEST(OptionsTest, SingleMemberMayUsePeerPortZero) {
  const ServerOptions options = serve({"--listen-client-urls", "http://127.0.0.1:0", "--listen-peer-urls",
                                       "http://127.0.0.1:0"});
  EXPECT_EQ(options.node.listen_peer.port, 0);
  EXPECT_EQ(options.client_listen_addresses, std::vector<std::string>{"127.0.0.1:0"});
}

TEST(OptionsTest, HelpAndVersionPrintAndExit) {
  CommandLine version = parse_command_line({"--version"});
  EXPECT_EQ(version.action, Action::kPrintAndExit);
  EXPECT_EQ(version.text, "synod 0.1.0 (etcd API 3.4)\n");
  EXPECT_EQ(version_line(), "synod 0.1.0 (etcd API 3.4)");

  CommandLine help = parse_command_line({"--help"});
  EXPECT_EQ(help.action, Action::kPrintAndExit);
  for (const char* flag : {"--name", "--data-dir", "--listen-client-urls", "--advertise-client-urls",
                           "--listen-peer-urls", "--initial-advertise-peer-urls", "--initial-cluster",
                           "--initial-cluster-state", "--initial-cluster-token", "--heartbeat-interval",
                           "--election-timeout", "--snapshot-count", "--quota-backend-bytes",
                           "--max-request-bytes", "--max-txn-ops", "--engine", "--version"}) {
    EXPECT_NE(help.text.find(flag), std::string::npos) << flag;
  }
}

TEST(OptionsTest, UrlErrorsNameTheFlag) {
  EXPECT_EQ(error_of({"--listen-client-urls", "https://127.0.0.1:2379"}),
            "--listen-client-urls: \"https://127.0.0.1:2379\": TLS is not supported yet");
  EXPECT_EQ(error_of({"--advertise-client-urls", "https://10.0.0.1:2379"}),
            "--advertise-client-urls: \"https://10.0.0.1:2379\": TLS is not supported yet");
  EXPECT_EQ(error_of({"--listen-peer-urls", "https://127.0.0.1:2380"}),
            "--listen-peer-urls: \"https://127.0.0.1:2380\": TLS is not supported yet");
  EXPECT_EQ(error_of({"--initial-advertise-peer-urls", "http://node1:2380"}),
            "--initial-advertise-peer-urls: \"http://node1:2380\": host \"node1\" is not a numeric IP address "
            "(names are never resolved; \"localhost\" is accepted as 127.0.0.1)");
  EXPECT_EQ(error_of({"--initial-cluster", "default=https://127.0.0.1:2380"}),
            "--initial-cluster: \"default=https://127.0.0.1:2380\": TLS is not supported yet");
  EXPECT_EQ(error_of({"--listen-client-urls", "http://127.0.0.1:2379/v3"}),
            "--listen-client-urls: \"http://127.0.0.1:2379/v3\": a path, query or fragment is not allowed, "
            "expected http://host:port");
}

TEST(OptionsTest, ListenAndAdvertiseRules) {
  EXPECT_EQ(error_of({"--listen-peer-urls", "http://127.0.0.1:2380,http://127.0.0.1:2381"}),
            "--listen-peer-urls: one URL is supported, got 2");
  EXPECT_EQ(error_of({"--listen-client-urls", "http://127.0.0.1:2380"}),
            "--listen-client-urls: http://127.0.0.1:2380 is also --listen-peer-urls http://127.0.0.1:2380");
  EXPECT_EQ(error_of({"--listen-client-urls", "http://0.0.0.0:2380", "--advertise-client-urls",
                      "http://10.0.0.1:2380"}),
            "--listen-client-urls: http://0.0.0.0:2380 is also --listen-peer-urls http://127.0.0.1:2380");
  EXPECT_EQ(error_of({"--listen-client-urls", "http://0.0.0.0:2379"}),
            "--advertise-client-urls is required when --listen-client-urls has the unspecified address "
            "http://0.0.0.0:2379");
  EXPECT_EQ(error_of({"--listen-peer-urls", "http://[::]:2380"}),
            "--initial-advertise-peer-urls is required when --listen-peer-urls has the unspecified address "
            "http://[::]:2380");
  EXPECT_EQ(error_of({"--initial-advertise-peer-urls", "http://0.0.0.0:2380"}),
            "--initial-advertise-peer-urls: http://0.0.0.0:2380 cannot be dialed; give this member's own IP "
            "address");
  EXPECT_EQ(error_of({"--advertise-client-urls", "http://0.0.0.0:2379"}),
            "--advertise-client-urls: http://0.0.0.0:2379 cannot be dialed; give this member's own IP address");
}

TEST(OptionsTest, InitialClusterRules) {
  std::vector<std::string> flags = member_flags("d", 42379, 42380);
  EXPECT_EQ(error_of(flags), "--name \"d\" is not in --initial-cluster (members: a, b, c)");

  flags = member_flags("b", 22379, 22381);
  EXPECT_EQ(error_of(flags),
            "--initial-cluster has b=http://127.0.0.1:22380 but --initial-advertise-peer-urls is "
            "http://127.0.0.1:22381");

  EXPECT_EQ(error_of({"--initial-cluster", "default=http://127.0.0.1:2380,other=http://localhost:2380"}),
            "--initial-cluster: http://127.0.0.1:2380 is listed twice (for \"default\" and \"other\")");
  EXPECT_EQ(error_of({"--initial-cluster", "default=http://127.0.0.1:2380,default=http://127.0.0.1:2380"}),
            "--initial-cluster: http://127.0.0.1:2380 is listed twice (for \"default\" and \"default\")");
  EXPECT_EQ(error_of({"--initial-cluster", "default"}),
            "--initial-cluster: \"default\" is not name=http://host:port");
  EXPECT_EQ(error_of({"--initial-cluster", "=http://127.0.0.1:2380"}),
            "--initial-cluster: \"=http://127.0.0.1:2380\" is not name=http://host:port");
  EXPECT_EQ(error_of({"--initial-cluster", "default=http://127.0.0.1:2380,"}),
            "--initial-cluster: \"\" is not name=http://host:port");
  EXPECT_EQ(error_of({"--initial-cluster", "default=http://127.0.0.1:2380,x=http://0.0.0.0:2380"}),
            "--initial-cluster: \"x=http://0.0.0.0:2380\": peers cannot dial an unspecified address");
  EXPECT_EQ(error_of({"--listen-peer-urls", "http://127.0.0.1:0", "--initial-cluster",
                      "default=http://127.0.0.1:0,x=http://127.0.0.1:2381"}),
            "--initial-cluster: \"default=http://127.0.0.1:0\": peers cannot dial port 0");
}

TEST(OptionsTest, NameTokenEngineAndStateRules) {
  EXPECT_EQ(error_of({"--name", ""}), "--name must not be empty");
  EXPECT_EQ(error_of({"--name", "a=b"}), "--name \"a=b\" must not contain ',', '=' or control characters");
  EXPECT_EQ(error_of({"--name", "a,b"}), "--name \"a,b\" must not contain ',', '=' or control characters");
  EXPECT_EQ(error_of({"--initial-cluster-token", ""}), "--initial-cluster-token must not be empty");
  EXPECT_EQ(error_of({"--engine", "paxos"}), "--engine: unknown engine \"paxos\" (known: raft)");
  EXPECT_EQ(error_of({"--initial-cluster-state", "old"}),
            "--initial-cluster-state must be \"new\" or \"existing\", got \"old\"");
}

TEST(OptionsTest, TimingRules) {
  EXPECT_EQ(error_of({"--heartbeat-interval", "0"}), "--heartbeat-interval must be positive, got 0");
  EXPECT_EQ(error_of({"--heartbeat-interval=-5"}), "--heartbeat-interval must be positive, got -5");
  EXPECT_EQ(error_of({"--election-timeout", "0"}), "--election-timeout must be positive, got 0");
  EXPECT_EQ(error_of({"--election-timeout", "499"}),
            "--election-timeout (499 ms) must be at least 5 times --heartbeat-interval (100 ms)");
  EXPECT_EQ(error_of({"--heartbeat-interval", "300"}),
            "--election-timeout (1000 ms) must be at least 5 times --heartbeat-interval (300 ms)");
  EXPECT_EQ(error_of({"--election-timeout", "50001"}), "--election-timeout (50001 ms) must be at most 50000 ms");
  EXPECT_EQ(serve({"--election-timeout", "500"}).node.election_timeout, std::chrono::milliseconds(500));
}

TEST(OptionsTest, CountsMustBePositive) {
  for (const char* flag : {"--snapshot-count", "--quota-backend-bytes", "--max-request-bytes", "--max-txn-ops"}) {
    EXPECT_EQ(error_of({flag, "0"}), std::string(flag) + " must be positive, got 0");
    EXPECT_EQ(error_of({std::string(flag) + "=-1"}), std::string(flag) + " must be positive, got -1");
  }
  EXPECT_EQ(error_of({"--max-request-bytes", "10485761"}), "--max-request-bytes (10485761) must be at most 10485760");
  EXPECT_EQ(serve({"--max-request-bytes", "10485760"}).node.max_request_bytes, 10485760u);
}

TEST(OptionsTest, ParserErrorsAreOneLine) {
  EXPECT_NE(error_of({"--snapshot-count", "many"}).find("many"), std::string::npos);
  EXPECT_NE(error_of({"--bogus"}).find("--bogus"), std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("stray"), std::string::npos);
  EXPECT_NE(error_of({"--name"}).find("--name"), std::string::npos);
}

}  // namespace
}  // namespace synod::app
