// The frame codec, the send queue and the back-off: the pieces a socket never touches.
#include <gtest/gtest.h>

#include "core/codec.h"
#include "transport/frame.h"
#include "transport/reconnect_backoff.h"
#include "transport/send_queue.h"
#include "transport/transport_config.h"

namespace synod::transport {
namespace {

using consensus::Message;

FrameHeader header_of(const std::string& frame, FrameError& error, uint32_t max = 1 << 20) {
  FrameHeader header;
  error = parse_frame_header(std::string_view(frame).substr(0, kFrameHeaderBytes), max, header);
  return header;
}

TEST(FrameTest, BatchRoundTripsThroughAFrame) {
  std::vector<Message> sent{{1, 2, "hello"}, {1, 2, ""}, {1, 2, std::string(300, 'x')}};
  const std::string frame = encode_frame(encode_batch(sent));
  FrameError error;
  FrameHeader header = header_of(frame, error);
  ASSERT_EQ(error, FrameError::kNone);
  const std::string_view body = std::string_view(frame).substr(kFrameHeaderBytes);
  ASSERT_EQ(check_frame_body(header, body), FrameError::kNone);
  std::vector<Message> received;
  ASSERT_TRUE(decode_batch(body, received));
  ASSERT_EQ(received.size(), sent.size());
  size_t body_bytes = 1;  // the count varint
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(received[i].from, sent[i].from);
    EXPECT_EQ(received[i].to, sent[i].to);
    EXPECT_EQ(received[i].payload, sent[i].payload);
    body_bytes += encoded_message_bytes(sent[i]);
  }
  EXPECT_EQ(body.size(), body_bytes);
}

TEST(FrameTest, HeaderRejectsBadMagicAndOversize) {
  std::string frame = encode_frame(encode_batch({{1, 2, "x"}}));
  FrameError error;
  header_of(frame, error, /*max=*/4);
  EXPECT_EQ(error, FrameError::kOversize);
  frame[0] ^= 1;
  header_of(frame, error);
  EXPECT_EQ(error, FrameError::kBadMagic);
}

TEST(FrameTest, BodyRejectsAFlippedBit) {
  std::string frame = encode_frame(encode_batch({{1, 2, "payload"}}));
  FrameError error;
  FrameHeader header = header_of(frame, error);
  frame.back() ^= 0x10;
  EXPECT_EQ(check_frame_body(header, std::string_view(frame).substr(kFrameHeaderBytes)),
            FrameError::kBadChecksum);
}

TEST(FrameTest, MalformedBatchesDecodeToNothing) {
  std::vector<Message> messages;
  EXPECT_FALSE(decode_batch("", messages));
  const std::string good = encode_batch({{1, 2, "a"}, {1, 2, "b"}});
  // Every strict prefix is malformed, and decoding leaves nothing behind.
  for (size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(decode_batch(good.substr(0, length), messages)) << length;
    EXPECT_TRUE(messages.empty());
  }
  EXPECT_FALSE(decode_batch(good + "z", messages));  // trailing bytes
  EXPECT_TRUE(messages.empty());
  ByteWriter zero;
  zero.varint(0);
  EXPECT_FALSE(decode_batch(zero.data(), messages));
  ByteWriter huge_count;  // claims more messages than the body could hold
  huge_count.varint(uint64_t{1} << 40);
  huge_count.u64(1);
  EXPECT_FALSE(decode_batch(huge_count.data(), messages));
}

TEST(FrameTest, HandshakeRoundTripsAndIsExact) {
  Handshake sent{42, 7, kProtocolVersion};
  const std::string body = encode_handshake(sent);
  EXPECT_EQ(body.size(), kHandshakeBodyBytes);
  Handshake received;
  ASSERT_TRUE(decode_handshake(body, received));
  EXPECT_EQ(received.cluster_id, 42u);
  EXPECT_EQ(received.sender, 7u);
  EXPECT_EQ(received.version, kProtocolVersion);
  EXPECT_FALSE(decode_handshake(body.substr(1), received));
  EXPECT_FALSE(decode_handshake(body + "x", received));
}

TEST(SendQueueTest, RefusesPastEitherLimit) {
  SendQueue by_count(3, 1 << 20);
  for (int i = 0; i < 3; ++i) {
    Message message{1, 2, "m"};
    EXPECT_TRUE(by_count.push(message));
  }
  Message extra{1, 2, "extra"};
  EXPECT_FALSE(by_count.push(extra));
  EXPECT_EQ(extra.payload, "extra");  // untouched on refusal
  EXPECT_EQ(by_count.message_count(), 3u);

  Message big{1, 2, std::string(100, 'b')};
  SendQueue by_bytes(100, 2 * encoded_message_bytes(big));
  for (int i = 0; i < 2; ++i) {
    Message copy = big;
    EXPECT_TRUE(by_bytes.push(copy));
  }
  Message copy = big;
  EXPECT_FALSE(by_bytes.push(copy));
  EXPECT_EQ(by_bytes.byte_count(), 2 * encoded_message_bytes(big));
}

TEST(SendQueueTest, TakesBatchesInOrderWithinLimits) {
  SendQueue queue(100, 1 << 20);
  for (int i = 0; i < 10; ++i) {
    Message message{1, 2, std::string(10, static_cast<char>('a' + i))};
    ASSERT_TRUE(queue.push(message));
  }
  const uint64_t one = encoded_message_bytes({1, 2, std::string(10, 'a')});
  std::vector<Message> batch;
  queue.take_batch(kMaxCountVarintBytes + 3 * one, 100, batch);  // room for three
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].payload[0], 'a');
  EXPECT_EQ(batch[2].payload[0], 'c');
  batch.clear();
  queue.take_batch(1 << 20, 4, batch);  // the count limit
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0].payload[0], 'd');
  batch.clear();
  queue.take_batch(1, 100, batch);  // always at least one, so a queue cannot wedge
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_EQ(queue.message_count(), 2u);
  EXPECT_EQ(queue.byte_count(), 2 * one);
}

TEST(ReconnectBackoffTest, DoublesToTheMaximumWithJitterAndResets) {
  ReconnectBackoff backoff(50, 2000, 7);
  uint64_t step = 50;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const auto delay = backoff.next_delay().count();
    EXPECT_GE(delay, static_cast<int64_t>(step / 2)) << attempt;
    EXPECT_LE(delay, static_cast<int64_t>(step)) << attempt;
    step = std::min<uint64_t>(step * 2, 2000);
  }
  backoff.reset();
  EXPECT_LE(backoff.next_delay().count(), 50);
}

TEST(ReconnectBackoffTest, SameSeedSameDelays) {
  ReconnectBackoff a(50, 2000, 99), b(50, 2000, 99);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(a.next_delay(), b.next_delay());
}

TEST(TransportConfigTest, RefusesBadSettings) {
  PeerTransportConfig config;
  config.id = 1;
  config.listen = {"127.0.0.1", 0};
  EXPECT_TRUE(validate_config(config).ok());
  config.peers[1] = {"127.0.0.1", 9};
  EXPECT_FALSE(validate_config(config).ok());  // itself
  config.peers = {{2, {"localhost", 9}}};
  EXPECT_FALSE(validate_config(config).ok());  // names are not resolved
  config.peers = {{2, {"127.0.0.1", 9}}};
  config.reconnect_initial_ms = 5000;
  EXPECT_FALSE(validate_config(config).ok());
  config.reconnect_initial_ms = 50;
  config.max_frame_bytes = 10;
  EXPECT_FALSE(validate_config(config).ok());
}

}  // namespace
}  // namespace synod::transport
