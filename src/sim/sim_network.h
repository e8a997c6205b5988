#pragma once
// The simulated network between nodes. Every message is delivered after a random delay; it may be
// dropped or duplicated, and reordering comes from the delay jitter (two messages on one link
// overtake each other when the second draws a shorter delay). Partitions are sets of blocked
// directed links: a message is lost if its link is blocked when it is sent or when it arrives
// (a cable cut while the message is in flight). Whether the receiver is up is the world's
// business, not the network's: the delivery callback drops messages to crashed nodes.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "consensus/engine.h"
#include "core/random.h"
#include "sim/event_queue.h"

namespace synod::sim {

struct NetworkFaults {
  uint32_t loss_percent = 0;       // each send is dropped with this probability
  uint32_t duplicate_percent = 0;  // each send that survives is delivered twice with this probability
  Tick min_delay_ticks = 1;
  Tick max_delay_ticks = 5;        // raised by the reorder fault to widen the jitter
};

// Messages in flight on one directed link beyond this are dropped, like a full socket buffer:
// a message storm (an engine ping-ponging forever, multiplied by duplication) stays bounded.
inline constexpr uint32_t kMaxInFlightPerLink = 256;

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t dropped = 0;     // lost to loss, to a blocked link or to a full link
  uint64_t duplicated = 0;
  uint64_t delivered = 0;   // handed to the delivery callback
};

class SimNetwork {
 public:
  using Deliver = std::function<void(const consensus::Message&)>;

  SimNetwork(EventQueue& queue, Random& random, Deliver deliver)
      : queue_(queue), random_(random), deliver_(std::move(deliver)) {}

  void send(consensus::Message message);

  void set_faults(const NetworkFaults& faults) { faults_ = faults; }
  const NetworkFaults& faults() const { return faults_; }

  // Blocks the directed link from → to.
  void block(consensus::NodeId from, consensus::NodeId to) { blocked_.insert({from, to}); }
  bool blocked(consensus::NodeId from, consensus::NodeId to) const {
    return blocked_.count({from, to}) != 0;
  }
  // Blocks every link between the two sides, both ways.
  void split(const std::vector<consensus::NodeId>& side_a, const std::vector<consensus::NodeId>& side_b);
  // Cuts `node` from every node in `others`, both ways.
  void isolate(consensus::NodeId node, const std::vector<consensus::NodeId>& others);
  // `listener` still hears `speaker`, but nothing `listener` sends reaches `speaker`.
  void one_way(consensus::NodeId speaker, consensus::NodeId listener) { block(listener, speaker); }
  void heal() { blocked_.clear(); }
  bool partitioned() const { return !blocked_.empty(); }

  const NetworkStats& stats() const { return stats_; }

 private:
  void schedule_delivery(consensus::Message message);

  EventQueue& queue_;
  Random& random_;
  Deliver deliver_;
  NetworkFaults faults_;
  std::set<std::pair<consensus::NodeId, consensus::NodeId>> blocked_;  // ordered: deterministic
  std::map<std::pair<consensus::NodeId, consensus::NodeId>, uint32_t> in_flight_;
  NetworkStats stats_;
};

}  // namespace synod::sim
