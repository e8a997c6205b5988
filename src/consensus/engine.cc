#include "consensus/engine.h"

#include <algorithm>

#include "core/codec.h"

namespace synod::consensus {
namespace {
void insert_sorted(std::vector<NodeId>& nodes, NodeId node) {
  nodes.insert(std::lower_bound(nodes.begin(), nodes.end(), node), node);
}
void erase_sorted(std::vector<NodeId>& nodes, NodeId node) {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), node);
  if (it != nodes.end() && *it == node) nodes.erase(it);
}
}  // namespace

Status apply_membership_change(Membership& membership, const MembershipChange& change) {
  using Type = MembershipChange::Type;
  if (change.node == kNoNode) return {StatusCode::kInvalidArgument, "node id 0 is reserved"};
  switch (change.type) {
    case Type::kAddVoter:
      if (membership.is_voter(change.node))
        return {StatusCode::kInvalidArgument, "node is already a voter"};
      erase_sorted(membership.learners, change.node);
      insert_sorted(membership.voters, change.node);
      return Status::Ok();
    case Type::kAddLearner:
      if (membership.contains(change.node))
        return {StatusCode::kInvalidArgument, "node is already a member"};
      insert_sorted(membership.learners, change.node);
      return Status::Ok();
    case Type::kPromoteLearner:
      if (!membership.is_learner(change.node))
        return {StatusCode::kInvalidArgument, "only a learner can be promoted"};
      erase_sorted(membership.learners, change.node);
      insert_sorted(membership.voters, change.node);
      return Status::Ok();
    case Type::kRemoveNode:
      if (!membership.contains(change.node))
        return {StatusCode::kInvalidArgument, "node is not a member"};
      if (membership.is_voter(change.node) && membership.voters.size() == 1)
        return {StatusCode::kInvalidArgument, "cannot remove the last voter"};
      erase_sorted(membership.voters, change.node);
      erase_sorted(membership.learners, change.node);
      return Status::Ok();
  }
  return {StatusCode::kInvalidArgument, "unknown membership change"};
}

std::string encode_membership_change(const MembershipChange& change) {
  ByteWriter writer;
  writer.u8(static_cast<uint8_t>(change.type));
  writer.u64(change.node);
  if (!change.context.empty()) writer.bytes(change.context);
  return writer.take();
}

bool decode_membership_change(std::string_view bytes, MembershipChange& change) {
  ByteReader reader(bytes);
  uint8_t type;
  uint64_t node;
  if (!reader.u8(type) || !reader.u64(node)) return false;
  std::string context;
  if (!reader.at_end() && (!reader.bytes(context) || !reader.at_end() || context.empty())) return false;
  if (type > static_cast<uint8_t>(MembershipChange::Type::kRemoveNode)) return false;
  change.type = static_cast<MembershipChange::Type>(type);
  change.node = node;
  change.context = std::move(context);
  return true;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
    case Role::kLearner: return "learner";
  }
  return "unknown";
}

}  // namespace synod::consensus
