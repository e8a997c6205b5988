#include "sim/sim_node.h"

#include <string>

#include "core/check.h"

namespace synod::sim {

using consensus::Entry;
using consensus::EntryKind;
using consensus::Ready;
using Outcome = ClientReply::Outcome;

void SimNode::start(uint64_t engine_seed) {
  SYNOD_CHECK(!up(), "start of a running node");
  consensus::DurableState state;
  Status recovered = disk_.recover(state);
  if (!recovered.ok()) {
    host_.on_node_fault(id(), "disk-recovery", "n" + std::to_string(id()) + ": " + recovered.message());
    return;
  }
  store_ = RegisterStore{};
  membership_ = options_.config.initial_membership;
  applied_term_ = 0;
  last_snapshot_index_ = 0;
  if (state.snapshot) {
    Status restored = store_.restore(state.snapshot->data);
    if (!restored.ok()) {
      host_.on_node_fault(id(), "disk-recovery", "n" + std::to_string(id()) + ": " + restored.message());
      return;
    }
    membership_ = state.snapshot->meta.membership;
    applied_term_ = state.snapshot->meta.term;
    last_snapshot_index_ = state.snapshot->meta.index;
  }
  consensus::EngineConfig config = options_.config;
  config.seed = engine_seed;
  engine_ = options_.engine->create(config, std::move(state));
  ready_outstanding_ = false;
  pump();
}

uint64_t SimNode::crash(Random& random, bool torn) {
  const uint64_t survivors = disk_.crash(random, torn);
  engine_.reset();
  ++incarnation_;
  ready_outstanding_ = false;
  proposals_.clear();
  reads_.clear();
  released_reads_.clear();
  return survivors;
}

void SimNode::tick() {
  if (!up()) return;
  engine_->tick();
  pump();
}

void SimNode::deliver(const consensus::Message& message) {
  if (!up()) return;
  Status status = engine_->step(message);
  if (!status.ok()) {
    // The network never corrupts a message, so one the engine cannot decode (its describe() says
    // "malformed") or one that breaks the engine's own invariants (kCorruption) is a bug. Other
    // refusals are the "unexpected input" engine.h allows: a response from a node outside the
    // membership, an answer to a read round long gone. They are counted, not condemned.
    const std::string description = engine_->describe(message);
    if (status.code() == StatusCode::kCorruption || description.rfind("malformed", 0) == 0)
      host_.on_node_fault(id(), "step-rejected-valid-message",
                          "n" + std::to_string(id()) + " refused " + description + ": " +
                              status.message());
    else
      ++step_refusals_;
  }
  pump();
}

void SimNode::submit(const ClientRequest& request) {
  if (!up()) {
    reply(request, Outcome::kRedirect);
    return;
  }
  const RegisterCommand& command = request.command;
  consensus::NodeId hint = consensus::kNoNode;
  Status status;
  if (command.op == RegisterOp::kRead) {
    status = engine_->read_index(command.request_id);
    if (status.ok()) reads_.emplace(command.request_id, request);
  } else {
    consensus::ProposeResult result = engine_->propose(encode_command(command));
    status = result.status;
    hint = result.leader_hint;
    if (status.ok()) proposals_[result.index] = Proposal{result.term, request};
  }
  if (status.ok()) {
    reply(request, Outcome::kAccepted);
  } else {
    if (hint == consensus::kNoNode) hint = engine_->status().leader;
    ClientReply answer;
    answer.request_id = command.request_id;
    answer.outcome = Outcome::kRedirect;
    answer.leader_hint = hint;
    host_.reply(request.client, std::move(answer));
  }
  pump();
}

consensus::ProposeResult SimNode::change_membership(const consensus::MembershipChange& change) {
  SYNOD_CHECK(up(), "membership change on a crashed node");
  consensus::ProposeResult result = engine_->change_membership(change);
  pump();
  return result;
}

Status SimNode::transfer_leadership(consensus::NodeId target) {
  SYNOD_CHECK(up(), "transfer on a crashed node");
  Status status = engine_->transfer_leadership(target);
  pump();
  return status;
}

std::string SimNode::describe(const consensus::Message& message) const {
  return up() ? engine_->describe(message) : std::string("(payload of a crashed node)");
}

void SimNode::pump() {
  if (up()) {
    Status invariants = engine_->check_invariants();
    if (!invariants.ok())
      host_.on_node_fault(id(), "engine-invariants",
                          "n" + std::to_string(id()) + ": " + invariants.message());
  }
  while (up() && !ready_outstanding_ && engine_->has_ready()) {
    ready_outstanding_ = true;
    handle_ready(engine_->ready());
  }
}

void SimNode::handle_ready(Ready ready) {
  bool messages_sent = false;
  if (options_.ack_before_persist) {
    send_all(ready.messages);
    messages_sent = true;
  }
  if (!ready.needs_persist()) {
    complete_ready(std::move(ready), messages_sent);
    return;
  }
  if (ready.snapshot) disk_.append(DiskRecord::of(*ready.snapshot));
  for (const Entry& entry : ready.entries) disk_.append(DiskRecord::of(entry));
  if (ready.hard_state) disk_.append(DiskRecord::of(*ready.hard_state));
  const uint64_t sync_upto = disk_.size();
  const uint64_t incarnation = incarnation_;
  auto shared_ready = std::make_shared<Ready>(std::move(ready));
  host_.schedule_after(host_.sync_latency_ticks(id()), [this, incarnation, sync_upto, shared_ready,
                                                       messages_sent]() {
    if (incarnation != incarnation_) return;  // the node crashed meanwhile
    disk_.sync_prefix(sync_upto);
    // Garbage collection may rewrite the durable prefix, so the checkers hear of the records
    // from the Ready itself.
    if (shared_ready->snapshot) host_.on_durable(id(), DiskRecord::of(*shared_ready->snapshot));
    for (const Entry& entry : shared_ready->entries) host_.on_durable(id(), DiskRecord::of(entry));
    if (shared_ready->hard_state) host_.on_durable(id(), DiskRecord::of(*shared_ready->hard_state));
    complete_ready(std::move(*shared_ready), messages_sent);
    pump();
  });
}

void SimNode::complete_ready(Ready ready, bool messages_sent) {
  if (!messages_sent) send_all(ready.messages);
  if (ready.snapshot) apply_snapshot(*ready.snapshot);
  for (const Entry& entry : ready.committed)
    if (!apply_entry(entry)) return;  // reported; the world stops this seed
  for (const consensus::ReadState& read : ready.read_states)
    released_reads_.emplace(read.index, read.request_id);
  release_reads();
  ready_outstanding_ = false;
  engine_->advance();
  maybe_compact();
}

void SimNode::send_all(std::vector<consensus::Message>& messages) {
  for (consensus::Message& message : messages) host_.send(std::move(message));
  messages.clear();
}

void SimNode::apply_snapshot(const consensus::Snapshot& snapshot) {
  Status restored = store_.restore(snapshot.data);
  if (!restored.ok()) {
    host_.on_node_fault(id(), "state-machine-safety",
                        "n" + std::to_string(id()) + " got a snapshot it cannot restore: " +
                            restored.message());
    return;
  }
  membership_ = snapshot.meta.membership;
  applied_term_ = snapshot.meta.term;
  last_snapshot_index_ = snapshot.meta.index;
  host_.on_snapshot_applied(id(), snapshot.meta);
  // Proposals the snapshot covers went by unseen: their outcome is unknown here.
  while (!proposals_.empty() && proposals_.begin()->first <= snapshot.meta.index) {
    reply(proposals_.begin()->second.request, Outcome::kUnknown);
    proposals_.erase(proposals_.begin());
  }
}

bool SimNode::apply_entry(const Entry& entry) {
  host_.on_applied(id(), entry);
  if (entry.index != store_.applied_index() + 1) return false;  // the checker reported the gap
  const RegisterResult* result = nullptr;
  RegisterResult command_result;
  switch (entry.kind) {
    case EntryKind::kCommand: {
      RegisterCommand command;
      if (!decode_command(entry.data, command)) {
        host_.on_node_fault(id(), "state-machine-safety",
                            "n" + std::to_string(id()) + " applied an undecodable command at index " +
                                std::to_string(entry.index));
        return false;
      }
      command_result = store_.apply(entry.index, command);
      result = &command_result;
      break;
    }
    case EntryKind::kMembership: {
      consensus::MembershipChange change;
      if (decode_membership_change(entry.data, change))
        (void)consensus::apply_membership_change(membership_, change);
      store_.skip(entry.index);
      break;
    }
    case EntryKind::kNoop:
      store_.skip(entry.index);
      break;
  }
  applied_term_ = entry.term;
  answer_proposal(entry, result);
  return true;
}

void SimNode::answer_proposal(const Entry& entry, const RegisterResult* result) {
  auto it = proposals_.find(entry.index);
  if (it == proposals_.end()) return;
  const Proposal proposal = std::move(it->second);
  proposals_.erase(it);
  if (entry.term == proposal.term && result != nullptr) {
    reply(proposal.request, result->ok ? Outcome::kOk : Outcome::kFail);
    return;
  }
  // Another entry was committed at this index, so ours never will be: a write certainly did not
  // happen. A cas is reported unknown, because the history's "fail" means "compare failed".
  reply(proposal.request,
        proposal.request.command.op == RegisterOp::kWrite ? Outcome::kFail : Outcome::kUnknown);
}

void SimNode::release_reads() {
  while (!released_reads_.empty() && released_reads_.begin()->first <= store_.applied_index()) {
    const uint64_t request_id = released_reads_.begin()->second;
    released_reads_.erase(released_reads_.begin());
    auto it = reads_.find(request_id);
    if (it == reads_.end()) continue;  // a duplicate release
    const ClientRequest request = std::move(it->second);
    reads_.erase(it);
    reply(request, Outcome::kOk, store_.get(request.command.key));
  }
}

void SimNode::maybe_compact() {
  const uint64_t applied = store_.applied_index();
  if (options_.snapshot_interval == 0 || applied < last_snapshot_index_ + options_.snapshot_interval)
    return;
  consensus::Snapshot snapshot;
  snapshot.meta.index = applied;
  snapshot.meta.term = applied_term_;
  snapshot.meta.membership = membership_;
  snapshot.data = store_.snapshot();
  // The record joins the next sync; until it is durable the entries it covers stay on disk.
  disk_.append(DiskRecord::of(snapshot));
  last_snapshot_index_ = applied;
  (void)engine_->compact(applied, std::move(snapshot.data));
}

void SimNode::reply(const ClientRequest& request, Outcome outcome, std::optional<std::string> value) {
  ClientReply answer;
  answer.request_id = request.command.request_id;
  answer.outcome = outcome;
  answer.value = std::move(value);
  host_.reply(request.client, std::move(answer));
}

}  // namespace synod::sim
