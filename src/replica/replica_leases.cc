// The lease path of a Replica (see replica.h and leader_leases.h):
// - a grant without an id gets one here, before it is proposed, so every store applies the same;
// - the leader times leases in ticks, proposes LeaseRevoke for expired ones and LeaseCheckpoint
//   for long ones; a new leader promotes every lease (remaining TTL + an election timeout);
// - keep-alive and time-to-live are answered by the leader; a follower forwards them on
//   Channel::kLease and waits in reads_, so timeouts, leader changes and shutdown fail them as
//   they fail reads; LeaseLeases is answered from the local store, as etcd does.
#include "core/check.h"
#include "replica/replica.h"
#include "replica/replica_lease_messages.h"
#include "replica/replica_messages.h"
#include "replica/request_errors.h"

namespace synod::replica {
namespace {

kv::ApplyResult lease_error(const Status& status) {
  kv::ApplyResult result;
  result.status = status;
  return result;
}

void ignore_result(const kv::ApplyResult&) {}

bool is_lease_query(const kv::Command& command) {
  return std::holds_alternative<kv::LeaseKeepAliveRequest>(command) ||
         std::holds_alternative<kv::LeaseTimeToLiveRequest>(command);
}

int64_t query_id(const kv::Command& command) {
  if (const auto* keep_alive = std::get_if<kv::LeaseKeepAliveRequest>(&command)) return keep_alive->id;
  return std::get<kv::LeaseTimeToLiveRequest>(command).id;
}

}  // namespace

bool Replica::is_lease_request(const kv::Command& command) {
  if (const auto* grant = std::get_if<kv::LeaseGrantRequest>(&command)) return grant->id == 0;
  return is_lease_query(command) || std::holds_alternative<kv::LeaseLeasesRequest>(command);
}

int64_t Replica::next_lease_id() {
  constexpr uint64_t kSuffixMask = (uint64_t{1} << 48) - 1;
  for (;;) {
    const uint64_t suffix = (lease_id_prefix_ + ++lease_id_counter_) & kSuffixMask;
    // Positive, as etcd's (its ids are int64 masked to 63 bits); never 0 nor one in use.
    const auto id = static_cast<int64_t>(((lease_id_prefix_ & ~kSuffixMask) | suffix) &
                                         ~(uint64_t{1} << 63));
    if (id != 0 && store_.find_lease(id) == nullptr) return id;
  }
}

void Replica::submit_lease_request(const kv::Command& command, RequestDone done) {
  if (const auto* grant = std::get_if<kv::LeaseGrantRequest>(&command)) {
    submit_write(kv::LeaseGrantRequest{next_lease_id(), grant->ttl}, std::move(done));
    return;
  }
  if (std::holds_alternative<kv::LeaseLeasesRequest>(command)) {
    kv::LeaseLeasesResponse response;
    response.header.revision = store_.current_revision();
    for (const auto& entry : store_.leases()) response.ids.push_back(entry.first);
    kv::ApplyResult result;
    result.response = std::move(response);
    result.revision = store_.current_revision();
    done(result);
    return;
  }
  if (failed()) {
    done(lease_error(*failure_));
    return;
  }
  const consensus::NodeId leader = engine_->status().leader;
  if (leader == consensus::kNoNode) {
    done(lease_error(error_no_leader()));
    return;
  }
  if (leader == id()) {
    // Leadership not yet taken up by pump(): as etcd while its lessor is not yet primary.
    done(leader_leases_.is_primary() ? answer_lease_query(command) : lease_error(error_leader_changed()));
    return;
  }
  const uint64_t request_id = next_request_id();
  reads_.emplace(request_id,
                 std::make_pair(command, Waiter{std::move(done),
                                                now_tick_ + options_.request_timeout_ticks, leader}));
  LeaseMessage query;
  query.command = kv::encode_command(command);
  send_replica_message(leader, encode_replica_message(
                                   {Channel::kLease, request_id, 0, encode_lease_message(query)}));
}

void Replica::on_leadership_for_leases() {
  if (known_leader_ == id()) {
    leader_leases_.promote(store_.leases(), now_tick_, options_.engine.election_ticks);
  } else {
    leader_leases_.demote();
  }
}

void Replica::tick_leases() {
  if (!leader_leases_.is_primary() || failed()) return;
  leader_leases_.sync(store_.leases(), now_tick_);
  for (int64_t expired : leader_leases_.take_expired(now_tick_))
    submit_write(kv::LeaseRevokeRequest{expired}, ignore_result);
  for (std::vector<kv::LeaseCheckpoint>& batch : leader_leases_.take_checkpoints(store_.leases(), now_tick_))
    submit_write(kv::LeaseCheckpointRequest{std::move(batch)}, ignore_result);
}

kv::ApplyResult Replica::answer_lease_query(const kv::Command& command) {
  SYNOD_CHECK(is_lease_query(command), "only keep-alive and time-to-live are lease queries");
  kv::ApplyResult result;
  result.revision = store_.current_revision();
  const int64_t lease_id = query_id(command);
  const kv::Lease* lease = store_.find_lease(lease_id);
  if (std::holds_alternative<kv::LeaseKeepAliveRequest>(command)) {
    kv::LeaseKeepAliveResponse response{{result.revision}, lease_id, 0};
    if (lease != nullptr && leader_leases_.renew(lease_id, *lease, now_tick_)) {
      response.ttl = lease->ttl;
      // The renewal makes a checkpointed remaining TTL stale: clear it (as etcd's Renew does).
      if (lease->remaining_ttl > 0)
        submit_write(kv::LeaseCheckpointRequest{{{lease_id, 0}}}, ignore_result);
    }
    result.response = response;
    return result;
  }
  const auto& request = std::get<kv::LeaseTimeToLiveRequest>(command);
  kv::LeaseTimeToLiveResponse response;
  response.header.revision = result.revision;
  response.id = lease_id;
  if (lease != nullptr) {
    const uint64_t remaining = leader_leases_.remaining_ticks(lease_id, now_tick_)
                                   .value_or(leader_leases_.seconds_to_ticks(lease->ttl));
    response.ttl = leader_leases_.ticks_to_seconds_down(remaining);
    response.granted_ttl = lease->ttl;
    if (request.keys) response.keys.assign(lease->keys.begin(), lease->keys.end());
  }
  result.response = std::move(response);
  return result;
}

void Replica::receive_lease_message(consensus::NodeId from, const ReplicaMessage& message) {
  LeaseMessage lease_message;
  kv::Command command;
  const bool valid = decode_lease_message(message.body, lease_message) &&
                     (lease_message.kind != LeaseMessage::Kind::kQuery ||
                      (kv::decode_command(lease_message.command, command).ok() && is_lease_query(command)));
  if (!valid) {
    ++refused_messages_;
    env_.on_message_refused({from, id(), encode_replica_message(message)},
                            {StatusCode::kCorruption, "malformed lease message"});
    return;
  }
  if (lease_message.kind != LeaseMessage::Kind::kQuery) {
    answer_lease_waiter(message.request_id, lease_message);
    return;
  }
  LeaseMessage reply;
  if (engine_->status().leader != id() || !leader_leases_.is_primary()) {
    reply.kind = LeaseMessage::Kind::kRefused;
    reply.error = error_leader_changed().message();
  } else {
    const kv::ApplyResult result = answer_lease_query(command);
    reply.kind = LeaseMessage::Kind::kAnswer;
    if (const auto* keep_alive = std::get_if<kv::LeaseKeepAliveResponse>(&result.response)) {
      reply.id = keep_alive->id;
      reply.ttl = keep_alive->ttl;
    } else {
      const auto& time_to_live = std::get<kv::LeaseTimeToLiveResponse>(result.response);
      reply.id = time_to_live.id;
      reply.ttl = time_to_live.ttl;
      reply.granted_ttl = time_to_live.granted_ttl;
      reply.keys = time_to_live.keys;
    }
  }
  send_replica_message(from, encode_replica_message(
                                 {Channel::kLease, message.request_id, 0, encode_lease_message(reply)}));
}

// An answer or a refusal from the leader, for a waiter that must be the lease query it answers.
void Replica::answer_lease_waiter(uint64_t request_id, const LeaseMessage& answer) {
  auto it = reads_.find(request_id);
  if (it == reads_.end() || !is_lease_query(it->second.first)) return;
  const kv::Command command = it->second.first;
  if (answer.kind == LeaseMessage::Kind::kAnswer && answer.id != query_id(command)) return;
  RequestDone done = std::move(it->second.second.done);
  reads_.erase(it);
  if (answer.kind == LeaseMessage::Kind::kRefused) {
    done(lease_error({StatusCode::kUnavailable, answer.error}));
    return;
  }
  kv::ApplyResult result;
  result.revision = store_.current_revision();
  if (std::holds_alternative<kv::LeaseKeepAliveRequest>(command)) {
    result.response = kv::LeaseKeepAliveResponse{{result.revision}, answer.id, answer.ttl};
  } else {
    kv::LeaseTimeToLiveResponse response;
    response.header.revision = result.revision;
    response.id = answer.id;
    response.ttl = answer.ttl;
    response.granted_ttl = answer.granted_ttl;
    if (std::get<kv::LeaseTimeToLiveRequest>(command).keys) response.keys = answer.keys;
    result.response = std::move(response);
  }
  done(result);
}

}  // namespace synod::replica
