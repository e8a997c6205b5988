#pragma once
// PeerTransport: consensus messages between the nodes of one cluster, over TCP.
//
// Each node listens on one address and dials each configured peer once; it sends messages only
// on the connection it dialled and receives them only on the ones it accepted (see frame.h for
// the format and the handshake, docs/transport.md for the policies and limits).
//
// Threads: one io thread runs every socket operation. start() gives the transport a thread of its
// own; start_on_caller_thread() gives it none: the caller's thread becomes the io thread and runs
// the handlers itself in run_until() (the node runtime does this, so that a peer message crosses
// no thread on its way in or out). send(), add_peer(), remove_peer(), wake(), stats() and
// queue_depth() may be called from any thread and never block on the network; a send() made on
// the io thread outside a handler starts its write at once. Received messages are handed to the
// MessageHandler ON THE IO THREAD, one at a time, in the order each link received them: the
// handler must be quick and must not call stop().
//
// Loss: consensus tolerates lost messages, so the transport drops rather than blocks: when a
// peer's queue is full, when the peer is unknown, when a connection fails with a frame in
// flight. Every drop is counted in stats().
#include <asio/io_context.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "consensus/log_types.h"
#include "core/status.h"
#include "transport/inbound_connection.h"
#include "transport/outbound_peer.h"
#include "transport/transport_config.h"
#include "transport/transport_shared.h"
#include "transport/transport_stats.h"

namespace synod::transport {

class PeerTransport {
 public:
  using MessageHandler = std::function<void(consensus::Message)>;

  PeerTransport(PeerTransportConfig config, MessageHandler on_message);
  ~PeerTransport();  // stop()
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // Validates the configuration, binds the listener and starts the io thread. Once only.
  Status start();
  // Like start(), without a thread: the thread that calls run_until() is the io thread. Once only.
  Status start_on_caller_thread();
  // Caller-driven transports, on the io thread: waits until a handler is ready or `deadline`,
  // then runs the ready handlers without blocking again, at most kMaxHandlersPerRun in all (a
  // peer that keeps its socket full cannot hold the caller's loop). Returns how many ran.
  size_t run_until(std::chrono::steady_clock::time_point deadline);
  static constexpr size_t kMaxHandlersPerRun = 1024;
  // Any thread: makes a run_until() in progress (or the next one) return promptly.
  void wake();
  // The bound port (the ephemeral one when config.listen.port was 0); valid after start().
  uint16_t listen_port() const { return listen_port_; }

  // Queues `message` for message.to; requires message.from == own id (a programmer error
  // otherwise: the receiver would refuse the whole connection). Never blocks. The configured
  // peers exist from start() on; before it (and after stop()) messages are dropped as unknown.
  void send(consensus::Message message);
  // Adds a peer, or changes its address (its queue is then dropped and its connection redialled).
  Status add_peer(consensus::NodeId peer, const PeerAddress& address);
  // Stops sending to the peer and hearing from it; its queued messages are dropped.
  void remove_peer(consensus::NodeId peer);

  // Closes the listener and every connection, then joins the io thread (caller-driven: from any
  // thread once run_until() is no longer called). Idempotent; not from the message handler.
  void stop();

  // config.cluster_id, or the one a joining node learnt from its peers (0 until then).
  uint64_t cluster_id() const { return shared_.cluster_id.load(); }

  TransportStats stats() const { return shared_.counters.snapshot(); }
  QueueDepth queue_depth(consensus::NodeId peer) const;

 private:
  void accept_next();
  void on_accept(const asio::error_code& error, asio::ip::tcp::socket socket);
  Status listen();
  void close_all();  // io thread
  bool on_io_thread() const;
  bool is_peer(consensus::NodeId peer) const;

  TransportShared shared_;
  MessageHandler on_message_;
  InboundHooks hooks_;
  asio::io_context io_;  // declared before everything holding a socket, so destroyed after it
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;  // after an accept error (e.g. out of descriptors)
  std::thread thread_;  // empty when caller-driven
  // The caller-driven io thread, once run_until() ran on it; read by send() on any thread.
  std::atomic<std::thread::id> io_thread_id_{};
  bool started_ = false;
  bool caller_driven_ = false;
  std::atomic<bool> stopped_{false};
  uint16_t listen_port_ = 0;

  mutable std::mutex mutex_;
  std::map<consensus::NodeId, std::shared_ptr<OutboundPeer>> peers_;  // guarded by mutex_
  // io thread only; bounded by config.max_inbound_connections.
  std::map<InboundConnection*, std::shared_ptr<InboundConnection>> inbound_;
};

}  // namespace synod::transport
