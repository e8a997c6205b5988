#include "sim/sim_network.h"

namespace synod::sim {

void SimNetwork::send(consensus::Message message) {
  ++stats_.sent;
  if (blocked(message.from, message.to) || random_.chance(faults_.loss_percent, 100)) {
    ++stats_.dropped;
    return;
  }
  if (random_.chance(faults_.duplicate_percent, 100)) {
    ++stats_.duplicated;
    schedule_delivery(message);
  }
  schedule_delivery(std::move(message));
}

void SimNetwork::schedule_delivery(consensus::Message message) {
  const Tick delay = random_.between(faults_.min_delay_ticks, faults_.max_delay_ticks);
  uint32_t& in_flight = in_flight_[{message.from, message.to}];
  if (in_flight >= kMaxInFlightPerLink) {
    ++stats_.dropped;
    return;
  }
  ++in_flight;
  queue_.schedule_after(delay, [this, message = std::move(message)]() {
    --in_flight_[{message.from, message.to}];
    if (blocked(message.from, message.to)) {
      ++stats_.dropped;
      return;
    }
    ++stats_.delivered;
    deliver_(message);
  });
}

void SimNetwork::split(const std::vector<consensus::NodeId>& side_a,
                       const std::vector<consensus::NodeId>& side_b) {
  for (consensus::NodeId a : side_a)
    for (consensus::NodeId b : side_b) {
      block(a, b);
      block(b, a);
    }
}

void SimNetwork::isolate(consensus::NodeId node, const std::vector<consensus::NodeId>& others) {
  for (consensus::NodeId other : others)
    if (other != node) {
      block(node, other);
      block(other, node);
    }
}

}  // namespace synod::sim
