// The kLease replica channel: queries and answers round trip inside replica messages, and
// anything malformed (unknown kind, truncation, trailing bytes, counts beyond the input) is refused.
#include <gtest/gtest.h>

#include "kv/command.h"
#include "replica/replica_lease_messages.h"
#include "replica/replica_messages.h"

namespace synod::replica {
namespace {

std::vector<LeaseMessage> samples() {
  LeaseMessage query;
  query.command = kv::encode_command(kv::LeaseTimeToLiveRequest{42, true});
  LeaseMessage answer;
  answer.kind = LeaseMessage::Kind::kAnswer;
  answer.id = -7;
  answer.ttl = 9;
  answer.granted_ttl = 60;
  answer.keys = {"a", std::string("\0b", 2), ""};
  LeaseMessage refused;
  refused.kind = LeaseMessage::Kind::kRefused;
  refused.error = "etcdserver: leader changed";
  return {query, answer, refused};
}

bool same(const LeaseMessage& a, const LeaseMessage& b) {
  return a.kind == b.kind && a.command == b.command && a.id == b.id && a.ttl == b.ttl &&
         a.granted_ttl == b.granted_ttl && a.keys == b.keys && a.error == b.error;
}

TEST(ReplicaLeaseMessagesTest, RoundTripThroughTheLeaseChannel) {
  for (const LeaseMessage& message : samples()) {
    const std::string payload =
        encode_replica_message({Channel::kLease, 77, 0, encode_lease_message(message)});
    ReplicaMessage outer;
    ASSERT_TRUE(decode_replica_message(payload, outer));
    EXPECT_EQ(outer.channel, Channel::kLease);
    EXPECT_EQ(outer.request_id, 77u);
    LeaseMessage decoded;
    ASSERT_TRUE(decode_lease_message(outer.body, decoded));
    EXPECT_TRUE(same(decoded, message));
  }
}

TEST(ReplicaLeaseMessagesTest, MalformedBodiesAreRefused) {
  LeaseMessage decoded;
  EXPECT_FALSE(decode_lease_message("", decoded));
  EXPECT_FALSE(decode_lease_message("\x03", decoded));  // unknown kind
  EXPECT_FALSE(decode_lease_message(std::string(1, '\0'), decoded));  // a query without a command
  for (const LeaseMessage& message : samples()) {
    if (message.kind == LeaseMessage::Kind::kQuery) continue;  // the command is the rest
    const std::string body = encode_lease_message(message);
    for (size_t length = 0; length < body.size(); ++length)
      EXPECT_FALSE(decode_lease_message(body.substr(0, length), decoded)) << length;
    EXPECT_FALSE(decode_lease_message(body + "x", decoded));
  }
  // A key count far beyond the bytes that follow.
  EXPECT_FALSE(decode_lease_message(std::string("\x01\x02\x02\x02\xff\xff\x03", 7), decoded));
  ReplicaMessage outer;
  EXPECT_FALSE(decode_replica_message(std::string("\x06", 1), outer));  // no request id
  EXPECT_FALSE(decode_replica_message(std::string("\x06\x05", 2), outer));  // no body
  EXPECT_FALSE(decode_replica_message(std::string("\x07\x05x", 3), outer));  // unknown channel
}

}  // namespace
}  // namespace synod::replica
