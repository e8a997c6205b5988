// A transport without a thread of its own (start_on_caller_thread): the node runtime's mode, in
// which the node thread runs the socket handlers itself. Each test drives the transport from the
// test thread and talks to an ordinary transport on 127.0.0.1.
#include <gtest/gtest.h>

#include <thread>

#include "transport_test_util.h"

namespace synod::transport {
namespace {

using testing::kWaitLimit;
using testing::start_node;
using testing::test_config;
using testing::wait_until;

// A caller-driven transport that records each delivery and the thread it ran on.
struct DrivenNode {
  std::vector<consensus::Message> received;
  std::vector<std::thread::id> delivered_on;
  PeerTransport transport;

  explicit DrivenNode(PeerTransportConfig config)
      : transport(std::move(config), [this](consensus::Message message) {
          received.push_back(std::move(message));
          delivered_on.push_back(std::this_thread::get_id());
        }) {}

  // Runs handlers on this thread until `condition` holds; false after kWaitLimit.
  bool drive_until(const std::function<bool()>& condition) {
    const auto limit = std::chrono::steady_clock::now() + kWaitLimit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > limit) return false;
      transport.run_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
    }
    return true;
  }
};

TEST(CallerDrivenTransportTest, MessagesAreDeliveredInOrderOnTheDrivingThread) {
  auto sender = start_node(test_config(1));
  ASSERT_TRUE(sender);
  DrivenNode driven(test_config(2));
  ASSERT_TRUE(driven.transport.start_on_caller_thread().ok());
  ASSERT_TRUE(sender->transport->add_peer(2, {"127.0.0.1", driven.transport.listen_port()}).ok());
  ASSERT_TRUE(driven.transport.add_peer(1, {"127.0.0.1", sender->port()}).ok());
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back("m" + std::to_string(i));
    sender->send(1, 2, sent.back());
  }
  ASSERT_TRUE(driven.drive_until([&] { return driven.received.size() == sent.size(); }));
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(driven.received[i].payload, sent[i]);
    EXPECT_EQ(driven.delivered_on[i], std::this_thread::get_id());
  }
}

// What lets a leader's appends travel while it syncs: a send made on the driving thread, between
// two run_until() calls, is written at once, without waiting for the next run.
TEST(CallerDrivenTransportTest, ASendOnTheDrivingThreadLeavesBeforeTheNextRun) {
  auto receiver = start_node(test_config(1));
  ASSERT_TRUE(receiver);
  DrivenNode driven(test_config(2));
  ASSERT_TRUE(driven.transport.start_on_caller_thread().ok());
  ASSERT_TRUE(driven.transport.add_peer(1, {"127.0.0.1", receiver->port()}).ok());
  ASSERT_TRUE(receiver->transport->add_peer(2, {"127.0.0.1", driven.transport.listen_port()}).ok());
  // Connected once the first message has arrived and its write has completed.
  driven.transport.send({2, 1, "first"});
  ASSERT_TRUE(driven.drive_until([&] {
    return receiver->inbox.size() == 1 && driven.transport.stats().frames_sent == 1;
  }));
  driven.transport.send({2, 1, "second"});  // no run_until() from here on
  ASSERT_TRUE(wait_until([&] { return receiver->inbox.size() == 2; }));
  EXPECT_EQ(receiver->inbox.payloads_from(2), (std::vector<std::string>{"first", "second"}));
}

// A backlog bigger than one run is taken over several: the caller's loop gets its turn between.
TEST(CallerDrivenTransportTest, OneRunRunsABoundedNumberOfHandlers) {
  auto sender = start_node(test_config(1));
  ASSERT_TRUE(sender);
  DrivenNode driven(test_config(2));
  ASSERT_TRUE(driven.transport.start_on_caller_thread().ok());
  ASSERT_TRUE(sender->transport->add_peer(2, {"127.0.0.1", driven.transport.listen_port()}).ok());
  ASSERT_TRUE(driven.transport.add_peer(1, {"127.0.0.1", sender->port()}).ok());
  // Posted wake-ups are handlers too: more of them than one run may take.
  for (size_t i = 0; i < 3 * PeerTransport::kMaxHandlersPerRun; ++i) driven.transport.wake();
  const auto far = std::chrono::steady_clock::now() + std::chrono::hours(1);
  size_t runs = 0;
  size_t handlers = 0;
  for (;;) {
    const size_t ran = driven.transport.run_until(far);
    EXPECT_LE(ran, PeerTransport::kMaxHandlersPerRun);
    handlers += ran;
    ++runs;
    if (ran < PeerTransport::kMaxHandlersPerRun) break;
  }
  EXPECT_GE(handlers, 3 * PeerTransport::kMaxHandlersPerRun);
  EXPECT_GE(runs, 3u);
  // The links still work afterwards.
  sender->send(1, 2, "after the backlog");
  ASSERT_TRUE(driven.drive_until([&] { return driven.received.size() == 1; }));
}

TEST(CallerDrivenTransportTest, WakeFromAnotherThreadEndsTheWait) {
  DrivenNode driven(test_config(1));
  ASSERT_TRUE(driven.transport.start_on_caller_thread().ok());
  const auto start = std::chrono::steady_clock::now();
  std::thread waker([&] { driven.transport.wake(); });
  // Returns on the wake-up whether it was posted before or during the wait.
  EXPECT_GE(driven.transport.run_until(start + std::chrono::hours(1)), 1u);
  waker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::minutes(1));
}

TEST(CallerDrivenTransportTest, StopFromTheDrivingThreadClosesTheConnections) {
  auto peer = start_node(test_config(1));
  ASSERT_TRUE(peer);
  DrivenNode driven(test_config(2));
  ASSERT_TRUE(driven.transport.start_on_caller_thread().ok());
  ASSERT_TRUE(driven.transport.add_peer(1, {"127.0.0.1", peer->port()}).ok());
  ASSERT_TRUE(peer->transport->add_peer(2, {"127.0.0.1", driven.transport.listen_port()}).ok());
  peer->send(1, 2, "hello");
  ASSERT_TRUE(driven.drive_until([&] { return driven.received.size() == 1; }));
  const uint64_t reconnects = peer->transport->stats().reconnects;
  driven.transport.stop();
  // The peer's connection to us ends, so it schedules a redial.
  EXPECT_TRUE(wait_until([&] { return peer->transport->stats().reconnects > reconnects; }));
  driven.transport.send({2, 1, "after stop"});  // dropped, not crashed
}

}  // namespace
}  // namespace synod::transport
