#pragma once
// Helpers for transport tests: a thread-safe inbox, condition waits with a deadline, nodes on
// 127.0.0.1 and a raw client socket for feeding a listener hand-made bytes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/peer_transport.h"

namespace synod::transport::testing {

inline constexpr uint64_t kClusterId = 0xC1A5;
inline constexpr auto kWaitLimit = std::chrono::seconds(5);

// Polls `condition` until it holds or `limit` passes; never a blind sleep.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = kWaitLimit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class Inbox {
 public:
  void add(consensus::Message message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }
  // Payloads of the messages from `sender`, in arrival order.
  std::vector<std::string> payloads_from(consensus::NodeId sender) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> payloads;
    for (const auto& message : messages_) {
      if (message.from == sender) payloads.push_back(message.payload);
    }
    return payloads;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<consensus::Message> messages_;
};

inline PeerTransportConfig test_config(consensus::NodeId id, uint16_t port = 0) {
  PeerTransportConfig config;
  config.id = id;
  config.cluster_id = kClusterId;
  config.listen = {"127.0.0.1", port};
  // Short back-off so reconnect tests stay fast.
  config.reconnect_initial_ms = 10;
  config.reconnect_max_ms = 100;
  config.seed = id;
  return config;
}

// A transport and the messages it received.
struct Node {
  Inbox inbox;
  std::unique_ptr<PeerTransport> transport;

  explicit Node(PeerTransportConfig config) {
    transport = std::make_unique<PeerTransport>(
        std::move(config), [this](consensus::Message message) { inbox.add(std::move(message)); });
  }
  uint16_t port() const { return transport->listen_port(); }
  void send(consensus::NodeId from, consensus::NodeId to, std::string payload) {
    transport->send(consensus::Message{from, to, std::move(payload)});
  }
};

inline std::unique_ptr<Node> start_node(PeerTransportConfig config) {
  auto node = std::make_unique<Node>(std::move(config));
  Status status = node->transport->start();
  if (!status.ok()) return nullptr;
  return node;
}

// A blocking client socket to 127.0.0.1 for hand-made bytes.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // MSG_NOSIGNAL: writing to a connection the server closed must fail, not kill the test.
  bool write(const std::string& bytes) {
    size_t written = 0;
    while (written < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
      if (n <= 0) return false;
      written += static_cast<size_t>(n);
    }
    return true;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // True once the server has closed the connection (EOF or reset) within the limit. Whatever it
  // wrote before (its handshake reply) is read and discarded.
  bool closed_by_server(std::chrono::milliseconds limit = kWaitLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, 10) > 0) {
        char buffer[256];
        if (::recv(fd_, buffer, sizeof(buffer), 0) <= 0) return true;
      }
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A listener on 127.0.0.1 that plays a peer by hand: accepts one dial, answers its handshake,
// then never reads (a peer that has stopped reading).
class StalledPeer {
 public:
  StalledPeer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::listen(listen_fd_, 4) == 0 &&
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~StalledPeer() {
    if (peer_fd_ >= 0) ::close(peer_fd_);
    ::close(listen_fd_);
  }
  StalledPeer(const StalledPeer&) = delete;
  StalledPeer& operator=(const StalledPeer&) = delete;

  uint16_t port() const { return port_; }
  // Accepts the next dial within the limit and writes `reply` (a handshake frame) to it.
  bool accept_and_reply(const std::string& reply) {
    pollfd poll_fd{listen_fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(kWaitLimit.count() * 1000)) <= 0) return false;
    peer_fd_ = ::accept(listen_fd_, nullptr, nullptr);
    return peer_fd_ >= 0 &&
           ::send(peer_fd_, reply.data(), reply.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(reply.size());
  }

 private:
  int listen_fd_ = -1;
  int peer_fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace synod::transport::testing
