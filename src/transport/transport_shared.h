#pragma once
// What a PeerTransport shares with its connections: the fixed configuration, the counters and the
// log. It outlives every connection (the transport joins its io thread before destroying it).
#include <string>

#include "transport/transport_config.h"
#include "transport/transport_stats.h"

namespace synod::transport {

struct TransportShared {
  PeerTransportConfig config;  // fixed after construction; the live peer map is the transport's
  TransportCounters counters;

  void log(const std::string& line) const {
    if (config.log) config.log("transport " + std::to_string(config.id) + ": " + line);
  }
};

}  // namespace synod::transport
