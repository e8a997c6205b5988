// ReadIndex batching: every linearizable read that arrives between two pumps, local or forwarded
// by a follower, shares one ReadIndex request (one heartbeat round at the leader, one kReadIndex
// message from a follower) instead of one each.
//
// Why it is safe (thesis §6.4): a read must be served at an index at least the commit index of
// the moment it arrived. Every read of a batch arrived before the batch's request was made, and
// the leader takes the index when it handles that request, so the index serves all of them.
//
// One batch in flight at a time: reads that arrive while a batch awaits its index are held and go
// together once it is answered (pump() flushes again after each Ready). Under load a batch then
// carries every read of a round trip instead of the few of one pump, and the rounds and messages
// per read fall with the load. Holding a read back is safe: its index is taken later, so it is
// still at least the commit index of its arrival. A batch whose answer is lost holds the next
// one back for kReadBatchPatienceTicks only, and none outlasts a change of leader.
#include "replica/replica.h"
#include "replica/replica_messages.h"
#include "replica/request_errors.h"

namespace synod::replica {

void Replica::queue_read_index(consensus::NodeId origin, uint64_t origin_request_id) {
  if (origin == id()) {
    unsent_local_reads_.push_back(origin_request_id);
  } else {
    unsent_forwarded_reads_.push_back({origin, origin_request_id});
  }
}

void Replica::flush_read_batch() {
  // Batch ids grow, and so do their deadlines: the oldest ones that got no answer go first.
  while (!read_batches_.empty() && read_batches_.begin()->second.deadline_tick <= now_tick_)
    read_batches_.erase(read_batches_.begin());
  if (engine_ == nullptr || (unsent_local_reads_.empty() && unsent_forwarded_reads_.empty())) return;
  if (read_batch_in_flight()) return;
  ReadBatch batch;
  batch.local_reads.swap(unsent_local_reads_);
  batch.forwarded.swap(unsent_forwarded_reads_);
  batch.deadline_tick = now_tick_ + options_.request_timeout_ticks;
  batch.sent_tick = now_tick_;
  const uint64_t batch_id = next_request_id();
  const consensus::NodeId leader = engine_->status().leader;
  batch.leader = leader;
  if (leader == id()) {
    const Status started = engine_->read_index(batch_id);
    if (!started.ok()) {
      refuse_read_batch(batch, started.code() == StatusCode::kNotLeader ? error_leader_changed() : started);
      return;
    }
    read_batches_.emplace(batch_id, std::move(batch));
    return;
  }
  // Followers asked this replica as the leader it no longer is.
  ReadBatch forwarded_only;
  forwarded_only.forwarded.swap(batch.forwarded);
  refuse_read_batch(forwarded_only, error_leader_changed());
  // Without a leader the local reads wait: pump() fails them when it sees the leader change.
  if (batch.local_reads.empty() || leader == consensus::kNoNode) return;
  read_batches_.emplace(batch_id, std::move(batch));
  send_replica_message(leader, encode_replica_message({Channel::kReadIndex, batch_id, 0, {}}));
}

bool Replica::read_batch_in_flight() const {
  const consensus::NodeId leader = engine_->status().leader;
  for (const auto& [batch_id, batch] : read_batches_)
    if (batch.leader == leader && batch.sent_tick + kReadBatchPatienceTicks > now_tick_) return true;
  return false;
}

void Replica::release_read_batch(uint64_t batch_id, uint64_t index) {
  auto it = read_batches_.find(batch_id);
  if (it == read_batches_.end()) return;  // timed out meanwhile
  const ReadBatch batch = std::move(it->second);
  read_batches_.erase(it);
  for (uint64_t request_id : batch.local_reads) {
    auto read = reads_.find(request_id);
    if (read != reads_.end() && !is_lease_request(read->second.first))
      released_reads_.emplace(index, request_id);
  }
  for (const ForwardedRead& asker : batch.forwarded)
    send_replica_message(asker.origin, encode_replica_message(
                                           {Channel::kReadIndexReply, asker.origin_request_id, index, {}}));
}

void Replica::refuse_read_batch_by_id(uint64_t batch_id, const Status& refusal) {
  auto it = read_batches_.find(batch_id);
  if (it == read_batches_.end()) return;
  const ReadBatch batch = std::move(it->second);
  read_batches_.erase(it);
  refuse_read_batch(batch, refusal);
}

void Replica::refuse_read_batch(const ReadBatch& batch, const Status& refusal) {
  for (const ForwardedRead& asker : batch.forwarded)
    send_replica_message(asker.origin, encode_replica_message(
                                           {Channel::kReadRefused, asker.origin_request_id, 0, refusal.message()}));
  for (uint64_t request_id : batch.local_reads) {
    auto it = reads_.find(request_id);
    if (it == reads_.end()) continue;
    RequestDone done = std::move(it->second.second.done);
    reads_.erase(it);
    done(kv::ApplyResult{refusal, {}, {}, 0});
  }
}

void Replica::clear_read_batches() {
  unsent_local_reads_.clear();
  unsent_forwarded_reads_.clear();
  read_batches_.clear();
}

}  // namespace synod::replica
