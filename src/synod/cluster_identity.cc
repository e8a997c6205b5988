#include "synod/cluster_identity.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

#include "core/check.h"

namespace synod::app {
namespace {

// The first non-zero hash over seeds 0, 1, 2...: 0 means "no node" to the engines.
uint64_t nonzero_hash(const std::string& bytes) {
  for (uint64_t seed = 0;; ++seed) {
    const uint64_t hash = XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
    if (hash != 0) return hash;
  }
}

}  // namespace

consensus::NodeId derive_member_id(std::vector<std::string> canonical_peer_urls,
                                   std::string_view cluster_token) {
  std::sort(canonical_peer_urls.begin(), canonical_peer_urls.end());
  // etcd concatenates without separators; a NUL after each URL keeps "a"+"bc" apart from "ab"+"c".
  std::string bytes;
  for (const std::string& url : canonical_peer_urls) {
    SYNOD_CHECK(url.find('\0') == std::string::npos, "a peer URL contains NUL");
    bytes += url;
    bytes += '\0';
  }
  bytes += cluster_token;
  return nonzero_hash(bytes);
}

uint64_t derive_cluster_id(std::vector<consensus::NodeId> member_ids) {
  std::sort(member_ids.begin(), member_ids.end());
  std::string bytes;
  for (consensus::NodeId id : member_ids) {
    for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>((id >> shift) & 0xff);
  }
  return nonzero_hash(bytes);
}

Status assign_cluster_identity(server::NodeConfig& config, std::string_view cluster_token) {
  std::vector<server::Member>& members = config.initial_members;
  for (server::Member& member : members) member.id = derive_member_id(member.peer_urls, cluster_token);
  std::sort(members.begin(), members.end(),
            [](const server::Member& a, const server::Member& b) { return a.id < b.id; });
  std::vector<consensus::NodeId> ids;
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0 && members[i].id == members[i - 1].id) {
      return Status(StatusCode::kInvalidArgument,
                    "members \"" + members[i - 1].name + "\" and \"" + members[i].name +
                        "\" hash to the same member id " + format_id(members[i].id) +
                        "; change --initial-cluster-token");
    }
    ids.push_back(members[i].id);
  }
  config.id = consensus::kNoNode;
  for (const server::Member& member : members) {
    if (member.name == config.name) config.id = member.id;
  }
  if (config.id == consensus::kNoNode) {
    return Status(StatusCode::kInvalidArgument,
                  "--name \"" + config.name + "\" is not a member of --initial-cluster");
  }
  config.cluster_id = derive_cluster_id(std::move(ids));
  return Status::Ok();
}

std::string format_id(uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof(text), "%llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace synod::app
