// The request path of a Replica: writes proposed (or forwarded to the leader), reads through
// ReadIndex, answers, timeouts. See replica.h.
#include <type_traits>

#include "replica/replica.h"
#include "replica/replica_messages.h"
#include "replica/request_errors.h"

namespace synod::replica {

namespace {

kv::ApplyResult error_result(const Status& status) {
  kv::ApplyResult result;
  result.status = status;
  return result;
}

bool txn_writes(const kv::TxnRequest& txn) {
  auto writes = [](const std::vector<kv::RequestOp>& ops) {
    for (const kv::RequestOp& op : ops) {
      if (std::holds_alternative<kv::RangeRequest>(op.request)) continue;
      if (const auto* nested = std::get_if<kv::TxnRequest>(&op.request)) {
        if (txn_writes(*nested)) return true;
        continue;
      }
      return true;
    }
    return false;
  };
  return writes(txn.success) || writes(txn.failure);
}

// Writes that grow the store; those are refused past the quota (deletes and compactions free it).
bool grows_store(const kv::Command& command) {
  return std::holds_alternative<kv::PutRequest>(command) ||
         std::holds_alternative<kv::TxnRequest>(command);
}

}  // namespace

bool Replica::is_read(const kv::Command& command) const {
  if (std::holds_alternative<kv::RangeRequest>(command)) return true;
  if (const auto* txn = std::get_if<kv::TxnRequest>(&command)) return !txn_writes(*txn);
  return false;
}

void Replica::submit(const kv::Command& command, RequestDone done) {
  if (engine_ == nullptr) {
    done(error_result(error_stopped()));
    return;
  }
  if (is_lease_request(command)) {
    submit_lease_request(command, std::move(done));
  } else if (is_read(command)) {
    submit_read(command, std::move(done));
  } else {
    submit_write(command, std::move(done));
  }
  pump_if_eager();
}

void Replica::submit_write(const kv::Command& command, RequestDone done) {
  if (failed()) {
    done(error_result(*failure_));
    return;
  }
  std::string bytes = kv::encode_command(command);
  if (bytes.size() > options_.max_request_bytes) {
    done(error_result(error_request_too_large()));
    return;
  }
  if (grows_store(command) && refuses_growth()) {  // replica_alarms.cc
    done(error_result(error_no_space()));
    return;
  }
  submit_encoded_write(std::move(bytes), std::move(done));
}

void Replica::submit_encoded_write(std::string bytes, RequestDone done) {
  const consensus::EngineStatus engine_status = engine_->status();
  const consensus::NodeId leader = engine_status.leader;
  if (leader == consensus::kNoNode) {
    done(error_result(error_no_leader()));
    return;
  }
  const uint64_t request_id = next_request_id();
  writes_[request_id] = Waiter{std::move(done), now_tick_ + options_.request_timeout_ticks, leader};
  std::string envelope = encode_envelope({id(), request_id, std::move(bytes)});
  if (leader == id()) {
    propose_envelope(id(), request_id, std::move(envelope));
  } else {
    send_replica_message(leader, encode_replica_message({Channel::kForwardWrite, request_id, 0,
                                                         std::move(envelope), engine_status.term}));
  }
}

void Replica::propose_envelope(consensus::NodeId origin, uint64_t request_id, std::string envelope) {
  if (propose_member_envelope(origin, request_id, envelope)) return;
  consensus::ProposeResult result = engine_->propose(std::move(envelope));
  if (result.status.ok()) return;
  // A leader handing over (kProposalDropped) is, to a client, a leader change: retry.
  const StatusCode code = result.status.code();
  const Status refusal = code == StatusCode::kBusy ? error_too_many_requests()
                         : code == StatusCode::kNotLeader || code == StatusCode::kProposalDropped
                             ? error_leader_changed()
                             : result.status;
  if (origin == id()) {
    answer(request_id, error_result(refusal));
  } else {
    send_replica_message(origin, encode_replica_message(
                                     {Channel::kWriteRefused, request_id, 0, refusal.message()}));
  }
}

void Replica::submit_read(const kv::Command& command, RequestDone done) {
  const auto* range = std::get_if<kv::RangeRequest>(&command);
  if (range != nullptr && range->serializable) {
    kv::ApplyResult result;
    kv::RangeResponse response;
    result.status = store_.range(*range, response);
    result.response = std::move(response);
    result.revision = store_.current_revision();
    done(result);
    return;
  }
  if (failed()) {
    done(error_result(*failure_));
    return;
  }
  const consensus::NodeId leader = engine_->status().leader;
  if (leader == consensus::kNoNode) {
    done(error_result(error_no_leader()));
    return;
  }
  const uint64_t request_id = next_request_id();
  reads_.emplace(request_id,
                 std::make_pair(command, Waiter{std::move(done),
                                                now_tick_ + options_.request_timeout_ticks, leader}));
  queue_read_index(id(), request_id);  // replica_read_batch.cc
}

void Replica::on_read_index(uint64_t request_id, uint64_t index) {
  release_read_batch(request_id, index);  // false: the batch timed out meanwhile
}

void Replica::serve_released_reads() {
  while (!released_reads_.empty() && released_reads_.begin()->first <= applied_index_) {
    const uint64_t request_id = released_reads_.begin()->second;
    released_reads_.erase(released_reads_.begin());
    auto it = reads_.find(request_id);
    if (it == reads_.end()) continue;  // timed out meanwhile
    const kv::Command command = std::move(it->second.first);
    RequestDone done = std::move(it->second.second.done);
    reads_.erase(it);
    kv::ApplyResult result;
    if (const auto* range = std::get_if<kv::RangeRequest>(&command)) {
      kv::RangeResponse response;
      result.status = store_.range(*range, response);
      result.response = std::move(response);
    } else {
      kv::TxnResponse response;
      result.status = store_.txn(std::get<kv::TxnRequest>(command), response);
      result.response = std::move(response);
    }
    result.revision = store_.current_revision();
    done(result);
  }
}

void Replica::answer(uint64_t request_id, const kv::ApplyResult& result) {
  auto it = writes_.find(request_id);
  if (it == writes_.end()) return;  // timed out, or proposed by an earlier incarnation
  RequestDone done = std::move(it->second.done);
  writes_.erase(it);
  done(result);
}

void Replica::receive_replica_message(const consensus::Message& message) {
  ReplicaMessage decoded;
  if (!decode_replica_message(message.payload, decoded)) return;
  switch (decoded.channel) {
    case Channel::kForwardWrite:
      receive_forwarded_write(message.from, decoded);
      break;
    case Channel::kWriteRefused:
      answer(decoded.request_id, error_result({StatusCode::kUnavailable, decoded.body}));
      break;
    case Channel::kReadIndex:
      queue_read_index(message.from, decoded.request_id);
      break;
    case Channel::kReadIndexReply:
      release_read_batch(decoded.request_id, decoded.index);
      serve_released_reads();
      break;
    case Channel::kLease:
      receive_lease_message(message.from, decoded);
      break;
    case Channel::kReadRefused:
      refuse_read_batch_by_id(decoded.request_id, {StatusCode::kUnavailable, decoded.body});
      break;
    case Channel::kEngine:
      break;
  }
  pump_if_eager();
}

// See forwarded_writes_handled_ (replica.h) for why a forward is handled at most once.
void Replica::receive_forwarded_write(consensus::NodeId from, ReplicaMessage& message) {
  ProposalEnvelope envelope;
  if (!decode_envelope(message.body, envelope) || envelope.origin != from) {
    ++refused_messages_;
    env_.on_message_refused({from, id(), encode_replica_message(message)},
                            {StatusCode::kCorruption, "malformed forwarded write"});
    return;
  }
  if (message.term <= start_term_) return;
  const std::pair<consensus::NodeId, uint64_t> key{from, message.request_id};
  if (!forwarded_writes_handled_.insert(key).second) return;
  forwarded_write_expiry_.emplace_back(now_tick_ + options_.request_timeout_ticks, key);
  if (engine_->status().leader != id()) {
    send_replica_message(from, encode_replica_message({Channel::kWriteRefused, message.request_id, 0,
                                                       error_leader_changed().message()}));
    return;
  }
  propose_envelope(from, message.request_id, std::move(message.body));
}

void Replica::send_replica_message(consensus::NodeId to, std::string payload) {
  env_.send(consensus::Message{id(), to, std::move(payload)});
}

void Replica::expire_requests() {
  while (!forwarded_write_expiry_.empty() && forwarded_write_expiry_.front().first <= now_tick_) {
    forwarded_writes_handled_.erase(forwarded_write_expiry_.front().second);
    forwarded_write_expiry_.pop_front();
  }
  for (auto it = writes_.begin(); it != writes_.end();) {
    if (it->second.deadline_tick > now_tick_) {
      ++it;
      continue;
    }
    RequestDone done = std::move(it->second.done);
    it = writes_.erase(it);
    done(error_result(error_timeout()));
  }
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.second.deadline_tick > now_tick_) {
      ++it;
      continue;
    }
    RequestDone done = std::move(it->second.second.done);
    it = reads_.erase(it);
    done(error_result(error_timeout()));
  }
}

void Replica::fail_requests_sent_to_other_leaders(consensus::NodeId leader) {
  for (auto it = writes_.begin(); it != writes_.end();) {
    if (it->second.leader == leader) {
      ++it;
      continue;
    }
    RequestDone done = std::move(it->second.done);
    it = writes_.erase(it);
    done(error_result(error_leader_failed()));
  }
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.second.leader == leader) {
      ++it;
      continue;
    }
    RequestDone done = std::move(it->second.second.done);
    it = reads_.erase(it);
    done(error_result(error_leader_changed()));
  }
}

void Replica::fail_all(const Status& reason) {
  std::map<uint64_t, Waiter> writes = std::move(writes_);
  auto reads = std::move(reads_);
  writes_.clear();
  reads_.clear();
  released_reads_.clear();
  clear_read_batches();
  for (auto& [request_id, waiter] : writes) waiter.done(error_result(reason));
  for (auto& [request_id, read] : reads) read.second.done(error_result(reason));
}

}  // namespace synod::replica
