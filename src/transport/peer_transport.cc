#include "transport/peer_transport.h"

#include <asio/post.hpp>
#include <pthread.h>

#include "core/check.h"
#include "transport/frame.h"

namespace synod::transport {

PeerTransport::PeerTransport(PeerTransportConfig config, MessageHandler on_message)
    : shared_{std::move(config), {}}, on_message_(std::move(on_message)),
      work_(asio::make_work_guard(io_)), acceptor_(io_), accept_retry_(io_) {
  SYNOD_CHECK(on_message_ != nullptr, "a transport needs a message handler");
  shared_.cluster_id = shared_.config.cluster_id;
  hooks_.is_peer = [this](consensus::NodeId peer) { return is_peer(peer); };
  hooks_.deliver = [this](consensus::Message message) { on_message_(std::move(message)); };
  hooks_.closed = [this](InboundConnection* connection) { inbound_.erase(connection); };
  hooks_.peer_up = [this](consensus::NodeId peer) {
    std::shared_ptr<OutboundPeer> outbound;
    {
      std::lock_guard lock(mutex_);
      auto it = peers_.find(peer);
      if (it != peers_.end()) outbound = it->second;
    }
    if (outbound) outbound->redial_if_waiting();
  };
}

PeerTransport::~PeerTransport() { stop(); }

Status PeerTransport::start() {
  Status status = listen();
  if (!status.ok()) return status;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "synod-peers");
    io_.run();
  });
  return Status::Ok();
}

Status PeerTransport::start_on_caller_thread() {
  caller_driven_ = true;
  return listen();
}

size_t PeerTransport::run_until(std::chrono::steady_clock::time_point deadline) {
  SYNOD_CHECK(caller_driven_ && started_, "run_until() on a transport with its own thread");
  io_thread_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  size_t handlers = io_.run_one_until(deadline);
  while (handlers < kMaxHandlersPerRun && io_.poll_one() > 0) ++handlers;
  return handlers;
}

void PeerTransport::wake() {
  asio::post(io_, [] {});
}

bool PeerTransport::on_io_thread() const {
  return caller_driven_ &&
         io_thread_id_.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

Status PeerTransport::listen() {
  SYNOD_CHECK(!started_, "start() twice");
  if (stopped_) return Status(StatusCode::kUnavailable, "transport: start() after stop()");
  Status status = validate_config(shared_.config);
  if (!status.ok()) return status;
  asio::error_code error;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(shared_.config.listen.host),
                                         shared_.config.listen.port);
  acceptor_.open(endpoint.protocol(), error);
  // Reuse lets a restarted node bind its port again while old connections sit in TIME_WAIT.
  if (!error) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (!error) listen_port_ = acceptor_.local_endpoint(error).port();
  if (error) {
    return Status(StatusCode::kUnavailable, "transport: cannot listen on " +
                                                shared_.config.listen.host + ":" +
                                                std::to_string(endpoint.port()) + ": " +
                                                error.message());
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& [peer, address] : shared_.config.peers) {
      auto outbound = std::make_shared<OutboundPeer>(io_, shared_, peer, address);
      peers_[peer] = outbound;
      asio::post(io_, [outbound] { outbound->start(); });
    }
  }
  accept_next();
  started_ = true;
  return Status::Ok();
}

void PeerTransport::send(consensus::Message message) {
  SYNOD_CHECK(message.from == shared_.config.id, "send() of a message not from this node");
  if (encoded_message_bytes(message) + kMaxCountVarintBytes > shared_.config.max_frame_bytes) {
    ++shared_.counters.drops_too_large;
    return;
  }
  std::shared_ptr<OutboundPeer> peer;
  {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(message.to);
    if (it != peers_.end()) peer = it->second;
  }
  if (!peer) {
    ++shared_.counters.drops_unknown_peer;
  } else if (!peer->enqueue(message, on_io_thread())) {
    ++shared_.counters.drops_queue_full;
  }
}

Status PeerTransport::add_peer(consensus::NodeId peer, const PeerAddress& address) {
  Status status = validate_peer(shared_.config, peer, address);
  if (!status.ok()) return status;
  std::lock_guard lock(mutex_);
  if (stopped_) return Status(StatusCode::kUnavailable, "transport stopped");
  auto it = peers_.find(peer);
  if (it != peers_.end()) {
    if (it->second->address() == address) return Status::Ok();
    asio::post(io_, [old = it->second] { old->close(); });
  }
  auto outbound = std::make_shared<OutboundPeer>(io_, shared_, peer, address);
  peers_[peer] = outbound;
  // Before start() this waits in the io_context until the thread runs it.
  asio::post(io_, [outbound] { outbound->start(); });
  return Status::Ok();
}

void PeerTransport::remove_peer(consensus::NodeId peer) {
  std::lock_guard lock(mutex_);
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  asio::post(io_, [old = it->second] { old->close(); });
  peers_.erase(it);
}

bool PeerTransport::is_peer(consensus::NodeId peer) const {
  std::lock_guard lock(mutex_);
  return peers_.count(peer) > 0;
}

QueueDepth PeerTransport::queue_depth(consensus::NodeId peer) const {
  std::shared_ptr<OutboundPeer> outbound;
  {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(peer);
    if (it == peers_.end()) return {};
    outbound = it->second;
  }
  return outbound->depth();
}

void PeerTransport::accept_next() {
  acceptor_.async_accept(io_, [this](const asio::error_code& error, asio::ip::tcp::socket socket) {
    on_accept(error, std::move(socket));
  });
}

void PeerTransport::on_accept(const asio::error_code& error, asio::ip::tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stopping
  if (error) {
    // Persistent errors (no descriptors left) would otherwise spin this thread: pause first.
    shared_.log("accept: " + error.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](const asio::error_code& wait_error) {
      if (!wait_error && acceptor_.is_open()) accept_next();
    });
    return;
  } else if (inbound_.size() >= shared_.config.max_inbound_connections) {
    ++shared_.counters.rejects_inbound_limit;
    shared_.log("inbound connection limit reached; closing a new connection");
  } else {
    ++shared_.counters.connections_accepted;
    auto connection = std::make_shared<InboundConnection>(std::move(socket), shared_, hooks_);
    inbound_[connection.get()] = connection;
    connection->start();
  }
  accept_next();
}

void PeerTransport::close_all() {
  asio::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  std::map<consensus::NodeId, std::shared_ptr<OutboundPeer>> peers;
  {
    std::lock_guard lock(mutex_);
    peers.swap(peers_);
  }
  for (auto& [id, peer] : peers) peer->close();
  // close() erases from inbound_ through the hook: iterate over a copy.
  auto inbound = std::move(inbound_);
  inbound_.clear();
  for (auto& [raw, connection] : inbound) connection->close();
}

void PeerTransport::stop() {
  if (stopped_.exchange(true)) return;
  if (!started_) return;
  if (caller_driven_) {
    // Nobody runs the io_context any more: close here; handlers still queued belong to closed
    // sockets and are dropped with the io_context.
    close_all();
    io_.stop();
    return;
  }
  SYNOD_CHECK(std::this_thread::get_id() != thread_.get_id(),
              "stop() from the io thread (the message handler) would join itself");
  asio::post(io_, [this] {
    close_all();
    // Handlers still queued belong to closed sockets: drop them instead of running them.
    io_.stop();
  });
  thread_.join();
}

}  // namespace synod::transport
