#pragma once
// What a PeerTransport shares with its connections: the fixed configuration, the counters and the
// log. It outlives every connection (the transport joins its io thread before destroying it).
#include <atomic>
#include <cstdint>
#include <string>

#include "transport/transport_config.h"
#include "transport/transport_stats.h"

namespace synod::transport {

struct TransportShared {
  PeerTransportConfig config;  // fixed after construction; the live peer map is the transport's
  TransportCounters counters;
  // The cluster id in force: config.cluster_id, or for a node joining a running cluster (0) the
  // id the first configured peer presents. Written on the io thread; read anywhere.
  std::atomic<uint64_t> cluster_id{0};

  // Whether a configured peer presenting `presented` in its handshake is of this cluster. A joiner
  // presents 0 until it learns the id (it is a peer only once a member add named it), and adopts
  // the first id it is presented.
  bool accept_cluster(uint64_t presented) {
    uint64_t ours = cluster_id.load();
    if (presented == ours) return ours != 0;
    if (presented == 0) return true;
    if (ours != 0) return false;
    return cluster_id.compare_exchange_strong(ours, presented) || ours == presented;
  }

  void log(const std::string& line) const {
    if (config.log) config.log("transport " + std::to_string(config.id) + ": " + line);
  }
};

}  // namespace synod::transport
