// Member and cluster ids: the same on every node from the same flags, distinct across members and
// tokens, never 0, and pinned (a change would orphan existing data directories).
#include <gtest/gtest.h>

#include <set>

#include "synod/cluster_identity.h"
#include "synod/options.h"

namespace synod::app {
namespace {

const std::string kCluster = "a=http://127.0.0.1:12380,b=http://127.0.0.1:22380,c=http://127.0.0.1:32380";
const std::string kClusterReordered =
    "c=http://localhost:32380,a=http://127.0.0.1:12380,b=http://127.0.0.1:22380";

server::NodeConfig config_of(const std::string& name, int peer_port, const std::string& cluster,
                             const std::string& token = "synod-cluster") {
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
  CommandLine command_line = parse_command_line(
      {"--name", name, "--listen-client-urls", "http://127.0.0.1:" + std::to_string(peer_port - 1),
       "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
       "--initial-cluster-token", token});
  EXPECT_EQ(command_line.action, CommandLine::Action::kServe) << command_line.text;
  return command_line.options.node;
}

std::vector<consensus::NodeId> ids_of(const server::NodeConfig& config) {
  std::vector<consensus::NodeId> ids;
  for (const server::Member& member : config.initial_members) ids.push_back(member.id);
  return ids;
}

TEST(ClusterIdentityTest, EveryNodeComputesTheSameIdsWhateverTheFlagOrder) {
  const server::NodeConfig a = config_of("a", 12380, kCluster);
  const server::NodeConfig b = config_of("b", 22380, kClusterReordered);
  const server::NodeConfig c = config_of("c", 32380, kCluster);
  EXPECT_EQ(ids_of(a), ids_of(b));
  EXPECT_EQ(ids_of(a), ids_of(c));
  EXPECT_EQ(a.cluster_id, b.cluster_id);
  EXPECT_EQ(a.cluster_id, c.cluster_id);
  // Members sorted by id, the same list on every node.
  const std::vector<consensus::NodeId> ids = ids_of(a);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.initial_members[i].name, b.initial_members[i].name);
    EXPECT_EQ(a.initial_members[i].peer_urls, b.initial_members[i].peer_urls);
  }
}

TEST(ClusterIdentityTest, EachNodeIsItsOwnMemberAndAllAreDistinct) {
  std::set<consensus::NodeId> own_ids;
  for (const auto& [name, port] : std::vector<std::pair<std::string, int>>{{"a", 12380}, {"b", 22380}, {"c", 32380}}) {
    const server::NodeConfig config = config_of(name, port, kCluster);
    own_ids.insert(config.id);
    for (const server::Member& member : config.initial_members) {
      EXPECT_NE(member.id, consensus::kNoNode);
      EXPECT_EQ(member.id == config.id, member.name == name);
    }
    EXPECT_NE(config.cluster_id, 0u);
  }
  EXPECT_EQ(own_ids.size(), 3u);
}

TEST(ClusterIdentityTest, TheTokenSeparatesClusters) {
  const server::NodeConfig first = config_of("a", 12380, kCluster, "one");
  const server::NodeConfig second = config_of("a", 12380, kCluster, "two");
  EXPECT_NE(first.id, second.id);
  EXPECT_NE(first.cluster_id, second.cluster_id);
  std::set<consensus::NodeId> all;
  for (consensus::NodeId id : ids_of(first)) all.insert(id);
  for (consensus::NodeId id : ids_of(second)) all.insert(id);
  EXPECT_EQ(all.size(), 6u);
}

TEST(ClusterIdentityTest, MemberIdIgnoresUrlOrderButNotUrlsOrToken) {
  const consensus::NodeId id = derive_member_id({"http://10.0.0.1:2380", "http://10.0.0.2:2380"}, "t");
  EXPECT_EQ(id, derive_member_id({"http://10.0.0.2:2380", "http://10.0.0.1:2380"}, "t"));
  EXPECT_NE(id, derive_member_id({"http://10.0.0.1:2380"}, "t"));
  EXPECT_NE(id, derive_member_id({"http://10.0.0.1:2380", "http://10.0.0.2:2380"}, "u"));
  // The separator keeps URL boundaries: moving bytes between the URLs and the token changes the id.
  EXPECT_NE(derive_member_id({"ab"}, "c"), derive_member_id({"a"}, "bc"));
}

TEST(ClusterIdentityTest, ClusterIdIgnoresOrderButNotMembers) {
  EXPECT_EQ(derive_cluster_id({1, 2, 3}), derive_cluster_id({3, 1, 2}));
  EXPECT_NE(derive_cluster_id({1, 2, 3}), derive_cluster_id({1, 2}));
  EXPECT_NE(derive_cluster_id({1, 2, 3}), derive_cluster_id({1, 2, 4}));
  EXPECT_NE(derive_cluster_id({}), 0u);
}

TEST(ClusterIdentityTest, ManyIdsNoneZeroNoneEqual) {
  std::set<consensus::NodeId> ids;
  for (int port = 1; port <= 5000; ++port) {
    const consensus::NodeId id = derive_member_id({"http://127.0.0.1:" + std::to_string(port)}, "synod-cluster");
    EXPECT_NE(id, consensus::kNoNode);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5000u);
}

// Pinned: these values are in every data directory and every peer handshake of existing
// clusters. If this test fails, the derivation changed; that breaks restarts.
TEST(ClusterIdentityTest, DerivationIsPinned) {
  EXPECT_EQ(format_id(derive_member_id({"http://127.0.0.1:2380"}, "synod-cluster")), "c6878a280771845a");
  EXPECT_EQ(format_id(derive_cluster_id({derive_member_id({"http://127.0.0.1:2380"}, "synod-cluster")})),
            "69abac88e425c64c");
}

TEST(ClusterIdentityTest, EqualIdsAreRefusedNamingBothMembers) {
  server::NodeConfig config;
  config.name = "a";
  server::Member a;
  a.name = "a";
  a.peer_urls = {"http://127.0.0.1:2380"};
  server::Member b = a;
  b.name = "b";
  config.initial_members = {a, b};
  const Status status = assign_cluster_identity(config, "t");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "members \"a\" and \"b\" hash to the same member id " +
                                  format_id(derive_member_id(a.peer_urls, "t")) +
                                  "; change --initial-cluster-token");
}

TEST(ClusterIdentityTest, IdsPrintLikeEtcd) {
  EXPECT_EQ(format_id(0x8e9e05c52164694dull), "8e9e05c52164694d");
  EXPECT_EQ(format_id(0x1a), "1a");
}

}  // namespace
}  // namespace synod::app
