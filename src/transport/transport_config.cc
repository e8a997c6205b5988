#include "transport/transport_config.h"

#include <asio/ip/address.hpp>

namespace synod::transport {
namespace {

Status invalid(const std::string& message) {
  return Status(StatusCode::kInvalidArgument, "transport config: " + message);
}

bool is_ip_address(const std::string& host) {
  asio::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

}  // namespace

Status validate_peer(const PeerTransportConfig& config, consensus::NodeId peer,
                     const PeerAddress& address) {
  if (peer == consensus::kNoNode) return invalid("peer id 0 is reserved");
  if (peer == config.id) return invalid("a node is not its own peer");
  if (!is_ip_address(address.host)) {
    return invalid("peer host is not an IP address: " + address.host);
  }
  if (address.port == 0) return invalid("peer port 0");
  return Status::Ok();
}

Status validate_config(const PeerTransportConfig& config) {
  if (config.id == consensus::kNoNode) return invalid("own id 0 is reserved");
  if (!is_ip_address(config.listen.host)) return invalid("listen host is not an IP address");
  // Room for the handshake and for at least one small message.
  if (config.max_frame_bytes < 64) return invalid("max_frame_bytes below 64");
  if (config.max_batch_messages == 0) return invalid("max_batch_messages is 0");
  if (config.max_queue_messages == 0) return invalid("max_queue_messages is 0");
  if (config.max_queue_bytes == 0) return invalid("max_queue_bytes is 0");
  if (config.max_inbound_connections == 0) return invalid("max_inbound_connections is 0");
  if (config.reconnect_initial_ms == 0 || config.reconnect_initial_ms > config.reconnect_max_ms) {
    return invalid("need 0 < reconnect_initial_ms <= reconnect_max_ms");
  }
  if (config.connect_timeout_ms == 0) return invalid("connect_timeout_ms is 0");
  if (config.write_timeout_ms == 0) return invalid("write_timeout_ms is 0");
  if (config.handshake_timeout_ms == 0) return invalid("handshake_timeout_ms is 0");
  if (config.body_timeout_ms == 0) return invalid("body_timeout_ms is 0");
  for (const auto& [peer, address] : config.peers) {
    Status status = validate_peer(config, peer, address);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace synod::transport
