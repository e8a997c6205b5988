#pragma once
// MemberTable: the metadata of a cluster's members (etcd's membership.Member: name, peer URLs,
// client URLs), replicated through the log next to the engine's membership:
//   - MemberAdd, MemberRemove and MemberPromote travel as the engine's membership change entries,
//     whose context carries the MemberRequest (so the metadata and the change commit together);
//   - MemberUpdate and each member's publish of its own name and client URLs travel as ordinary
//     proposals (a version-2 ProposalEnvelope);
//   - bootstrap entries carry no context: each node fills those members in from its own
//     --initial-cluster (the same flags on every node, hence the same table).
// Who is a voter or a learner is the engine's Membership; this table only describes them.
// Removed ids are remembered (etcd refuses to re-add one: its id is derived from its peer URLs,
// and a node that was removed must not come back with a stale log).
//
// Snapshot format: "SYNODMT1" | bytes(table) | the store's snapshot (the rest). A snapshot without
// the magic is a store snapshot of a data directory written before member metadata existed.
//   table: varint count | per member: varint id | bytes name | varint n | n x bytes peer URL |
//          varint n | n x bytes client URL ; varint count | per removed id: varint id
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/log_types.h"

namespace synod::replica {

struct MemberInfo {
  consensus::NodeId id = consensus::kNoNode;
  std::string name;                      // empty until the member publishes it
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;  // empty until the member publishes them
  bool is_learner = false;               // from the engine's membership, when listed

  bool operator==(const MemberInfo&) const = default;
};

// One change of the metadata, as proposed (the origin's request rides with it).
struct MemberRequest {
  enum class Kind : uint8_t { kAdd = 0, kRemove = 1, kUpdate = 2, kPromote = 3, kPublish = 4 };
  Kind kind = Kind::kAdd;
  consensus::NodeId id = consensus::kNoNode;
  std::string name;                      // kPublish
  std::vector<std::string> peer_urls;    // kAdd, kUpdate
  std::vector<std::string> client_urls;  // kPublish
  bool is_learner = false;               // kAdd

  bool operator==(const MemberRequest&) const = default;
};

std::string encode_member_request(const MemberRequest& request);
// False on anything malformed (unknown kind, id 0, oversized lists, trailing bytes).
bool decode_member_request(std::string_view bytes, MemberRequest& request);

class MemberTable {
 public:
  // Bootstrap members (from the node's own configuration): used for ids added without context.
  void set_initial(const std::vector<MemberInfo>& initial);
  // A membership entry committed: an add with its request, or a bootstrap add without (null).
  void on_added(consensus::NodeId id, const MemberRequest* request);
  void on_removed(consensus::NodeId id);
  // kUpdate / kPublish; ignored for ids not in the table (removed meanwhile).
  void on_attributes(const MemberRequest& request);

  const MemberInfo* find(consensus::NodeId id) const;
  bool was_removed(consensus::NodeId id) const { return removed_.contains(id); }
  // The member (other than `except`) that already has one of `peer_urls`, or kNoNode.
  consensus::NodeId peer_url_owner(const std::vector<std::string>& peer_urls,
                                   consensus::NodeId except) const;
  const std::map<consensus::NodeId, MemberInfo>& members() const { return members_; }

  std::string encode() const;
  bool decode(std::string_view bytes);

 private:
  std::map<consensus::NodeId, MemberInfo> initial_;
  std::map<consensus::NodeId, MemberInfo> members_;
  std::set<consensus::NodeId> removed_;
};

std::string wrap_snapshot(const MemberTable& table, std::string_view store_snapshot);
// Splits a snapshot; false when its table is malformed. Old snapshots leave `table` empty.
bool unwrap_snapshot(std::string_view data, MemberTable& table, std::string_view& store_snapshot);

}  // namespace synod::replica
