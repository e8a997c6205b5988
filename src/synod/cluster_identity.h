#pragma once
// Member ids and the cluster id, derived from the flags alone so that every node of a new cluster
// computes the same ones without talking to the others. The recipe is etcd's
// (membership.NewMember and RaftCluster.genID in etcd 3.4) with XXH3-64 in place of SHA-1:
//   member id  = hash(the member's peer URLs, canonical and sorted, then the cluster token);
//   cluster id = hash(the sorted member ids, 8 bytes big-endian each).
// So two clusters started from the same peer URLs but different --initial-cluster-token values
// get different ids, and a node of one refuses the peer connections of the other.
// Changing this recipe changes the ids of existing data directories: it is part of the format.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/log_types.h"
#include "core/status.h"
#include "server/node.h"

namespace synod::app {

// Never kNoNode (0): a zero hash is rehashed with the next seed.
// `canonical_peer_urls` must not contain NUL (a separator in the hashed bytes); their order does
// not matter.
consensus::NodeId derive_member_id(std::vector<std::string> canonical_peer_urls,
                                   std::string_view cluster_token);

// Never 0. The order of `member_ids` does not matter.
uint64_t derive_cluster_id(std::vector<consensus::NodeId> member_ids);

// Fills every member's id, sorts the members by id (the same order on every node, whatever the
// order of --initial-cluster) and fills config.id (the member named config.name) and
// config.cluster_id. Fails, naming both members, in the unlikely case of two equal ids.
Status assign_cluster_identity(server::NodeConfig& config, std::string_view cluster_token);

// "8e9e05c52164694d": ids printed the way etcd and etcdctl print them.
std::string format_id(uint64_t id);

}  // namespace synod::app
