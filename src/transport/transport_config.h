#pragma once
// Configuration of a PeerTransport. Every queue and buffer has a limit here, checked at start.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "consensus/log_types.h"
#include "core/status.h"

namespace synod::transport {

// A numeric IP address and port: the transport never resolves names, so it never blocks on DNS.
struct PeerAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 0;

  bool operator==(const PeerAddress&) const = default;
};

struct PeerTransportConfig {
  consensus::NodeId id = consensus::kNoNode;
  uint64_t cluster_id = 0;
  PeerAddress listen;                                // port 0: ephemeral, see listen_port()
  std::map<consensus::NodeId, PeerAddress> peers;    // updatable later: add_peer/remove_peer

  uint32_t max_frame_bytes = 16 << 20;      // body bytes per frame, both directions
  uint32_t max_batch_messages = 4096;       // messages per outgoing frame
  uint32_t max_queue_messages = 4096;       // per peer; past it new messages are dropped
  uint64_t max_queue_bytes = 32 << 20;      // per peer, encoded message bytes
  uint32_t max_inbound_connections = 64;    // each may buffer one frame of max_frame_bytes
  uint32_t reconnect_initial_ms = 50;       // first back-off step, doubling per failure
  uint32_t reconnect_max_ms = 2000;
  uint32_t connect_timeout_ms = 2000;       // connect plus handshake reply; else a failure
  uint32_t write_timeout_ms = 10000;        // one frame's write; a peer not reading is dead
  uint32_t handshake_timeout_ms = 5000;     // an accepted socket silent this long is closed
  uint32_t body_timeout_ms = 10000;         // from a frame's header to the end of its body
  uint64_t seed = 1;                        // reconnect jitter

  // Connection events and rejected frames, one line each; called on the io thread. Optional.
  std::function<void(const std::string&)> log;
};

Status validate_config(const PeerTransportConfig& config);
Status validate_peer(const PeerTransportConfig& config, consensus::NodeId peer,
                     const PeerAddress& address);

}  // namespace synod::transport
