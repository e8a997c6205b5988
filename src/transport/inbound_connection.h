#pragma once
// One accepted connection: reads frames, validates each completely, delivers its messages.
//
// The first frame must be a handshake (at most kHandshakeBodyBytes, so an unknown client cannot
// make us buffer a large frame) naming our cluster id and a configured peer, within
// handshake_timeout_ms; we answer it with our own handshake, the only frame we ever write. Every
// later frame must be a batch whose messages all come from that sender and are addressed to us,
// and once its header has arrived its body must follow within body_timeout_ms (a sender stalling
// inside a frame cannot hold a slot and a buffer for ever). Any failure (bad magic, an oversize
// length, checksum, a body that does not decode, a misaddressed message, the stream ending inside
// a frame, a timeout) counts one reject and closes the connection. A batch is decoded whole before
// any of its messages is delivered, so nothing from a bad frame gets through.
#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "consensus/log_types.h"
#include "transport/frame.h"
#include "transport/transport_shared.h"

namespace synod::transport {

class InboundConnection;

// Provided by the transport; called on the io thread.
struct InboundHooks {
  std::function<bool(consensus::NodeId)> is_peer;
  std::function<void(consensus::Message)> deliver;
  std::function<void(InboundConnection*)> closed;  // to forget the connection
  // A peer completed a handshake: it is up, so a redial waiting on back-off can go at once.
  std::function<void(consensus::NodeId)> peer_up;
};

class InboundConnection : public std::enable_shared_from_this<InboundConnection> {
 public:
  InboundConnection(asio::ip::tcp::socket socket, TransportShared& shared, InboundHooks& hooks);

  // io thread only.
  void start();
  void close();  // idempotent

 private:
  void read_header();
  void on_header(const asio::error_code& error, size_t bytes);
  void on_body(const asio::error_code& error, size_t bytes);
  void handle_handshake();
  void handle_batch();
  void reject(std::atomic<uint64_t>& counter, const std::string& why);
  void on_read_error(const asio::error_code& error, bool inside_frame);
  std::string describe() const;  // for the log: the node once known, else the remote address

  asio::ip::tcp::socket socket_;
  asio::steady_timer deadline_;  // for the handshake, then for each frame's body
  TransportShared& shared_;
  InboundHooks& hooks_;
  std::array<char, kFrameHeaderBytes> header_bytes_{};
  FrameHeader header_;
  std::string body_;  // Invariant: at most max_frame_bytes
  std::string reply_frame_;  // our handshake, kept alive while it is written
  std::string remote_address_;
  consensus::NodeId sender_ = consensus::kNoNode;  // set by a valid handshake
  uint64_t body_sequence_ = 0;  // bumped per body, so a late deadline cannot hit the next one
  bool closed_ = false;
};

}  // namespace synod::transport
