#pragma once
// One peer's outbound side: a bounded send queue and the single connection we write it to.
//
// States (io thread): Idle -> Connecting -> Handshaking -> Connected -> (failure) Waiting ->
// Connecting ...; Closed is final. On connect we write our handshake and wait for the peer's reply
// (its own handshake: same cluster, the node id we expect) before sending any message, so a peer
// that refuses us, or a different node on that port, costs no message. Connect plus handshake
// must finish within connect_timeout_ms. Then batches: while one write is in flight, new messages
// accumulate in the queue and leave together in the next frame. A failed connection loses the
// frame in flight (counted) and is redialled after a jittered exponential back-off; so does a
// frame whose write takes over write_timeout_ms (a peer that stopped reading). After its
// reply the acceptor never writes again, so a pending one-byte read tells us promptly when the
// peer has gone (it completes only on close or reset).
#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "consensus/log_types.h"
#include "transport/frame.h"
#include "transport/reconnect_backoff.h"
#include "transport/send_queue.h"
#include "transport/transport_shared.h"

namespace synod::transport {

struct QueueDepth {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

class OutboundPeer : public std::enable_shared_from_this<OutboundPeer> {
 public:
  OutboundPeer(asio::io_context& io, TransportShared& shared, consensus::NodeId peer,
               const PeerAddress& address);

  const PeerAddress& address() const { return address_; }
  // Any thread. False when the queue is full (the caller counts the drop). `on_io_thread`: the
  // caller runs on the io thread outside any handler, so the write starts now instead of from a
  // posted handler.
  bool enqueue(consensus::Message& message, bool on_io_thread = false);
  QueueDepth depth() const;

  // io thread only.
  void start();
  void close();  // final: drops what is queued
  // The peer just dialled us, so it is up: a redial waiting on back-off goes now, from the
  // initial step (a restarted peer is reached without waiting out a long back-off).
  void redial_if_waiting();

 private:
  enum class State { kIdle, kConnecting, kHandshaking, kConnected, kWaiting, kClosed };

  void dial();
  void on_connect(uint64_t generation, const asio::error_code& error);
  void on_connect_deadline(uint64_t generation, const asio::error_code& error);
  void on_reply(uint64_t generation, const asio::error_code& error);
  void watch_for_close(uint64_t generation);
  void write_frame(uint64_t generation, std::string frame, size_t messages);
  void on_write(uint64_t generation, const asio::error_code& error);
  void write_next();
  void fail(uint64_t generation, const std::string& why);

  asio::io_context& io_;
  TransportShared& shared_;
  const consensus::NodeId peer_;
  const PeerAddress address_;
  const asio::ip::tcp::endpoint endpoint_;

  // io thread only.
  ReconnectBackoff backoff_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;  // the connect-and-handshake deadline, the write deadline, or the
                              // back-off wait: never two at once
  State state_ = State::kIdle;
  uint64_t generation_ = 0;   // bumped on each dial and failure; older handlers are ignored
  bool writing_ = false;
  std::string frame_;         // Invariant: the bytes being written while writing_
  size_t frame_messages_ = 0; // messages in frame_ (0 for the handshake)
  uint64_t write_sequence_ = 0;  // bumped per frame, so a late write deadline cannot hit the next
  std::array<char, kFrameHeaderBytes + kHandshakeBodyBytes> reply_bytes_{};
  char probe_byte_ = 0;

  mutable std::mutex mutex_;
  SendQueue queue_;           // guarded by mutex_
  bool flush_posted_ = false; // guarded by mutex_: a write_next is already on its way
};

}  // namespace synod::transport
