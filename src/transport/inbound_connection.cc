#include "transport/inbound_connection.h"

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <vector>

namespace synod::transport {

InboundConnection::InboundConnection(asio::ip::tcp::socket socket, TransportShared& shared,
                                     InboundHooks& hooks)
    : socket_(std::move(socket)), deadline_(socket_.get_executor()), shared_(shared),
      hooks_(hooks) {
  asio::error_code error;
  const asio::ip::tcp::endpoint remote = socket_.remote_endpoint(error);
  remote_address_ = error ? "an unknown address"
                          : remote.address().to_string() + ":" + std::to_string(remote.port());
}

std::string InboundConnection::describe() const {
  if (sender_ != consensus::kNoNode) return "node " + std::to_string(sender_);
  return remote_address_;
}

void InboundConnection::start() {
  deadline_.expires_after(std::chrono::milliseconds(shared_.config.handshake_timeout_ms));
  deadline_.async_wait([self = shared_from_this()](const asio::error_code& error) {
    if (error || self->closed_ || self->sender_ != consensus::kNoNode) return;
    self->reject(self->shared_.counters.rejects_handshake_timeout, "no handshake in time");
  });
  read_header();
}

void InboundConnection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  deadline_.cancel();
  hooks_.closed(this);
}

void InboundConnection::reject(std::atomic<uint64_t>& counter, const std::string& why) {
  ++counter;
  shared_.log("closing inbound connection from " + describe() + ": " + why);
  close();
}

void InboundConnection::on_read_error(const asio::error_code& error, bool inside_frame) {
  if (closed_) return;  // we closed it ourselves (stop, reject)
  if (inside_frame) {
    return reject(shared_.counters.rejects_truncated, "truncated frame: " + error.message());
  }
  shared_.log("inbound connection from " + describe() + " ended");
  close();
}

void InboundConnection::read_header() {
  asio::async_read(socket_, asio::buffer(header_bytes_),
                   [self = shared_from_this()](const asio::error_code& error, size_t bytes) {
                     self->on_header(error, bytes);
                   });
}

void InboundConnection::on_header(const asio::error_code& error, size_t bytes) {
  if (error) return on_read_error(error, bytes > 0);
  if (closed_) return;
  TransportCounters& counters = shared_.counters;
  const bool handshaken = sender_ != consensus::kNoNode;
  const uint32_t max_body_bytes = handshaken ? shared_.config.max_frame_bytes
                                             : static_cast<uint32_t>(kHandshakeBodyBytes);
  const FrameError frame_error = parse_frame_header(
      std::string_view(header_bytes_.data(), header_bytes_.size()), max_body_bytes, header_);
  if (frame_error == FrameError::kBadMagic) return reject(counters.rejects_bad_magic, "bad magic");
  if (frame_error == FrameError::kOversize) {
    return reject(counters.rejects_oversize, "frame of " + std::to_string(header_.length) +
                                                 " bytes over the maximum");
  }
  if (frame_error != FrameError::kNone) return reject(counters.rejects_malformed, "bad header");
  body_.resize(header_.length);
  if (handshaken) {  // before the handshake, its own deadline is running
    const uint64_t sequence = ++body_sequence_;
    deadline_.expires_after(std::chrono::milliseconds(shared_.config.body_timeout_ms));
    deadline_.async_wait([self = shared_from_this(), sequence](const asio::error_code& error) {
      if (error || self->closed_ || sequence != self->body_sequence_) return;
      self->reject(self->shared_.counters.rejects_slow_frame, "frame body not complete in time");
    });
  }
  asio::async_read(socket_, asio::buffer(body_),
                   [self = shared_from_this()](const asio::error_code& error, size_t bytes) {
                     self->on_body(error, bytes);
                   });
}

void InboundConnection::on_body(const asio::error_code& error, size_t) {
  if (error) return on_read_error(error, true);
  if (closed_) return;
  if (sender_ != consensus::kNoNode) {
    ++body_sequence_;
    deadline_.cancel();
  }
  if (check_frame_body(header_, body_) != FrameError::kNone) {
    return reject(shared_.counters.rejects_bad_checksum, "checksum mismatch");
  }
  if (sender_ == consensus::kNoNode) {
    handle_handshake();
  } else {
    handle_batch();
  }
  if (!closed_) read_header();
}

void InboundConnection::handle_handshake() {
  TransportCounters& counters = shared_.counters;
  Handshake handshake;
  if (!decode_handshake(body_, handshake)) {
    return reject(counters.rejects_malformed, "bad handshake");
  }
  if (handshake.version != kProtocolVersion) {
    return reject(counters.rejects_bad_version,
                  "protocol version " + std::to_string(handshake.version));
  }
  if (!hooks_.is_peer(handshake.sender)) {
    return reject(counters.rejects_unknown_sender,
                  "unknown sender " + std::to_string(handshake.sender));
  }
  if (!shared_.accept_cluster(handshake.cluster_id)) {
    return reject(counters.rejects_wrong_cluster,
                  "cluster id " + std::to_string(handshake.cluster_id));
  }
  sender_ = handshake.sender;
  if (hooks_.peer_up) hooks_.peer_up(sender_);
  deadline_.cancel();
  reply_frame_ = encode_frame(
      encode_handshake({shared_.cluster_id.load(), shared_.config.id, kProtocolVersion}));
  // A failed write shows up on the read side too; nothing to do here.
  asio::async_write(socket_, asio::buffer(reply_frame_),
                    [self = shared_from_this()](const asio::error_code&, size_t) {});
}

void InboundConnection::handle_batch() {
  TransportCounters& counters = shared_.counters;
  std::vector<consensus::Message> messages;
  if (!decode_batch(body_, messages)) return reject(counters.rejects_malformed, "bad batch");
  for (const consensus::Message& message : messages) {
    if (message.from != sender_ || message.to != shared_.config.id) {
      return reject(counters.rejects_misaddressed, "message from " +
                                                       std::to_string(message.from) + " to " +
                                                       std::to_string(message.to));
    }
  }
  // A peer removed since its handshake is no longer heard.
  if (!hooks_.is_peer(sender_)) return reject(counters.rejects_unknown_sender, "peer removed");
  ++counters.frames_received;
  counters.messages_received += messages.size();
  body_.clear();
  for (consensus::Message& message : messages) hooks_.deliver(std::move(message));
}

}  // namespace synod::transport
