// Hostile bytes from raw sockets: every bad frame or handshake is refused, its connection closed,
// nothing from it delivered, and the transport goes on serving its good peers.
#include <gtest/gtest.h>

#include <mutex>

#include "core/codec.h"
#include "core/random.h"
#include "transport/frame.h"
#include "transport_test_util.h"

namespace synod::transport {
namespace {

using testing::kClusterId;
using testing::Node;
using testing::RawClient;
using testing::start_node;
using testing::test_config;
using testing::wait_until;

constexpr consensus::NodeId kReceiver = 1;
constexpr consensus::NodeId kImpostor = 2;  // configured at the receiver; played by a raw socket
constexpr consensus::NodeId kGoodPeer = 3;
constexpr uint32_t kMaxFrameBytes = 64 << 10;

std::string handshake_frame(uint64_t cluster_id = kClusterId, consensus::NodeId sender = kImpostor,
                            uint32_t version = kProtocolVersion) {
  return encode_frame(encode_handshake({cluster_id, sender, version}));
}

std::string batch_frame(const std::vector<consensus::Message>& messages) {
  return encode_frame(encode_batch(messages));
}

// A header by hand, for lengths and checksums the encoder would never produce.
std::string raw_header(uint32_t magic, uint32_t length, uint64_t checksum) {
  ByteWriter writer;
  writer.u32(magic);
  writer.u32(length);
  writer.u64(checksum);
  return writer.take();
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PeerTransportConfig config = test_config(kReceiver);
    config.max_frame_bytes = kMaxFrameBytes;
    config.handshake_timeout_ms = 300;
    config.body_timeout_ms = 300;
    // The impostor's address: nothing listens there, the receiver's dials to it just fail.
    config.peers[kImpostor] = {"127.0.0.1", 1};
    receiver_ = start_node(config);
    good_ = start_node(test_config(kGoodPeer));
    ASSERT_TRUE(receiver_ && good_);
    ASSERT_TRUE(receiver_->transport->add_peer(kGoodPeer, {"127.0.0.1", good_->port()}).ok());
    ASSERT_TRUE(good_->transport->add_peer(kReceiver, {"127.0.0.1", receiver_->port()}).ok());
  }

  TransportStats stats() const { return receiver_->transport->stats(); }

  // Sends `bytes` on a fresh connection and expects the receiver to close it.
  void expect_closed_after(const std::string& bytes) {
    RawClient client(receiver_->port());
    ASSERT_TRUE(client.connected());
    client.write(bytes);
    EXPECT_TRUE(client.closed_by_server());
  }

  // Nothing came from the impostor, and the good peer still gets through.
  void expect_unharmed() {
    EXPECT_TRUE(receiver_->inbox.payloads_from(kImpostor).empty());
    const size_t before = receiver_->inbox.size();
    good_->send(kGoodPeer, kReceiver, "still here");
    ASSERT_TRUE(wait_until([&] { return receiver_->inbox.size() == before + 1; }));
    EXPECT_EQ(receiver_->inbox.payloads_from(kGoodPeer).back(), "still here");
  }

  std::unique_ptr<Node> receiver_;
  std::unique_ptr<Node> good_;
};

// The control: the same raw path with valid bytes does deliver, so the refusals below are real.
TEST_F(HostileInputTest, ValidRawFramesAreDelivered) {
  RawClient client(receiver_->port());
  ASSERT_TRUE(client.write(handshake_frame() + batch_frame({{kImpostor, kReceiver, "legit"}})));
  ASSERT_TRUE(wait_until([&] { return receiver_->inbox.size() == 1; }));
  EXPECT_EQ(receiver_->inbox.payloads_from(kImpostor), std::vector<std::string>{"legit"});
}

TEST_F(HostileInputTest, BadChecksumIsRefused) {
  std::string frame = batch_frame({{kImpostor, kReceiver, "evil"}});
  frame.back() ^= 0x01;  // still decodes; only the checksum knows
  expect_closed_after(handshake_frame() + frame);
  EXPECT_EQ(stats().rejects_bad_checksum, 1u);
  expect_unharmed();
}

TEST_F(HostileInputTest, BadMagicIsRefused) {
  std::string frame = batch_frame({{kImpostor, kReceiver, "evil"}});
  frame[0] = 'X';
  expect_closed_after(handshake_frame() + frame);
  EXPECT_EQ(stats().rejects_bad_magic, 1u);
  expect_closed_after(frame);  // also as the first frame
  EXPECT_EQ(stats().rejects_bad_magic, 2u);
  expect_unharmed();
}

TEST_F(HostileInputTest, OversizeLengthIsRefusedBeforeReadingTheBody) {
  expect_closed_after(handshake_frame() + raw_header(kFrameMagic, kMaxFrameBytes + 1, 0));
  expect_closed_after(raw_header(kFrameMagic, UINT32_MAX, 0));
  // Before the handshake, anything longer than a handshake is oversize.
  expect_closed_after(raw_header(kFrameMagic, kHandshakeBodyBytes + 1, 0));
  EXPECT_EQ(stats().rejects_oversize, 3u);
  expect_unharmed();
}

TEST_F(HostileInputTest, TruncatedBodyIsRefused) {
  const std::string frame = batch_frame({{kImpostor, kReceiver, std::string(100, 'x')}});
  RawClient client(receiver_->port());
  ASSERT_TRUE(client.write(handshake_frame() + frame.substr(0, frame.size() - 10)));
  client.shutdown_write();
  EXPECT_TRUE(client.closed_by_server());
  ASSERT_TRUE(wait_until([&] { return stats().rejects_truncated == 1; }));
  expect_unharmed();
}

TEST_F(HostileInputTest, MalformedBodyWithAValidChecksumDeliversNothing) {
  // A good message followed by junk: the whole frame goes, including the good message.
  const std::string body = encode_batch({{kImpostor, kReceiver, "good"}}) + "junk";
  expect_closed_after(handshake_frame() + encode_frame(body));
  // A count promising more messages than follow.
  ByteWriter short_batch;
  short_batch.varint(5);
  short_batch.u64(kImpostor);
  short_batch.u64(kReceiver);
  short_batch.bytes("one of five");
  expect_closed_after(handshake_frame() + encode_frame(short_batch.data()));
  expect_closed_after(handshake_frame() + encode_frame(""));
  EXPECT_EQ(stats().rejects_malformed, 3u);
  expect_unharmed();
}

TEST_F(HostileInputTest, MisaddressedMessagesAreRefused) {
  expect_closed_after(handshake_frame() + batch_frame({{kGoodPeer, kReceiver, "spoofed from"}}));
  expect_closed_after(handshake_frame() + batch_frame({{kImpostor, 7, "wrong to"}}));
  EXPECT_EQ(stats().rejects_misaddressed, 2u);
  expect_unharmed();
}

TEST_F(HostileInputTest, HandshakeFromAnotherClusterIsRefused) {
  expect_closed_after(handshake_frame(kClusterId + 1) +
                      batch_frame({{kImpostor, kReceiver, "evil"}}));
  EXPECT_EQ(stats().rejects_wrong_cluster, 1u);
  expect_unharmed();
}

TEST_F(HostileInputTest, HandshakeFromAnUnknownSenderIsRefused) {
  expect_closed_after(handshake_frame(kClusterId, 99) + batch_frame({{99, kReceiver, "evil"}}));
  EXPECT_EQ(stats().rejects_unknown_sender, 1u);
  expect_closed_after(handshake_frame(kClusterId, kReceiver));  // ourselves
  EXPECT_EQ(stats().rejects_unknown_sender, 2u);
  expect_unharmed();
}

TEST_F(HostileInputTest, OtherHandshakeDefectsAreRefused) {
  expect_closed_after(handshake_frame(kClusterId, kImpostor, kProtocolVersion + 1));
  EXPECT_EQ(stats().rejects_bad_version, 1u);
  expect_closed_after(encode_frame("short"));
  EXPECT_EQ(stats().rejects_malformed, 1u);
  // A batch where the handshake should be: longer than any handshake, refused from its header.
  expect_closed_after(batch_frame({{kImpostor, kReceiver, "no handshake"}}));
  EXPECT_EQ(stats().rejects_oversize, 1u);
  // A handshake-sized body that is no handshake.
  expect_closed_after(encode_frame(std::string(kHandshakeBodyBytes - 1, 'h')));
  EXPECT_EQ(stats().rejects_malformed, 2u);
  expect_unharmed();
}

TEST_F(HostileInputTest, SilentConnectionIsClosedAfterTheHandshakeTimeout) {
  RawClient client(receiver_->port());
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(stats().rejects_handshake_timeout, 1u);
  expect_unharmed();
}

TEST_F(HostileInputTest, SenderStallingInsideAFrameIsClosedAfterTheBodyTimeout) {
  const std::string frame = batch_frame({{kImpostor, kReceiver, std::string(100, 'x')}});
  RawClient client(receiver_->port());
  ASSERT_TRUE(client.write(handshake_frame() + frame.substr(0, 50)));  // and then nothing
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(stats().rejects_slow_frame, 1u);
  expect_unharmed();
}

TEST_F(HostileInputTest, RandomBytesNeverCrashOrDeliver) {
  Random random(20261123);
  constexpr int kConnections = 300;
  for (int i = 0; i < kConnections; ++i) {
    std::string bytes;
    switch (random.uniform(4)) {
      case 0: break;                                          // pure noise
      case 1: bytes = handshake_frame(); break;               // noise after a valid handshake
      case 2: bytes = raw_header(kFrameMagic, static_cast<uint32_t>(random.uniform(256)),
                                 random.next()); break;       // plausible header, noise body
      case 3: bytes = handshake_frame() + batch_frame({{kImpostor, kReceiver, "x"}}).substr(
                          0, random.uniform(30)); break;      // a cut-off frame
    }
    const uint64_t noise_bytes = random.uniform(200);
    for (uint64_t j = 0; j < noise_bytes; ++j) bytes.push_back(static_cast<char>(random.next()));
    RawClient client(receiver_->port());
    ASSERT_TRUE(client.connected());
    client.write(bytes);  // the server may have closed already: failures are fine
  }
  // Every one of them ends (refused, or closed by us) and the listener still serves.
  ASSERT_TRUE(wait_until([&] {
    const TransportStats s = stats();
    return s.connections_accepted + s.rejects_inbound_limit >= kConnections + 1;
  }));
  expect_unharmed();
  EXPECT_TRUE(receiver_->inbox.payloads_from(kImpostor).empty());
}

TEST(RejectLogTest, ARejectedHandshakeIsLoggedWithItsReason) {
  std::mutex mutex;
  std::vector<std::string> lines;
  PeerTransportConfig config = test_config(kReceiver);
  config.log = [&](const std::string& line) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
  };
  auto receiver = start_node(config);
  ASSERT_TRUE(receiver);
  RawClient client(receiver->port());
  ASSERT_TRUE(client.write(handshake_frame(kClusterId, 42)));
  EXPECT_TRUE(client.closed_by_server());
  receiver->transport->stop();  // the log is written on the io thread: join it first
  std::lock_guard lock(mutex);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("unknown sender 42"), std::string::npos) << lines[0];
}

TEST(InboundLimitTest, ConnectionsPastTheLimitAreClosed) {
  PeerTransportConfig config = test_config(kReceiver);
  config.max_inbound_connections = 2;
  auto receiver = start_node(config);
  ASSERT_TRUE(receiver);
  RawClient first(receiver->port()), second(receiver->port());
  ASSERT_TRUE(wait_until([&] { return receiver->transport->stats().connections_accepted == 2; }));
  RawClient third(receiver->port());
  EXPECT_TRUE(third.closed_by_server());
  EXPECT_EQ(receiver->transport->stats().rejects_inbound_limit, 1u);
}

}  // namespace
}  // namespace synod::transport
