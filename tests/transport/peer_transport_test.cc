// Real transports on 127.0.0.1: ordering per link, batching, reconnect, bounded queues, runtime
// peer changes. Every wait is on a condition with a deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "transport/frame.h"
#include "transport_test_util.h"

namespace synod::transport {
namespace {

using testing::Node;
using testing::start_node;
using testing::test_config;
using testing::wait_until;

std::vector<std::string> numbered(const std::string& prefix, int count) {
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) payloads.push_back(prefix + std::to_string(i));
  return payloads;
}

// Makes every node a peer of every other (the ports are known only after start()).
void connect_all(const std::vector<std::pair<consensus::NodeId, Node*>>& nodes) {
  for (const auto& [id, node] : nodes) {
    for (const auto& [other_id, other] : nodes) {
      if (id != other_id) {
        ASSERT_TRUE(node->transport->add_peer(other_id, {"127.0.0.1", other->port()}).ok());
      }
    }
  }
}

// A port nothing listens on right now (taken from a transport that then stops), for a peer that
// is down until a test starts it there.
uint16_t free_port() {
  auto node = start_node(test_config(99));
  return node ? node->port() : 0;
}

TEST(PeerTransportTest, TwoNodesExchangeMessagesInOrder) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  connect_all({{1, a.get()}, {2, b.get()}});
  const auto to_b = numbered("a-to-b ", 300);
  const auto to_a = numbered("b-to-a ", 300);
  for (int i = 0; i < 300; ++i) {
    a->send(1, 2, to_b[i]);
    b->send(2, 1, to_a[i]);
  }
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 300 && a->inbox.size() == 300; }));
  EXPECT_EQ(b->inbox.payloads_from(1), to_b);
  EXPECT_EQ(a->inbox.payloads_from(2), to_a);
  // The sender counts a frame when its write completes, which may be after the receiver has it.
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().messages_sent == 300; }));
  const TransportStats stats = a->transport->stats();
  EXPECT_EQ(stats.messages_received, 300u);
  EXPECT_EQ(stats.rejects(), 0u);
}

TEST(PeerTransportTest, ThreeNodesEachLinkKeepsItsOrder) {
  std::vector<std::unique_ptr<Node>> nodes;
  for (consensus::NodeId id = 1; id <= 3; ++id) {
    nodes.push_back(start_node(test_config(id)));
    ASSERT_TRUE(nodes.back());
  }
  connect_all({{1, nodes[0].get()}, {2, nodes[1].get()}, {3, nodes[2].get()}});
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    for (consensus::NodeId from = 1; from <= 3; ++from) {
      for (consensus::NodeId to = 1; to <= 3; ++to) {
        if (from == to) continue;
        nodes[from - 1]->send(from, to, std::to_string(from) + ">" + std::to_string(i));
      }
    }
  }
  ASSERT_TRUE(wait_until([&] {
    for (auto& node : nodes) {
      if (node->inbox.size() != 2 * kCount) return false;
    }
    return true;
  }));
  for (consensus::NodeId to = 1; to <= 3; ++to) {
    for (consensus::NodeId from = 1; from <= 3; ++from) {
      if (from != to) {
        EXPECT_EQ(nodes[to - 1]->inbox.payloads_from(from),
                  numbered(std::to_string(from) + ">", kCount));
      }
    }
  }
}

TEST(PeerTransportTest, MessagesQueuedWhileThePeerIsDownLeaveInOneFrame) {
  auto a = start_node(test_config(1));
  ASSERT_TRUE(a);
  const uint16_t port_b = free_port();  // after A is bound, so not A's port
  ASSERT_NE(port_b, 0);
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", port_b}).ok());
  const auto payloads = numbered("queued ", 1000);
  for (const auto& payload : payloads) a->send(1, 2, payload);
  EXPECT_EQ(a->transport->queue_depth(2).messages, 1000u);

  PeerTransportConfig config_b = test_config(2, port_b);
  config_b.peers[1] = {"127.0.0.1", a->port()};
  auto b = start_node(config_b);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 1000; }));
  EXPECT_EQ(b->inbox.payloads_from(1), payloads);
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().messages_sent == 1000; }));
  EXPECT_EQ(a->transport->stats().frames_sent, 1u);  // all of them fit one frame
}

TEST(PeerTransportTest, SendsDuringAWriteAreBatched) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  connect_all({{1, a.get()}, {2, b.get()}});
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().connects == 1; }));
  constexpr int kCount = 3000;  // within the default queue limit (4096)
  const auto payloads = numbered("burst ", kCount);
  for (const auto& payload : payloads) a->send(1, 2, payload);
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == kCount; }));
  EXPECT_EQ(b->inbox.payloads_from(1), payloads);
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().messages_sent == kCount; }));
  const TransportStats stats = a->transport->stats();
  EXPECT_LT(stats.frames_sent * 10, stats.messages_sent) << stats.frames_sent << " frames";
}

TEST(PeerTransportTest, ReconnectsAfterThePeerRestarts) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  connect_all({{1, a.get()}, {2, b.get()}});
  a->send(1, 2, "before");
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 1; }));
  const uint16_t port_b = b->port();
  // Not zero: A's first dial may have raced B's add_peer and been refused.
  const uint64_t reconnects_before = a->transport->stats().reconnects;

  b.reset();  // stops and joins
  // A notices at once (its pending read ends) and starts redialling with back-off; what it sends
  // from now on waits in the queue.
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().reconnects > reconnects_before; }));
  const auto while_down = numbered("down ", 10);
  for (const auto& payload : while_down) a->send(1, 2, payload);

  PeerTransportConfig config_b = test_config(2, port_b);
  config_b.peers[1] = {"127.0.0.1", a->port()};
  b = start_node(config_b);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().connects >= 2; }));
  const auto after = numbered("after ", 100);
  for (const auto& payload : after) a->send(1, 2, payload);
  b->send(2, 1, "hello again");

  std::vector<std::string> expected = while_down;
  expected.insert(expected.end(), after.begin(), after.end());
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == expected.size(); }));
  EXPECT_EQ(b->inbox.payloads_from(1), expected);
  ASSERT_TRUE(wait_until([&] { return a->inbox.size() == 1; }));
}

// A back-off far longer than the test's deadline: only the redial on the peer's own handshake
// can deliver in time.
TEST(PeerTransportTest, APeerThatDialsUsCutsOurBackOffShort) {
  PeerTransportConfig config_a = test_config(1);
  config_a.reconnect_initial_ms = 60000;
  config_a.reconnect_max_ms = 60000;
  auto a = start_node(config_a);
  ASSERT_TRUE(a);
  const uint16_t port_b = free_port();
  ASSERT_NE(port_b, 0);
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", port_b}).ok());
  a->send(1, 2, "queued while down");
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().reconnects >= 1; }));

  PeerTransportConfig config_b = test_config(2, port_b);
  config_b.peers[1] = {"127.0.0.1", a->port()};
  auto b = start_node(config_b);
  ASSERT_TRUE(b);
  b->send(2, 1, "hello");  // B's dial is what tells A that B is up
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 1; }));
  EXPECT_EQ(b->inbox.payloads_from(1), std::vector<std::string>{"queued while down"});
}

TEST(PeerTransportTest, QueueForADeadPeerIsBoundedAndDropsTheOverflow) {
  PeerTransportConfig config = test_config(1);
  config.max_queue_messages = 100;
  auto a = start_node(config);
  ASSERT_TRUE(a);
  const uint16_t port_b = free_port();  // after A is bound, so not A's port
  ASSERT_NE(port_b, 0);
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", port_b}).ok());
  for (int i = 0; i < 10000; ++i) a->send(1, 2, "m" + std::to_string(i));
  EXPECT_EQ(a->transport->queue_depth(2).messages, 100u);
  EXPECT_EQ(a->transport->stats().drops_queue_full, 9900u);
  // It keeps redialling meanwhile, and stays bounded.
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().reconnects >= 3; }));
  EXPECT_EQ(a->transport->queue_depth(2).messages, 100u);

  // When the peer comes up it gets the oldest hundred, in order.
  PeerTransportConfig config_b = test_config(2, port_b);
  config_b.peers[1] = {"127.0.0.1", a->port()};
  auto b = start_node(config_b);
  ASSERT_TRUE(b);
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 100; }));
  EXPECT_EQ(b->inbox.payloads_from(1), numbered("m", 100));
}

TEST(PeerTransportTest, QueueByteLimitHolds) {
  const uint16_t port_b = free_port();
  ASSERT_NE(port_b, 0);
  PeerTransportConfig config = test_config(1);
  config.max_queue_bytes = 64 << 10;
  config.peers[2] = {"127.0.0.1", port_b};
  auto a = start_node(config);
  ASSERT_TRUE(a);
  for (int i = 0; i < 1000; ++i) a->send(1, 2, std::string(1024, 'x'));
  const QueueDepth depth = a->transport->queue_depth(2);
  EXPECT_LE(depth.bytes, 64u << 10);
  EXPECT_EQ(depth.messages, 62u);  // 64 KiB / (1024 payload + 18 bytes of from, to, length)
  EXPECT_EQ(a->transport->stats().drops_queue_full, 1000u - 62u);
}

TEST(PeerTransportTest, OversizeMessageAndUnknownPeerAreDropped) {
  PeerTransportConfig config = test_config(1);
  config.max_frame_bytes = 1024;
  auto a = start_node(config);
  ASSERT_TRUE(a);
  a->send(1, 2, "nobody");
  EXPECT_EQ(a->transport->stats().drops_unknown_peer, 1u);
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", 1}).ok());
  a->send(1, 2, std::string(2000, 'x'));
  EXPECT_EQ(a->transport->stats().drops_too_large, 1u);
  EXPECT_EQ(a->transport->queue_depth(2).messages, 0u);
}

TEST(PeerTransportTest, PeersCanBeAddedAndRemovedAtRuntime) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  a->send(1, 2, "too early");
  connect_all({{1, a.get()}, {2, b.get()}});
  a->send(1, 2, "welcome");
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 1; }));
  EXPECT_EQ(b->inbox.payloads_from(1), std::vector<std::string>{"welcome"});

  a->transport->remove_peer(2);
  a->send(1, 2, "gone");
  EXPECT_EQ(a->transport->stats().drops_unknown_peer, 2u);

  // B forgets A: A's next connection is refused at the handshake.
  b->transport->remove_peer(1);
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", b->port()}).ok());
  a->send(1, 2, "refused");
  ASSERT_TRUE(wait_until([&] { return b->transport->stats().rejects_unknown_sender >= 1; }));
  EXPECT_EQ(b->inbox.size(), 1u);
}

TEST(PeerTransportTest, SendFromManyThreadsKeepsEachThreadsOrder) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  connect_all({{1, a.get()}, {2, b.get()}});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;  // 2000 in all: within the default queue limit
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        a->send(1, 2, std::to_string(t) + ":" + std::to_string(i));
      }
    });
  }
  for (auto& sender : senders) sender.join();
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == kThreads * kPerThread; }));
  std::vector<int> next(kThreads, 0);
  for (const std::string& payload : b->inbox.payloads_from(1)) {
    const int thread = std::stoi(payload.substr(0, payload.find(':')));
    EXPECT_EQ(std::stoi(payload.substr(payload.find(':') + 1)), next[thread]++) << payload;
  }
}

TEST(PeerTransportTest, StopWhileSendingIsClean) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  connect_all({{1, a.get()}, {2, b.get()}});
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (int i = 0; !done; ++i) a->send(1, 2, "m" + std::to_string(i));
  });
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() > 100; }));
  a->transport->stop();  // sends after this are dropped, never crash
  b->transport->stop();
  done = true;
  sender.join();
}

TEST(PeerTransportTest, APeerThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  testing::StalledPeer stalled;
  ASSERT_NE(stalled.port(), 0);
  PeerTransportConfig config = test_config(1);
  config.write_timeout_ms = 200;
  config.peers[2] = {"127.0.0.1", stalled.port()};
  auto a = start_node(config);
  ASSERT_TRUE(a);
  ASSERT_TRUE(stalled.accept_and_reply(
      encode_frame(encode_handshake({testing::kClusterId, 2, kProtocolVersion}))));
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().connects == 1; }));
  // Far more than the loopback socket buffers hold, so the write cannot finish.
  for (int i = 0; i < 20; ++i) a->send(1, 2, std::string(1 << 20, 'x'));
  ASSERT_TRUE(wait_until([&] {
    const TransportStats stats = a->transport->stats();
    return stats.drops_connection_lost > 0 && stats.reconnects >= 1;
  }));
}

TEST(PeerTransportTest, ChangingAPeersAddressRedialsAndDropsItsOldQueue) {
  auto a = start_node(test_config(1));
  auto b = start_node(test_config(2));
  ASSERT_TRUE(a && b);
  const uint16_t dead_port = free_port();  // after A and B are bound, so neither's port
  ASSERT_NE(dead_port, 0);
  ASSERT_TRUE(b->transport->add_peer(1, {"127.0.0.1", a->port()}).ok());
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", dead_port}).ok());
  a->send(1, 2, "to the old address");
  ASSERT_TRUE(a->transport->add_peer(2, {"127.0.0.1", b->port()}).ok());
  a->send(1, 2, "to the new address");
  ASSERT_TRUE(wait_until([&] { return b->inbox.size() == 1; }));
  EXPECT_EQ(b->inbox.payloads_from(1), std::vector<std::string>{"to the new address"});
  ASSERT_TRUE(wait_until([&] { return a->transport->stats().drops_peer_removed == 1; }));
}

TEST(PeerTransportTest, StopIsIdempotentAndStartFailsOnABusyPort) {
  auto a = start_node(test_config(1));
  ASSERT_TRUE(a);
  Node clash(test_config(2, a->port()));
  EXPECT_EQ(clash.transport->start().code(), StatusCode::kUnavailable);
  a->transport->stop();
  a->transport->stop();
  Node never_started(test_config(3));  // destroyed without start(): nothing to join
}

}  // namespace
}  // namespace synod::transport

namespace synod::transport {
namespace {

// A node joining a running cluster knows no cluster id (0): it adopts the one its first peer
// presents, in either direction, and then talks like any member; a stranger with another id
// is still refused.
TEST(PeerTransportTest, JoiningNodeLearnsTheClusterIdFromItsPeers) {
  auto member = testing::start_node(testing::test_config(1));
  PeerTransportConfig joiner_config = testing::test_config(2);
  joiner_config.cluster_id = 0;
  auto joiner = testing::start_node(joiner_config);
  ASSERT_TRUE(member && joiner);
  EXPECT_EQ(joiner->transport->cluster_id(), 0u);
  ASSERT_TRUE(member->transport->add_peer(2, {"127.0.0.1", joiner->port()}).ok());
  ASSERT_TRUE(joiner->transport->add_peer(1, {"127.0.0.1", member->port()}).ok());
  joiner->send(2, 1, "hello from the joiner");
  member->send(1, 2, "welcome");
  ASSERT_TRUE(testing::wait_until([&] { return member->inbox.size() == 1 && joiner->inbox.size() == 1; }));
  EXPECT_EQ(joiner->transport->cluster_id(), testing::kClusterId);
  EXPECT_EQ(member->transport->cluster_id(), testing::kClusterId);

  PeerTransportConfig stranger_config = testing::test_config(3);
  stranger_config.cluster_id = testing::kClusterId + 1;
  auto stranger = testing::start_node(stranger_config);
  ASSERT_TRUE(stranger);
  ASSERT_TRUE(joiner->transport->add_peer(3, {"127.0.0.1", stranger->port()}).ok());
  ASSERT_TRUE(stranger->transport->add_peer(2, {"127.0.0.1", joiner->port()}).ok());
  joiner->send(2, 3, "to a stranger");
  stranger->send(3, 2, "from a stranger");
  ASSERT_TRUE(testing::wait_until([&] { return joiner->transport->stats().rejects_wrong_cluster >= 1; }));
  EXPECT_EQ(stranger->inbox.size(), 0u);
  EXPECT_EQ(joiner->inbox.payloads_from(3).size(), 0u);
  EXPECT_EQ(joiner->transport->cluster_id(), testing::kClusterId);
}

}  // namespace
}  // namespace synod::transport
