#include "transport/outbound_peer.h"

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "transport/frame.h"

namespace synod::transport {

OutboundPeer::OutboundPeer(asio::io_context& io, TransportShared& shared, consensus::NodeId peer,
                           const PeerAddress& address)
    : io_(io), shared_(shared), peer_(peer), address_(address),
      endpoint_(asio::ip::make_address(address.host), address.port),
      backoff_(shared.config.reconnect_initial_ms, shared.config.reconnect_max_ms,
               shared.config.seed ^ (peer * 0x9E3779B97F4A7C15ull)),
      socket_(io), timer_(io),
      queue_(shared.config.max_queue_messages, shared.config.max_queue_bytes) {}

bool OutboundPeer::enqueue(consensus::Message& message, bool on_io_thread) {
  if (on_io_thread) {
    {
      std::lock_guard lock(mutex_);
      if (!queue_.push(message)) return false;
    }
    write_next();
    return true;
  }
  std::lock_guard lock(mutex_);
  if (!queue_.push(message)) return false;
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(io_, [self = shared_from_this()] { self->write_next(); });
  }
  return true;
}

QueueDepth OutboundPeer::depth() const {
  std::lock_guard lock(mutex_);
  return {queue_.message_count(), queue_.byte_count()};
}

void OutboundPeer::start() {
  if (state_ == State::kIdle) dial();
}

void OutboundPeer::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  ++generation_;
  asio::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
  std::lock_guard lock(mutex_);
  shared_.counters.drops_peer_removed += queue_.message_count();
  queue_.clear();
}

void OutboundPeer::dial() {
  const uint64_t generation = ++generation_;
  state_ = State::kConnecting;
  auto self = shared_from_this();
  socket_.async_connect(endpoint_, [self, generation](const asio::error_code& error) {
    self->on_connect(generation, error);
  });
  timer_.expires_after(std::chrono::milliseconds(shared_.config.connect_timeout_ms));
  timer_.async_wait([self, generation](const asio::error_code& error) {
    self->on_connect_deadline(generation, error);
  });
}

void OutboundPeer::on_connect_deadline(uint64_t generation, const asio::error_code& error) {
  if (error || generation != generation_) return;
  if (state_ != State::kConnecting && state_ != State::kHandshaking) return;
  fail(generation, "connect or handshake timed out");
}

void OutboundPeer::on_connect(uint64_t generation, const asio::error_code& error) {
  if (generation != generation_ || state_ != State::kConnecting) return;
  if (error) return fail(generation, "connect: " + error.message());
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);  // batching is ours to do
  state_ = State::kHandshaking;
  Handshake handshake{shared_.cluster_id.load(), shared_.config.id, kProtocolVersion};
  write_frame(generation, encode_frame(encode_handshake(handshake)), 0);
  asio::async_read(socket_, asio::buffer(reply_bytes_),
                   [self = shared_from_this(), generation](const asio::error_code& error, size_t) {
                     self->on_reply(generation, error);
                   });
}

void OutboundPeer::on_reply(uint64_t generation, const asio::error_code& error) {
  if (generation != generation_ || state_ != State::kHandshaking) return;
  if (error) return fail(generation, "handshake refused: " + error.message());
  const std::string_view bytes(reply_bytes_.data(), reply_bytes_.size());
  FrameHeader header;
  Handshake reply;
  const bool valid =
      parse_frame_header(bytes.substr(0, kFrameHeaderBytes), kHandshakeBodyBytes, header) ==
          FrameError::kNone &&
      header.length == kHandshakeBodyBytes &&
      check_frame_body(header, bytes.substr(kFrameHeaderBytes)) == FrameError::kNone &&
      decode_handshake(bytes.substr(kFrameHeaderBytes), reply) &&
      reply.cluster_id != 0 && shared_.accept_cluster(reply.cluster_id) && reply.sender == peer_ &&
      reply.version == kProtocolVersion;
  if (!valid) return fail(generation, "bad handshake reply (another cluster or node?)");
  timer_.cancel();
  state_ = State::kConnected;
  backoff_.reset();
  ++shared_.counters.connects;
  shared_.log("connected to peer " + std::to_string(peer_));
  watch_for_close(generation);
  write_next();
}

void OutboundPeer::watch_for_close(uint64_t generation) {
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(&probe_byte_, 1),
                          [self, generation](const asio::error_code& error, size_t) {
                            // Either way the connection is done: after its reply the acceptor
                            // never writes.
                            self->fail(generation, error ? "peer closed: " + error.message()
                                                         : "peer wrote on a one-way connection");
                          });
}

void OutboundPeer::write_frame(uint64_t generation, std::string frame, size_t messages) {
  frame_ = std::move(frame);
  frame_messages_ = messages;
  writing_ = true;
  const uint64_t sequence = ++write_sequence_;
  auto self = shared_from_this();
  if (state_ == State::kConnected) {  // the handshake's write is under the connect deadline
    timer_.expires_after(std::chrono::milliseconds(shared_.config.write_timeout_ms));
    timer_.async_wait([self, generation, sequence](const asio::error_code& error) {
      if (error || generation != self->generation_ || sequence != self->write_sequence_ ||
          !self->writing_) {
        return;
      }
      self->fail(generation, "write timed out");
    });
  }
  asio::async_write(socket_, asio::buffer(frame_),
                    [self, generation](const asio::error_code& error, size_t) {
                      self->on_write(generation, error);
                    });
}

void OutboundPeer::on_write(uint64_t generation, const asio::error_code& error) {
  // The handshake's write may finish before or after the reply arrives.
  if (generation != generation_ || state_ == State::kClosed) return;
  if (error) return fail(generation, "write: " + error.message());
  writing_ = false;
  if (state_ == State::kConnected) timer_.cancel();  // the write deadline
  if (frame_messages_ > 0) {
    ++shared_.counters.frames_sent;
    shared_.counters.messages_sent += frame_messages_;
  }
  write_next();
}

void OutboundPeer::write_next() {
  std::vector<consensus::Message> batch;
  {
    std::lock_guard lock(mutex_);
    flush_posted_ = false;
    // Not connected or busy: on_connect / on_write call us again and take what accumulated.
    if (state_ != State::kConnected || writing_) return;
    queue_.take_batch(shared_.config.max_frame_bytes, shared_.config.max_batch_messages, batch);
  }
  if (batch.empty()) return;
  write_frame(generation_, encode_frame(encode_batch(batch)), batch.size());
}

void OutboundPeer::redial_if_waiting() {
  if (state_ != State::kWaiting) return;
  backoff_.reset();
  timer_.cancel();  // its handler sees the state change and does nothing
  dial();
}

void OutboundPeer::fail(uint64_t generation, const std::string& why) {
  if (generation != generation_ || state_ == State::kClosed) return;
  if (writing_) shared_.counters.drops_connection_lost += frame_messages_;
  writing_ = false;
  asio::error_code ignored;
  socket_.close(ignored);
  const uint64_t waiting = ++generation_;
  state_ = State::kWaiting;
  ++shared_.counters.reconnects;
  const auto delay = backoff_.next_delay();
  shared_.log("peer " + std::to_string(peer_) + ": " + why + "; redial in " +
              std::to_string(delay.count()) + " ms");
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this(), waiting](const asio::error_code& error) {
    if (error || waiting != self->generation_ || self->state_ != State::kWaiting) return;
    self->dial();
  });
}

}  // namespace synod::transport
