// Member metadata and the Cluster requests of a Replica (see member_table.h): how they are
// validated at the leader (etcd's checks and error texts), replicated and applied.
#include <algorithm>

#include "replica/replica.h"
#include "replica/replica_messages.h"
#include "replica/request_errors.h"

namespace synod::replica {
namespace {

using Kind = MemberRequest::Kind;

Status member_error(StatusCode code, const char* text) { return {code, text}; }
Status error_member_not_found() {
  return member_error(StatusCode::kInvalidArgument, "etcdserver: member not found");
}

// etcd 3.4 allows one learner at a time (membership.maxLearners).
constexpr size_t kMaxLearners = 1;
// etcd promotes a learner only once its log matches 90% of the leader's (isLearnerReady).
constexpr double kLearnerReadyFraction = 0.9;

kv::ApplyResult ok_result(int64_t revision) {
  kv::ApplyResult result;
  result.revision = revision;
  return result;
}

}  // namespace

void Replica::submit_member_request(const MemberRequest& request, RequestDone done) {
  kv::ApplyResult refused;
  if (engine_ == nullptr) {
    refused.status = error_stopped();
  } else if (failed()) {
    refused.status = *failure_;
  } else if (engine_->status().leader == consensus::kNoNode) {
    refused.status = error_no_leader();
  }
  if (!refused.status.ok()) {
    done(refused);
    return;
  }
  const consensus::NodeId leader = engine_->status().leader;
  const uint64_t request_id = next_request_id();
  writes_[request_id] = Waiter{std::move(done), now_tick_ + options_.request_timeout_ticks, leader};
  ProposalEnvelope envelope{id(), request_id, encode_member_request(request), true};
  std::string bytes = encode_envelope(envelope);
  if (leader == id()) {
    propose_envelope(id(), request_id, std::move(bytes));
  } else {
    send_replica_message(leader, encode_replica_message({Channel::kForwardWrite, request_id, 0,
                                                         std::move(bytes), engine_->status().term}));
  }
  pump_if_eager();
}

std::vector<MemberInfo> Replica::members() const {
  std::vector<MemberInfo> list;
  for (const auto& ids : {membership_.voters, membership_.learners}) {
    for (consensus::NodeId node : ids) {
      const MemberInfo* known = members_.find(node);
      MemberInfo member = known != nullptr ? *known : MemberInfo{};
      member.id = node;
      member.is_learner = membership_.is_learner(node);
      list.push_back(std::move(member));
    }
  }
  std::sort(list.begin(), list.end(), [](const MemberInfo& a, const MemberInfo& b) { return a.id < b.id; });
  return list;
}

// Returns false when `envelope` is not a member request (the caller proposes it as a write).
bool Replica::propose_member_envelope(consensus::NodeId origin, uint64_t request_id,
                                      std::string& envelope) {
  ProposalEnvelope decoded;
  if (!decode_envelope(envelope, decoded) || !decoded.member) return false;
  MemberRequest request;
  if (!decode_member_request(decoded.command, request)) {
    refuse_proposal(origin, request_id, {StatusCode::kInvalidArgument, "malformed member request"});
    return true;
  }
  if (Status checked = check_member_request(request); !checked.ok()) {
    refuse_proposal(origin, request_id, checked);
    return true;
  }
  consensus::ProposeResult result;
  using Change = consensus::MembershipChange::Type;
  switch (request.kind) {
    case Kind::kAdd:
      result = engine_->change_membership(
          {request.is_learner ? Change::kAddLearner : Change::kAddVoter, request.id, envelope});
      break;
    case Kind::kRemove:
      result = engine_->change_membership({Change::kRemoveNode, request.id, envelope});
      break;
    case Kind::kPromote:
      result = engine_->change_membership({Change::kPromoteLearner, request.id, envelope});
      break;
    case Kind::kUpdate:
    case Kind::kPublish:
      result = engine_->propose(std::move(envelope));
      break;
  }
  if (result.status.ok()) return true;
  const StatusCode code = result.status.code();
  refuse_proposal(origin, request_id,
                  code == StatusCode::kBusy       ? error_too_many_requests()
                  : code == StatusCode::kNotLeader ? error_leader_changed()
                                                   : Status{StatusCode::kUnavailable,
                                                            result.status.message()});
  return true;
}

void Replica::refuse_proposal(consensus::NodeId origin, uint64_t request_id, const Status& refusal) {
  if (origin == id()) {
    kv::ApplyResult result;
    result.status = refusal;
    answer(request_id, result);
  } else {
    send_replica_message(origin, encode_replica_message(
                                     {Channel::kWriteRefused, request_id, 0, refusal.message()}));
  }
}

// etcd's ValidateConfigurationChange, mayRemoveMember and mayPromoteMember, at the leader.
Status Replica::check_member_request(const MemberRequest& request) const {
  const consensus::EngineStatus engine = engine_->status();
  const consensus::Membership& membership = engine.membership;
  const bool is_member = membership.contains(request.id) && !members_.was_removed(request.id);
  switch (request.kind) {
    case Kind::kAdd:
      // etcd adds a member only while it hears from every voter (mayAddMember, before proposing).
      // A voter that never acknowledged an entry (match 0) has not been heard from at all.
      for (consensus::NodeId voter : membership.voters) {
        if (voter == id()) continue;
        bool active = false;
        for (const auto& peer : engine.peers)
          active |= peer.node == voter && peer.recently_active && peer.match > 0;
        if (!active) return member_error(StatusCode::kUnavailable, "etcdserver: unhealthy cluster");
      }
      if (request.peer_urls.empty())
        return member_error(StatusCode::kInvalidArgument, "etcdserver: given member URLs are invalid");
      // Peer URLs first: equal URLs derive an equal id, and etcd (random ids) reports the URLs.
      if (members_.peer_url_owner(request.peer_urls, consensus::kNoNode) != consensus::kNoNode)
        return member_error(StatusCode::kInvalidArgument, "etcdserver: Peer URLs already exists");
      if (members_.was_removed(request.id)) return error_member_not_found();
      if (membership.contains(request.id))
        return member_error(StatusCode::kInvalidArgument, "etcdserver: member ID already exist");
      if (request.is_learner && membership.learners.size() >= kMaxLearners)
        return member_error(StatusCode::kInvalidArgument,
                            "etcdserver: too many learner members in cluster");
      return Status::Ok();
    case Kind::kRemove: {
      if (!is_member) return error_member_not_found();
      if (membership.is_learner(request.id)) return Status::Ok();
      // Removing a voter must leave a quorum of the voters this leader hears from.
      size_t active = 1;  // this leader
      bool target_active = request.id == id();
      for (const auto& peer : engine.peers) {
        if (!membership.is_voter(peer.node) || !peer.recently_active || peer.match == 0) continue;
        ++active;
        if (peer.node == request.id) target_active = true;
      }
      if (!target_active) return Status::Ok();  // a member that is down is not in the quorum
      const size_t voters = membership.voters.size();
      if (active - 1 < 1 + (voters - 1) / 2)
        return member_error(StatusCode::kUnavailable, "etcdserver: unhealthy cluster");
      return Status::Ok();
    }
    case Kind::kPromote: {
      if (!is_member) return error_member_not_found();
      if (!membership.is_learner(request.id))
        return member_error(StatusCode::kInvalidArgument, "etcdserver: can only promote a learner member");
      uint64_t match = 0;
      for (const auto& peer : engine.peers)
        if (peer.node == request.id) match = peer.match;
      if (static_cast<double>(match) < static_cast<double>(engine.last_index) * kLearnerReadyFraction)
        return member_error(StatusCode::kInvalidArgument,
                            "etcdserver: can only promote a learner member which is in sync with leader");
      return Status::Ok();
    }
    case Kind::kUpdate:
      if (!is_member) return error_member_not_found();
      if (request.peer_urls.empty())
        return member_error(StatusCode::kInvalidArgument, "etcdserver: given member URLs are invalid");
      if (members_.peer_url_owner(request.peer_urls, request.id) != consensus::kNoNode)
        return member_error(StatusCode::kInvalidArgument, "etcdserver: Peer URLs already exists");
      return Status::Ok();
    case Kind::kPublish:
      if (!is_member) return error_member_not_found();
      return Status::Ok();
  }
  return {StatusCode::kInvalidArgument, "unknown member request"};
}

void Replica::apply_membership_entry(const consensus::Entry& entry) {
  consensus::MembershipChange change;
  if (!consensus::decode_membership_change(entry.data, change)) return;
  // The engine skips a change that does not fit; so does the metadata. Bootstrap entries (no
  // context) may repeat the initial membership this replica starts from: they still name members.
  const bool fits = consensus::apply_membership_change(membership_, change).ok();
  if (!fits && !change.context.empty()) return;
  ProposalEnvelope envelope;
  MemberRequest request;
  const bool has_request = !change.context.empty() && decode_envelope(change.context, envelope) &&
                           envelope.member && decode_member_request(envelope.command, request);
  using Type = consensus::MembershipChange::Type;
  if (change.type == Type::kAddVoter || change.type == Type::kAddLearner) {
    members_.on_added(change.node, has_request ? &request : nullptr);
  } else if (change.type == Type::kRemoveNode && fits) {
    members_.on_removed(change.node);
  }
  env_.on_members_changed();
  if (has_request && envelope.origin == id())
    answer(envelope.request_id, ok_result(store_.current_revision()));
}

void Replica::apply_member_envelope(const ProposalEnvelope& envelope) {
  MemberRequest request;
  if (decode_member_request(envelope.command, request)) {
    members_.on_attributes(request);
    env_.on_members_changed();
  }
  if (envelope.origin == id()) answer(envelope.request_id, ok_result(store_.current_revision()));
}

Status Replica::restore_snapshot_data(std::string_view data) {
  MemberTable table;
  table.set_initial(options_.initial_members);
  std::string_view store_snapshot;
  if (!unwrap_snapshot(data, table, store_snapshot))
    return {StatusCode::kCorruption, "malformed member table"};
  Status restored = restore_state(store_snapshot);  // alarms and the store (replica_alarms.cc)
  if (!restored.ok()) return restored;
  members_ = std::move(table);
  return Status::Ok();
}

std::string Replica::snapshot_data() const { return wrap_snapshot(members_, state_snapshot()); }

}  // namespace synod::replica
