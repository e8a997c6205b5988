// The World's side of the node, client and nemesis interfaces, and its observations.
#include <algorithm>

#include "sim/world_impl.h"

namespace synod::sim {

using consensus::NodeId;
using consensus::Role;

// ---- NodeHost ----

void World::reply(uint32_t client, ClientReply reply) {
  queue_.schedule_after(options_.clients.hop_ticks,
                        [this, client, reply = std::move(reply)]() { clients_[client]->on_reply(reply); });
}

Tick World::sync_latency_ticks(NodeId node) {
  const Slot& slot = this->slot(node);
  return random_.between(slot.min_sync_ticks, slot.max_sync_ticks);
}

void World::on_recovered(NodeId node, const consensus::DurableState& state,
                         const std::vector<std::string>& repairs) {
  persisted_logs_.reset(node, state);
  std::optional<uint64_t> previous;
  if (state.snapshot) previous = state.snapshot->meta.term;
  uint64_t expected_index = state.snapshot ? state.snapshot->meta.index + 1 : 1;
  for (const consensus::Entry& entry : state.entries) {
    log_matching_.on_durable_entry(node, entry, entry.index == expected_index ? previous : std::nullopt, now());
    previous = entry.term;
    expected_index = entry.index + 1;
  }
  // A torn write may have kept a hard state that was never synced; it is on the disk all the same.
  if (!state.empty()) durable_vote_.on_durable(node, state.hard_state, now());
  state_machine_safety_.on_start(node, state.snapshot ? state.snapshot->meta.index : 0);
  if (!options_.trace) return;
  for (const std::string& repair : repairs) trace("n" + std::to_string(node) + " repair: " + repair);
  if (state.empty()) return;
  const consensus::HardState& hard = state.hard_state;
  std::string line = "n" + std::to_string(node) + " recovers: hard state term " + std::to_string(hard.term) +
                     " vote " + std::to_string(hard.vote) + " commit " + std::to_string(hard.commit);
  if (state.snapshot) line += ", snapshot at " + std::to_string(state.snapshot->meta.index);
  if (!state.entries.empty())
    line += ", entries " + std::to_string(state.entries.front().index) + ".." +
            std::to_string(state.entries.back().index) + " (last term " +
            std::to_string(state.entries.back().term) + ")";
  trace(line);
}

void World::on_durable(NodeId node, const consensus::Ready& ready) {
  Slot& slot = this->slot(node);
  slot.dirty = true;
  if (ready.snapshot) persisted_logs_.on_snapshot(node, ready.snapshot->meta);
  for (const consensus::Entry& entry : ready.entries) {
    const std::optional<uint64_t> previous = persisted_logs_.on_entry(node, entry);
    log_matching_.on_durable_entry(node, entry, previous, now());
    if (slot.role == Role::kLeader && entry.term == slot.term)
      leader_completeness_.on_leader_persisted(node, slot.term, persisted_logs_.log(node),
                                               state_machine_safety_.committed(), now());
  }
  if (ready.hard_state) durable_vote_.on_durable(node, *ready.hard_state, now());
}

void World::on_snapshot_applied(NodeId node, const consensus::SnapshotMeta& meta) {
  slot(node).dirty = true;
  state_machine_safety_.on_snapshot_applied(node, meta, now());
  if (options_.trace)
    trace("n" + std::to_string(node) + " restored snapshot at index " + std::to_string(meta.index) +
          " term " + std::to_string(meta.term));
}

void World::on_applied(NodeId node, const consensus::Entry& entry) {
  slot(node).dirty = true;
  state_machine_safety_.on_applied(node, entry, highest_term_, now());
  at_most_once_.on_applied(node, entry, now());
}

void World::on_node_fault(NodeId node, const char* checker, std::string message) {
  slot(node).dirty = true;
  violations_.report(checker, std::move(message), now());
}

// ---- ClientHost ----

void World::submit(NodeId node, ClientRequest request) {
  queue_.schedule_after(options_.clients.hop_ticks, [this, node, request = std::move(request)]() {
    auto it = nodes_.find(node);
    if (it == nodes_.end() || !it->second.node->up()) {
      ClientReply refused;  // connection refused: nothing happened, try elsewhere
      refused.attempt = request.attempt;
      refused.outcome.kind = RegisterOutcome::Kind::kRefused;
      refused.outcome.error = "connection refused";
      reply(request.client, std::move(refused));
      return;
    }
    it->second.node->submit(request);
    it->second.dirty = true;
  });
}

void World::record(check::Event event) {
  // Events within a tick keep their order: real time inside the simulation is (tick, order).
  if (now() != history_tick_) {
    history_tick_ = now();
    events_in_tick_ = 0;
  }
  event.time_ns = tick_to_ns(now()) + events_in_tick_++;
  operations_in_flight_ += event.type == check::EventType::kInvoke ? 1 : -1;
  digest(static_cast<uint64_t>(event.process));
  digest(static_cast<uint64_t>(event.type));
  digest(fnv1a(event.value.value_or("-"), fnv1a(event.key)));
  if (options_.trace) trace("client " + check::to_json_line(event));
  history_.push_back(std::move(event));
}

void World::on_operation_end(Tick invoked, bool timed_out, const std::string& what) {
  liveness_.on_operation_end(invoked, timed_out, what, now());
}

// ---- NemesisTarget ----

std::vector<NodeId> World::live_members() const {
  std::vector<NodeId> members;
  for (const auto& [id, slot] : nodes_)
    if (!slot.retired) members.push_back(id);
  return members;
}

bool World::is_up(NodeId node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && it->second.node->up();
}

std::optional<NodeId> World::leader() const {
  std::optional<NodeId> best;
  uint64_t best_term = 0;
  for (const auto& [id, slot] : nodes_)
    if (slot.node->up() && slot.role == Role::kLeader && (!best || slot.term > best_term)) {
      best = id;
      best_term = slot.term;
    }
  return best;
}

uint64_t World::applied_index(NodeId node) const {
  return is_up(node) ? nodes_.at(node).node->status().applied_index : 0;
}

uint64_t World::commit_index(NodeId node) const {
  return is_up(node) ? nodes_.at(node).node->status().engine.commit : 0;
}

uint64_t World::term(NodeId node) const { return is_up(node) ? nodes_.at(node).term : 0; }

bool World::in_sync_window(NodeId node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && it->second.node->in_sync_window();
}

void World::crash(NodeId node, bool torn) {
  Slot& slot = this->slot(node);
  if (!slot.node->up()) return;
  const uint64_t unsynced = slot.node->unsynced_bytes();
  slot.node->crash(random_, torn);
  slot.role = Role::kFollower;
  if (options_.trace && unsynced > 0)
    trace("n" + std::to_string(node) + (torn ? " keeps a random prefix of " : " loses ") +
          std::to_string(unsynced) + " unsynced bytes");
}

void World::restart(NodeId node) {
  Slot& slot = this->slot(node);
  if (slot.retired || slot.node->up()) return;
  start_node(node);
}

void World::set_sync_latency(NodeId node, Tick min_ticks, Tick max_ticks) {
  Slot& slot = this->slot(node);
  slot.min_sync_ticks = min_ticks;
  slot.max_sync_ticks = max_ticks;
}

NodeId World::add_fresh_node() {
  const NodeId id = create_node(next_node_id_, consensus::Membership{});
  start_node(id);
  return id;
}

void World::retire(NodeId node) {
  Slot& slot = this->slot(node);
  if (slot.node->up()) slot.node->crash(random_, false);
  slot.retired = true;
  slot.role = Role::kFollower;
}

consensus::ProposeResult World::change_membership(NodeId via, const consensus::MembershipChange& change) {
  Slot& slot = this->slot(via);
  slot.dirty = true;
  return slot.node->change_membership(change);
}

Status World::transfer_leadership(NodeId via, NodeId target) {
  Slot& slot = this->slot(via);
  slot.dirty = true;
  return slot.node->transfer_leadership(target);
}

void World::on_fault(const std::string& description, const std::vector<NodeId>& affected) {
  digest(fnv1a(description));
  trace("fault " + description);
  if (affected.empty()) {
    // A heal: if the old leader simply kept its leadership, there was no failover to time.
    if (failover_.active) {
      const auto it = nodes_.find(failover_.old_leader);
      if (it != nodes_.end() && it->second.node->up() && it->second.role == Role::kLeader &&
          it->second.term == failover_.old_term && !network_.partitioned())
        failover_.active = false;
    }
    return;
  }
  if (failover_.active || !committing_leader_) return;
  const auto [leader, term] = *committing_leader_;
  if (std::find(affected.begin(), affected.end(), leader) == affected.end()) return;
  failover_ = Failover{true, now(), leader, term};
}

// ---- observations ----

void World::observe_dirty() {
  for (auto& [id, slot] : nodes_) {
    if (!slot.dirty) continue;
    slot.dirty = false;
    if (slot.node->up()) observe(id, slot);
  }
}

void World::observe(NodeId id, Slot& slot) {
  const replica::ReplicaStatus replica_status = slot.node->status();
  const consensus::EngineStatus& status = replica_status.engine;
  election_safety_.observe(status, now());
  highest_term_ = std::max(highest_term_, status.term);
  if (status.role != slot.role) {
    digest(id);
    digest(static_cast<uint64_t>(status.role));
    digest(status.term);
    if (options_.trace)
      trace("role n" + std::to_string(id) + " " + consensus::role_name(slot.role) + " -> " +
            consensus::role_name(status.role) + " term " + std::to_string(status.term));
  }
  slot.role = status.role;
  slot.term = status.term;
  if (replica_status.applied_index >= slot.store_checked_index + options_.snapshot_interval)
    check_store(id, slot);
  if (status.role != Role::kLeader) return;
  if (slot.led_term != status.term) {
    slot.led_term = status.term;
    slot.first_index_of_term = status.last_index;
  }
  membership_ = status.membership;
  if (status.commit >= slot.first_index_of_term) on_committing_leader(id, status.term);
}

// The store's own invariants walk every record, so they run once per snapshot interval of
// applied entries, at each start and at the end, not after every event.
void World::check_store(NodeId id, Slot& slot) {
  slot.store_checked_index = slot.node->status().applied_index;
  const Status invariants = slot.node->store().check_invariants();
  if (!invariants.ok())
    violations_.report("store-invariants", "n" + std::to_string(id) + " at applied index " +
                                               std::to_string(slot.store_checked_index) + ": " +
                                               invariants.message(),
                       now());
}

// Stores that applied the same prefix of the log hold the same data: compared by HashKV.
void World::check_stores_agree() {
  std::map<uint64_t, std::pair<NodeId, uint64_t>> hash_by_applied;  // applied index -> (node, hash)
  for (auto& [id, slot] : nodes_) {
    if (!slot.node->up()) continue;
    check_store(id, slot);
    const kv::HashResult hash = slot.node->store().hash(0);
    if (!hash.status.ok()) {
      violations_.report("store-invariants", "n" + std::to_string(id) + ": " + hash.status.message(), now());
      continue;
    }
    const auto [it, first] = hash_by_applied.emplace(slot.store_checked_index, std::make_pair(id, hash.hash));
    if (!first && it->second.second != hash.hash)
      violations_.report(StateMachineSafetyChecker::kName,
                         "n" + std::to_string(it->second.first) + " and n" + std::to_string(id) +
                             " applied up to index " + std::to_string(it->first) +
                             " but their stores differ",
                         now());
  }
}

void World::on_committing_leader(NodeId id, uint64_t term) {
  if (!committing_leader_ || committing_leader_->second <= term) committing_leader_ = {id, term};
  liveness_.on_committing_leader(now());
  if (failover_.active && term > failover_.old_term) {
    failover_.active = false;
    const Tick took = now() - failover_.started;
    max_failover_ticks_ = std::max(max_failover_ticks_, took);
    ++failovers_;
    if (options_.trace) trace("failover took " + std::to_string(took) + " ticks");
  }
}

}  // namespace synod::sim
