#include "sim/world.h"

#include <ostream>

#include "sim/checkers/linearizability_check.h"
#include "sim/faults.h"
#include "sim/world_impl.h"

namespace synod::sim {

using consensus::NodeId;

std::string validate(const WorldOptions& options) {
  if (consensus::find_engine(options.engine) == nullptr) return "unknown engine '" + options.engine + "'";
  if (options.nodes < 1 || options.nodes > 9) return "--nodes must be between 1 and 9";
  if (options.clients.clients < 1 || options.clients.clients > 64) return "--clients must be between 1 and 64";
  if (options.clients.keys < 1) return "at least one key is needed";
  if (options.election_ticks < 2 || options.heartbeat_ticks < 1 ||
      options.heartbeat_ticks >= options.election_ticks)
    return "need 1 <= heartbeat_ticks < election_ticks";
  if (options.safety_ticks < 1) return "--ticks must be positive";
  if (options.max_message_bytes < 1) return "--max-message-bytes must be positive";
  return {};
}

WorldResult run_world(const WorldOptions& options, uint64_t seed) {
  World world(options, seed);
  return world.run();
}

World::World(const WorldOptions& options, uint64_t seed)
    : options_(options),
      seed_(seed),
      random_(seed),
      network_random_(random_.fork()),
      network_(queue_, network_random_, [this](const consensus::Message& message) { deliver(message); }),
      engine_(consensus::find_engine(options.engine)),
      liveness_(violations_, options.safety_ticks, options.liveness_bound_ticks()) {
  digest_ = fnv1a_u64(seed);
}

NodeId World::create_node(NodeId id, consensus::Membership initial_membership) {
  replica::ReplicaOptions node_options;
  node_options.engine_entry = engine_;
  node_options.snapshot_count = options_.snapshot_interval;
  node_options.snapshot_catch_up_entries = options_.snapshot_catch_up_entries;
  node_options.request_timeout_ticks = options_.clients.timeout_ticks;
  node_options.ack_before_persist = (options_.mutants & consensus::kMutantAckBeforePersist) != 0;
  consensus::EngineConfig& config = node_options.engine;
  config.id = id;
  config.initial_membership = std::move(initial_membership);
  config.election_ticks = options_.election_ticks;
  config.heartbeat_ticks = options_.heartbeat_ticks;
  config.pre_vote = true;
  config.check_quorum = true;
  config.max_message_bytes = options_.max_message_bytes;
  config.max_inflight_messages = options_.max_inflight_messages;
  config.mutants = options_.mutants;
  Slot& slot = nodes_[id];
  slot.node = std::make_unique<SimNode>(*this, std::move(node_options));
  contact_points_.push_back(id);
  next_node_id_ = std::max(next_node_id_, id + 1);
  return id;
}

void World::start_node(NodeId id) {
  Slot& slot = this->slot(id);
  slot.role = consensus::Role::kFollower;
  slot.term = 0;
  // The checkers learn what the disk holds (on_recovered) before the engine can apply anything.
  slot.node->start(random_.next());
  slot.dirty = true;
  if (slot.node->up()) check_store(id, slot);
}

WorldResult World::run() {
  consensus::Membership initial;
  for (uint32_t i = 1; i <= options_.nodes; ++i) initial.voters.push_back(i);
  membership_ = initial;
  for (uint32_t i = 1; i <= options_.nodes; ++i) create_node(i, initial);
  for (uint32_t i = 1; i <= options_.nodes; ++i) start_node(i);
  for (uint32_t i = 0; i < options_.clients.clients; ++i)
    clients_.push_back(std::make_unique<SimClient>(*this, i, options_.clients, random_.fork()));
  for (auto& client : clients_) client->start();

  NemesisOptions nemesis_options;
  nemesis_options.faults = options_.faults;
  nemesis_options.end_tick = options_.safety_ticks;
  nemesis_ = std::make_unique<Nemesis>(*this, nemesis_options);
  nemesis_->start();

  const Tick heal_tick = options_.safety_ticks;
  const Tick deadline = liveness_.deadline();
  const Tick stop_clients = deadline + options_.client_tail_ticks;
  const Tick hard_end = stop_clients + options_.clients.timeout_ticks + 50;
  queue_.schedule(0, [this]() { tick_all(); });
  queue_.schedule(heal_tick, [this]() { nemesis_->heal_all(); });
  queue_.schedule(deadline, [this]() { liveness_.on_deadline(now()); });
  queue_.schedule(stop_clients, [this]() {
    for (auto& client : clients_) client->stop();
  });

  const uint64_t max_events = options_.max_events_per_tick * hard_end;
  while (!queue_.empty() && !violations_.any() && queue_.next_tick() <= hard_end) {
    queue_.run_next();
    observe_dirty();
    if (queue_.actions_run() >= max_events) {
      violations_.report("event-budget",
                         "more than " + std::to_string(max_events) +
                             " simulation events: a livelock or a message storm",
                         now());
      break;
    }
    if (now() > stop_clients && operations_in_flight_ == 0) break;
  }

  WorldResult result;
  if (!violations_.any()) check_stores_agree();
  if (!violations_.any()) {
    for (auto& client : clients_) client->finish();
    const LinearizabilityOutcome outcome = check_history(history_, violations_, now());
    result.linearizability_inconclusive = outcome.inconclusive;
  }
  for (auto& client : clients_) result.operations += client->operations_completed();
  if (options_.history) check::write_history(*options_.history, history_);
  for (const Violation& violation : violations_.all()) trace("violation " + violation.checker + ": " + violation.message);
  for (const auto& [id, slot] : nodes_) result.step_refusals += slot.node->step_refusals();
  result.seed = seed_;
  result.events = queue_.actions_run();
  result.violations = violations_.all();
  result.max_failover_ticks = max_failover_ticks_;
  result.failovers = failovers_;
  result.digest = digest_;
  result.end_tick = now();
  return result;
}

void World::tick_all() {
  for (auto& [id, slot] : nodes_) {
    if (!slot.node->up()) continue;
    slot.node->tick();
    slot.dirty = true;
  }
  if (now() < liveness_.deadline() + options_.client_tail_ticks + options_.clients.timeout_ticks + 50)
    queue_.schedule_after(1, [this]() { tick_all(); });
}

void World::deliver(const consensus::Message& message) {
  auto it = nodes_.find(message.to);
  if (it == nodes_.end() || !it->second.node->up()) return;  // messages to crashed nodes vanish
  Slot& slot = it->second;
  digest(message.from);
  digest(message.to);
  digest(fnv1a(message.payload));
  if (options_.trace)
    trace("deliver n" + std::to_string(message.from) + "->n" + std::to_string(message.to) + " " +
          slot.node->describe(message));
  slot.node->deliver(message);
  slot.dirty = true;
}

void World::trace(const std::string& line) {
  // Flushed per line: an engine that aborts must not take the end of the trace with it.
  if (options_.trace) *options_.trace << "t=" << now() << " " << line << std::endl;
}

}  // namespace synod::sim
