#include "replica/replica.h"

#include "core/check.h"
#include "replica/replica_messages.h"
#include "replica/request_errors.h"
#include "replica/entry_reader.h"
#include "replica/snapshot_reader.h"

namespace synod::replica {

using consensus::Entry;
using consensus::EntryKind;
using consensus::Ready;

Replica::Replica(ReplicaEnv& env, storage::FileSystem& fs, ReplicaOptions options)
    : env_(env), fs_(fs), options_(std::move(options)), store_(options_.store) {
  SYNOD_CHECK(options_.engine_entry != nullptr, "a replica needs an engine");
}

Replica::~Replica() = default;

Status Replica::start(std::vector<std::string>& repairs) {
  SYNOD_CHECK(engine_ == nullptr, "a replica starts once");
  consensus::DurableState state;
  Status opened = storage::DurableStorage::open(fs_, options_.data_dir, options_.storage, storage_,
                                                state, repairs);
  if (!opened.ok()) return opened;
  env_.on_recovered(state, repairs);
  start_term_ = state.hard_state.term;
  membership_ = options_.engine.initial_membership;
  members_.set_initial(options_.initial_members);
  if (state.snapshot) {
    Status restored = restore_snapshot_data(state.snapshot->data);
    if (!restored.ok())
      return {StatusCode::kCorruption, "the snapshot at index " +
                                           std::to_string(state.snapshot->meta.index) +
                                           " does not restore: " + restored.message()};
    membership_ = state.snapshot->meta.membership;
    applied_index_ = state.snapshot->meta.index;
    applied_term_ = state.snapshot->meta.term;
    last_snapshot_index_ = applied_index_;
    snapshot_bytes_ = static_cast<int64_t>(state.snapshot->data.size());
  }
  Random random(options_.engine.seed ^ 0x5eed5eed5eed5eedull);
  request_id_base_ = random.next() & ~0xffffffffull;  // the counter owns the low 32 bits
  lease_id_prefix_ = ((id() & 0xffff) << 48) | ((random.next() & 0xffffffffffull) << 8);
  leader_leases_ = LeaderLeases(options_.leases);
  engine_ = options_.engine_entry->create(options_.engine, std::move(state));
  auto report = [this](const Status& why) { env_.on_read_back_failed(why); };
  snapshot_reader_ = std::make_unique<SnapshotReader>(*storage_, report);
  engine_->set_snapshot_source(snapshot_reader_.get());
  entry_reader_ = std::make_unique<EntryReader>(*storage_, report);
  // The catch-up window also bounds the payloads kept in memory: older ones are read back.
  engine_->set_entry_source(entry_reader_.get(), options_.snapshot_catch_up_entries);
  pump();
  return Status::Ok();
}

void Replica::tick() {
  ++now_tick_;
  if (engine_ == nullptr || failed()) return;
  engine_->tick();
  expire_requests();
  tick_leases();
  pump_if_eager();
}

void Replica::receive(const consensus::Message& message) {
  if (engine_ == nullptr || failed()) return;
  ReplicaMessage decoded;
  if (!decode_replica_message(message.payload, decoded)) {
    ++refused_messages_;
    env_.on_message_refused(message, {StatusCode::kCorruption, "malformed replica message"});
    return;
  }
  if (decoded.channel != Channel::kEngine) {
    receive_replica_message(message);
    return;
  }
  consensus::Message engine_message{message.from, message.to, std::move(decoded.body)};
  if (Status stepped = engine_->step(engine_message); !stepped.ok()) {
    ++refused_messages_;
    env_.on_message_refused(message, stepped);
  }
  pump_if_eager();
}

void Replica::pump() {
  // A Ready may answer the batch in flight: the reads held behind it go at once (replica_read_batch.cc).
  for (;;) {
    if (!failed()) flush_read_batch();
    if (engine_ == nullptr || failed() || ready_outstanding_ || !engine_->has_ready()) break;
    ready_outstanding_ = true;
    handle_ready(engine_->ready());
  }
  const consensus::EngineStatus engine_status = engine_ ? engine_->status() : consensus::EngineStatus{};
  if (engine_status.leader != known_leader_ || engine_status.term != known_term_) {
    const bool leader_changed = engine_status.leader != known_leader_;
    known_leader_ = engine_status.leader;
    known_term_ = engine_status.term;
    if (leader_changed) {
      env_.on_leader_change(known_leader_, known_term_);
      fail_requests_sent_to_other_leaders(known_leader_);
      on_leadership_for_leases();
    }
  }
}

void Replica::handle_ready(Ready ready) {
  bool messages_sent = false;
  if (options_.ack_before_persist) {
    send_engine_messages(ready.messages);
    messages_sent = true;
  }
  send_engine_messages(ready.early_messages);  // they travel while we persist and sync
  if (!ready.needs_persist()) {
    complete_ready(std::move(ready), messages_sent);
    return;
  }
  Status persisted = storage_->persist(ready.snapshot, ready.entries, ready.hard_state);
  if (!persisted.ok()) {
    fail("storage", persisted);
    return;
  }
  if (!ready.must_sync) {  // durable with the next sync; losing it loses nothing
    complete_ready(std::move(ready), messages_sent);
    return;
  }
  auto shared_ready = std::make_shared<Ready>(std::move(ready));
  env_.schedule_sync([this, shared_ready, messages_sent]() {
    if (failed()) return;
    Status synced = storage_->sync();
    if (!synced.ok()) {
      fail("storage", synced);
      return;
    }
    env_.on_durable(*shared_ready);
    complete_ready(std::move(*shared_ready), messages_sent);
    pump();
  });
}

void Replica::complete_ready(Ready ready, bool messages_sent) {
  if (!messages_sent) send_engine_messages(ready.messages);
  const bool changes_store = ready.snapshot.has_value() || !ready.committed.empty();
  if (changes_store) env_.before_store_changes();
  if (ready.snapshot) apply_snapshot(*ready.snapshot);
  for (const Entry& entry : ready.committed) {
    if (failed()) break;
    apply_entry(entry);
  }
  if (changes_store) env_.after_store_changes();
  if (failed()) return;
  for (const consensus::ReadState& read : ready.read_states) on_read_index(read.request_id, read.index);
  serve_released_reads();
  ready_outstanding_ = false;
  engine_->advance();
  maybe_compact();
}

void Replica::send_engine_messages(std::vector<consensus::Message>& messages) {
  for (consensus::Message& message : messages) {
    message.payload = encode_engine_payload(message.payload);
    env_.send(std::move(message));
  }
  messages.clear();
}

void Replica::apply_snapshot(const consensus::Snapshot& snapshot) {
  Status restored = restore_snapshot_data(snapshot.data);
  if (!restored.ok()) {
    fail("snapshot", {StatusCode::kCorruption,
                      "a snapshot from the leader does not restore: " + restored.message()});
    return;
  }
  membership_ = snapshot.meta.membership;
  applied_index_ = snapshot.meta.index;
  applied_term_ = snapshot.meta.term;
  last_snapshot_index_ = snapshot.meta.index;
  snapshot_bytes_ = static_cast<int64_t>(snapshot.data.size());
  applied_bytes_since_ = 0;
  snapshots_to_compact_.clear();  // the engine's log now starts at this snapshot
  env_.on_snapshot_applied(snapshot.meta);
  env_.on_store_restored();
  env_.on_members_changed();
  // Writes the snapshot covers went by unseen here: their outcome is unknown, so they time out.
}

void Replica::apply_entry(const Entry& entry) {
  env_.on_applied(entry);
  if (entry.index != applied_index_ + 1) {
    fail("apply", {StatusCode::kCorruption, "committed entry " + std::to_string(entry.index) +
                                                " follows applied index " +
                                                std::to_string(applied_index_)});
    return;
  }
  applied_index_ = entry.index;
  applied_term_ = entry.term;
  switch (entry.kind) {
    case EntryKind::kCommand: {
      ProposalEnvelope envelope;
      if (!decode_envelope(entry.data, envelope)) {
        fail("apply", {StatusCode::kCorruption,
                       "committed entry " + std::to_string(entry.index) + " is not a proposal"});
        return;
      }
      if (envelope.member) {
        apply_member_envelope(envelope);
        break;
      }
      kv::ApplyResult result = apply_command(envelope.command);
      applied_bytes_since_ += static_cast<int64_t>(entry.data.size());
      if (result.status.ok() && !result.events.empty()) env_.on_store_changed(result.revision, result.events);
      if (envelope.origin == id()) answer(envelope.request_id, result);
      break;
    }
    case EntryKind::kMembership:
      apply_membership_entry(entry);
      break;
    case EntryKind::kNoop:
      break;
  }
}

void Replica::maybe_compact() {
  if (options_.snapshot_count != 0 && applied_index_ >= last_snapshot_index_ + options_.snapshot_count)
    save_snapshot();
  if (failed()) return;
  // Checked after every apply, not only when the next snapshot is saved: otherwise the log and
  // the saved snapshot's bytes would stay in memory for a whole snapshot_count more entries.
  if (compact_to_caught_up_snapshot()) pump();
}

void Replica::save_snapshot() {
  consensus::Snapshot snapshot;
  snapshot.meta.index = applied_index_;
  snapshot.meta.term = applied_term_;
  snapshot.meta.membership = membership_;
  snapshot.data = snapshot_data();
  // Saved before the engine may drop the entries it covers; durable with the next sync.
  Status saved = storage_->save_snapshot(snapshot);
  if (!saved.ok()) {
    fail("storage", saved);
    return;
  }
  last_snapshot_index_ = applied_index_;
  snapshot_bytes_ = static_cast<int64_t>(snapshot.data.size());
  applied_bytes_since_ = 0;
  snapshots_to_compact_.push_back(applied_index_);
}

bool Replica::compact_to_caught_up_snapshot() {
  // The engine compacts to the newest saved snapshot at least snapshot_catch_up_entries old.
  std::optional<uint64_t> compact_to;
  while (!snapshots_to_compact_.empty() &&
         snapshots_to_compact_.front() + options_.snapshot_catch_up_entries <= applied_index_) {
    compact_to = snapshots_to_compact_.front();
    snapshots_to_compact_.pop_front();
  }
  if (!compact_to) return false;
  // No data: the engine reads the saved file back through snapshot_reader_.
  (void)engine_->compact(*compact_to, std::string());
  return true;
}

void Replica::fail(const std::string& what, const Status& status) {
  if (failed()) return;
  failure_ = status;
  env_.on_fault(what, status.message());
  fail_all(status);
}

consensus::ProposeResult Replica::change_membership(const consensus::MembershipChange& change) {
  SYNOD_CHECK(engine_ != nullptr, "membership change before start");
  consensus::ProposeResult result = engine_->change_membership(change);
  pump();
  return result;
}

Status Replica::transfer_leadership(consensus::NodeId target) {
  SYNOD_CHECK(engine_ != nullptr, "transfer before start");
  Status status = engine_->transfer_leadership(target);
  pump();
  return status;
}

ReplicaStatus Replica::status() const {
  ReplicaStatus status;
  if (engine_ != nullptr) status.engine = engine_->status();
  status.applied_index = applied_index_;
  status.revision = store_.current_revision();
  status.compacted_revision = store_.compacted_revision();
  status.estimated_bytes = snapshot_bytes_ + applied_bytes_since_;
  status.failure = failure_;
  return status;
}

Status Replica::check_engine_invariants() const {
  return engine_ != nullptr ? engine_->check_invariants() : Status::Ok();
}

std::string Replica::describe(const consensus::Message& message) const {
  ReplicaMessage decoded;
  if (!decode_replica_message(message.payload, decoded)) return "malformed replica message";
  if (decoded.channel != Channel::kEngine)
    return "replica channel " + std::to_string(static_cast<int>(decoded.channel)) + " request " +
           std::to_string(decoded.request_id);
  if (engine_ == nullptr) return "(engine payload)";
  return engine_->describe({message.from, message.to, decoded.body});
}

}  // namespace synod::replica
