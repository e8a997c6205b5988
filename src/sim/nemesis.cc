#include "sim/nemesis.h"

#include <algorithm>

#include "sim/faults.h"

namespace synod::sim {

using consensus::MembershipChange;
using consensus::NodeId;

namespace {
std::string node_list(const std::vector<NodeId>& nodes) {
  std::string out;
  for (NodeId node : nodes) out += (out.empty() ? "n" : ",n") + std::to_string(node);
  return out;
}
}  // namespace

void Nemesis::start() { schedule_next(); }

void Nemesis::schedule_next() {
  target_.schedule_after(duration(options_.min_gap_ticks, options_.max_gap_ticks), [this]() {
    if (stopped_ || target_.now() >= options_.end_tick) return;
    inject();
    schedule_next();
  });
}

void Nemesis::inject() {
  using Injector = void (Nemesis::*)();
  struct Kind {
    uint32_t bit;
    Injector injector;
    uint32_t weight;  // crashes and partitions matter most: they make logs diverge
  };
  const Kind kinds[] = {
      {kFaultCrash, &Nemesis::crash_some, 4},       {kFaultPartition, &Nemesis::partition, 3},
      {kFaultLoss, &Nemesis::lossy_network, 1},     {kFaultDuplicate, &Nemesis::duplicating_network, 1},
      {kFaultReorder, &Nemesis::reordering_network, 1}, {kFaultDisk, &Nemesis::slow_disk, 2},
      {kFaultMembership, &Nemesis::membership_change, 1}, {kFaultTransfer, &Nemesis::transfer, 1},
  };
  uint32_t total = 0;
  for (const Kind& kind : kinds)
    if (options_.faults & kind.bit) total += kind.weight;
  if (total == 0) return;
  uint64_t dice = target_.random().uniform(total);
  for (const Kind& kind : kinds) {
    if (!(options_.faults & kind.bit)) continue;
    if (dice < kind.weight) {
      (this->*kind.injector)();
      return;
    }
    dice -= kind.weight;
  }
}

std::vector<NodeId> Nemesis::voters_up() const {
  std::vector<NodeId> up;
  for (NodeId node : target_.membership().voters)
    if (target_.is_up(node)) up.push_back(node);
  return up;
}

NodeId Nemesis::pick(const std::vector<NodeId>& nodes) {
  return nodes[target_.random().uniform(nodes.size())];
}

void Nemesis::crash_some() {
  const consensus::Membership membership = target_.membership();
  if (membership.voters.empty()) return;
  size_t crashed_voters = 0;
  for (NodeId node : crashed_) crashed_voters += membership.is_voter(node) ? 1 : 0;
  const size_t minority = (membership.voters.size() - 1) / 2;
  if (crashed_voters >= minority) return;
  std::vector<NodeId> candidates = voters_up();
  if (candidates.empty()) return;
  const uint64_t count = target_.random().between(1, std::min(minority - crashed_voters, candidates.size()));
  std::vector<NodeId> victims;
  const std::optional<NodeId> leader = target_.leader();
  if (leader && target_.random().chance(1, 2)) victims.push_back(*leader);
  // Half the time aim at nodes inside their sync window: that is where durability bugs hide.
  std::vector<NodeId> syncing;
  for (NodeId node : candidates)
    if (target_.in_sync_window(node)) syncing.push_back(node);
  if (!syncing.empty() && target_.random().chance(1, 2)) candidates = syncing;
  for (NodeId chosen : victims) std::erase(candidates, chosen);
  while (victims.size() < count && !candidates.empty()) {
    const size_t at = target_.random().uniform(candidates.size());
    victims.push_back(candidates[at]);
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(at));
  }
  for (NodeId node : victims) {
    const bool torn = (options_.faults & kFaultTorn) && target_.random().chance(1, 2);
    target_.crash(node, torn);
    crashed_.insert(std::lower_bound(crashed_.begin(), crashed_.end(), node), node);
    target_.on_fault(std::string("crash n") + std::to_string(node) + (torn ? " (torn write)" : ""), {node});
    // Half the restarts are quick (a process restart), so that a node often returns while the
    // messages it sent before the crash, and the elections they started, are still in flight.
    const Tick down_ticks = target_.random().chance(1, 2) ? duration(1, 10) : duration(10, 150);
    target_.schedule_after(down_ticks, [this, node]() {
      auto it = std::find(crashed_.begin(), crashed_.end(), node);
      if (stopped_ || it == crashed_.end()) return;
      crashed_.erase(it);
      target_.restart(node);
      target_.on_fault("restart n" + std::to_string(node), {});
    });
  }
}

void Nemesis::partition() {
  SimNetwork& network = target_.network();
  if (network.partitioned()) return;
  std::vector<NodeId> members = target_.live_members();
  if (members.size() < 2) return;
  const std::optional<NodeId> leader = target_.leader();
  Random& random = target_.random();
  std::vector<NodeId> affected;
  std::string description;
  if (leader && members.size() >= 3 && random.chance(1, 2)) {
    figure8_partition();
    return;
  }
  switch (random.uniform(3)) {
    case 0: {  // symmetric split: a minority against the rest, often with the leader
      std::vector<NodeId> pool = members;
      const size_t minority_size = random.between(1, std::max<size_t>(1, (members.size() - 1) / 2));
      if (leader && random.chance(1, 2)) {
        affected.push_back(*leader);
        pool.erase(std::find(pool.begin(), pool.end(), *leader));
      }
      while (affected.size() < minority_size) {
        const size_t at = random.uniform(pool.size());
        affected.push_back(pool[at]);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(at));
      }
      std::sort(affected.begin(), affected.end());
      network.split(affected, pool);
      description = "partition " + node_list(affected) + " | " + node_list(pool);
      break;
    }
    case 1: {  // isolate one node
      const NodeId node = leader && random.chance(3, 5) ? *leader : pick(members);
      network.isolate(node, members);
      affected = {node};
      description = "isolate n" + std::to_string(node);
      break;
    }
    default: {  // one-way: the node hears everyone but nobody hears it, or the reverse
      const NodeId node = leader && random.chance(1, 2) ? *leader : pick(members);
      const bool mute = random.chance(1, 2);
      for (NodeId other : members) {
        if (other == node) continue;
        if (mute)
          network.one_way(/*speaker=*/other, /*listener=*/node);
        else
          network.one_way(/*speaker=*/node, /*listener=*/other);
      }
      affected = {node};
      description = std::string(mute ? "mute n" : "deafen n") + std::to_string(node) +
                    (mute ? " (it hears all, none hears it)" : " (all hear it, it hears none)");
      break;
    }
  }
  target_.on_fault(description, affected);
  const uint64_t generation = ++partition_generation_;
  target_.schedule_after(duration(20, 250), [this, generation]() {
    if (stopped_ || generation != partition_generation_) return;
    target_.network().heal();
    target_.on_fault("heal network", {});
  });
}

void Nemesis::lossy_network() {
  NetworkFaults faults = target_.network().faults();
  faults.loss_percent = static_cast<uint32_t>(target_.random().between(5, 20));
  target_.network().set_faults(faults);
  target_.on_fault("loss " + std::to_string(faults.loss_percent) + "%", {});
  const uint64_t generation = ++loss_generation_;
  target_.schedule_after(duration(50, 300), [this, generation]() {
    if (stopped_ || generation != loss_generation_) return;
    NetworkFaults now = target_.network().faults();
    now.loss_percent = 0;
    target_.network().set_faults(now);
    target_.on_fault("loss off", {});
  });
}

void Nemesis::duplicating_network() {
  NetworkFaults faults = target_.network().faults();
  faults.duplicate_percent = static_cast<uint32_t>(target_.random().between(5, 20));
  target_.network().set_faults(faults);
  target_.on_fault("duplicate " + std::to_string(faults.duplicate_percent) + "%", {});
  const uint64_t generation = ++duplicate_generation_;
  target_.schedule_after(duration(50, 300), [this, generation]() {
    if (stopped_ || generation != duplicate_generation_) return;
    NetworkFaults now = target_.network().faults();
    now.duplicate_percent = 0;
    target_.network().set_faults(now);
    target_.on_fault("duplicate off", {});
  });
}

void Nemesis::reordering_network() {
  NetworkFaults faults = target_.network().faults();
  faults.max_delay_ticks = target_.random().between(10, 30);
  target_.network().set_faults(faults);
  target_.on_fault("reorder: delays 1-" + std::to_string(faults.max_delay_ticks) + " ticks", {});
  const uint64_t generation = ++reorder_generation_;
  target_.schedule_after(duration(50, 300), [this, generation]() {
    if (stopped_ || generation != reorder_generation_) return;
    NetworkFaults now = target_.network().faults();
    now.max_delay_ticks = NetworkFaults{}.max_delay_ticks;
    target_.network().set_faults(now);
    target_.on_fault("reorder off", {});
  });
}

void Nemesis::slow_disk() {
  const std::vector<NodeId> members = target_.live_members();
  if (members.empty()) return;
  const std::optional<NodeId> leader = target_.leader();
  const NodeId node = leader && target_.random().chance(1, 2) ? *leader : pick(members);
  target_.set_sync_latency(node, 10, 50);
  target_.on_fault("slow disk n" + std::to_string(node), {});
  const uint64_t generation = ++disk_generation_[node];
  target_.schedule_after(duration(50, 300), [this, node, generation]() {
    if (stopped_ || generation != disk_generation_[node]) return;
    target_.set_sync_latency(node, options_.normal_min_sync_ticks, options_.normal_max_sync_ticks);
    target_.on_fault("disk normal n" + std::to_string(node), {});
  });
}

void Nemesis::transfer() {
  const std::optional<NodeId> leader = target_.leader();
  if (!leader) return;
  std::vector<NodeId> others;
  for (NodeId voter : voters_up())
    if (voter != *leader) others.push_back(voter);
  if (others.empty()) return;
  const NodeId to = pick(others);
  const Status status = target_.transfer_leadership(*leader, to);
  target_.on_fault("transfer leadership n" + std::to_string(*leader) + " -> n" + std::to_string(to) +
                       (status.ok() ? "" : std::string(" (refused: ") + status.message() + ")"),
                   status.ok() ? std::vector<NodeId>{*leader} : std::vector<NodeId>{});
}

void Nemesis::heal_all() {
  stopped_ = true;
  target_.network().heal();
  target_.network().set_faults(NetworkFaults{});
  for (NodeId node : target_.live_members())
    target_.set_sync_latency(node, options_.normal_min_sync_ticks, options_.normal_max_sync_ticks);
  for (NodeId node : crashed_) target_.restart(node);
  crashed_.clear();
  target_.on_fault("heal all: faults stop", {});
}

}  // namespace synod::sim
