// The wire codec and step()'s validation: malformed input is refused and changes nothing.
#include <gtest/gtest.h>

#include "core/random.h"
#include "raft_harness.h"

namespace synod::consensus::raft::testing {
namespace {

std::vector<RaftMessage> sample_messages() {
  std::vector<RaftMessage> out;
  RaftMessage m;
  m.term = 3;
  m.type = MessageType::kVoteRequest;
  m.index = 10;
  m.log_term = 2;
  m.pre_vote = true;
  m.transfer = true;
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kVoteResponse;
  m.reject = true;
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kAppend;
  m.index = 10;
  m.log_term = 2;
  m.commit = 9;
  for (uint64_t i = 11; i <= 14; ++i)
    m.entries.push_back({i, 3, i == 12 ? EntryKind::kNoop : EntryKind::kCommand, "e" + std::to_string(i)});
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kAppendResponse;
  m.index = 10;
  m.reject = true;
  m.hint_index = 7;
  m.hint_term = 2;
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kHeartbeat;
  m.commit = 4;
  m.context = 17;
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kHeartbeatResponse;
  m.context = 17;
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kInstallSnapshot;
  m.snapshot = Snapshot{{20, 2, Membership{{1, 2, 3}, {5}}}, std::string("state\0bytes", 11)};
  out.push_back(m);
  m = {};
  m.term = 3;
  m.type = MessageType::kTimeoutNow;
  out.push_back(m);
  return out;
}

void expect_same(const RaftMessage& a, const RaftMessage& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.term, b.term);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.log_term, b.log_term);
  EXPECT_EQ(a.commit, b.commit);
  EXPECT_EQ(a.pre_vote, b.pre_vote);
  EXPECT_EQ(a.transfer, b.transfer);
  EXPECT_EQ(a.reject, b.reject);
  EXPECT_EQ(a.hint_index, b.hint_index);
  EXPECT_EQ(a.hint_term, b.hint_term);
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.entries, b.entries);
  EXPECT_EQ(a.snapshot, b.snapshot);
}

TEST(Codec, EveryMessageTypeRoundTrips) {
  for (const RaftMessage& message : sample_messages()) {
    SCOPED_TRACE(describe_message(message));
    RaftMessage decoded;
    ASSERT_TRUE(decode_message(encode_message(message), decoded).ok());
    expect_same(message, decoded);
  }
}

TEST(Codec, DescribeIsOneReadableLine) {
  const std::vector<RaftMessage> messages = sample_messages();
  EXPECT_EQ(describe_message(messages[2]), "append term=3 prev=(10,2) entries=[11..14] commit=9");
  EXPECT_EQ(describe_message(messages[0]), "prevote term=3 last=(10,2) transfer");
  EXPECT_EQ(describe_message(messages[3]), "append-response term=3 reject=10 hint=(7,2)");
  for (const RaftMessage& message : messages)
    EXPECT_EQ(describe_message(message).find('\n'), std::string::npos);
}

TEST(Codec, AbsurdValuesAreRefused) {
  struct Case {
    const char* name;
    std::function<void(RaftMessage&)> corrupt;
    size_t sample;
  };
  const Case cases[] = {
      {"term zero", [](RaftMessage& m) { m.term = 0; }, 4},
      {"huge term", [](RaftMessage& m) { m.term = kMaxTermOrIndex + 1; }, 4},
      {"huge prev index", [](RaftMessage& m) { m.index = kMaxTermOrIndex + 1; }, 2},
      {"prev term above term", [](RaftMessage& m) { m.log_term = 4; }, 2},
      {"entry term above term", [](RaftMessage& m) { m.entries[1].term = 4; }, 2},
      {"entry terms decrease", [](RaftMessage& m) { m.entries[1].term = 2; }, 2},
      {"entry term below prev", [](RaftMessage& m) { m.entries[0].term = 1; }, 2},
      {"candidate log term above term", [](RaftMessage& m) { m.log_term = 9; }, 0},
      {"hint beyond rejected", [](RaftMessage& m) { m.hint_index = 11; }, 3},
      {"snapshot term above term", [](RaftMessage& m) { m.snapshot->meta.term = 4; }, 6},
      {"snapshot voters unsorted", [](RaftMessage& m) { m.snapshot->meta.membership.voters = {2, 1}; }, 6},
      {"snapshot learner is voter", [](RaftMessage& m) { m.snapshot->meta.membership.learners = {2}; }, 6},
      {"snapshot without voters", [](RaftMessage& m) { m.snapshot->meta.membership.voters = {}; }, 6},
      {"snapshot node zero", [](RaftMessage& m) { m.snapshot->meta.membership.voters = {0, 1}; }, 6},
  };
  for (const Case& c : cases) {
    RaftMessage message = sample_messages()[c.sample];
    c.corrupt(message);
    RaftMessage decoded;
    EXPECT_FALSE(decode_message(encode_message(message), decoded).ok()) << c.name;
  }
}

// A fingerprint of everything step() could change.
std::string fingerprint(RaftEngine& engine) {
  EngineStatus s = engine.status();
  return std::to_string(s.term) + "/" + role_name(s.role) + "/" + std::to_string(s.leader) + "/" +
         std::to_string(s.commit) + "/" + std::to_string(s.last_index) + "/" +
         std::to_string(engine.has_ready());
}

TEST(Codec, RandomAndTruncatedInputIsRefusedWithoutChangingAnything) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.tick_all(2);
  Random random(7);
  for (NodeId target : {1, 2}) {
    const std::string before = fingerprint(cluster.engine(target));
    // Every strict prefix of every valid message is truncated.
    for (const RaftMessage& message : sample_messages()) {
      const std::string bytes = encode_message(message);
      for (size_t length = 0; length < bytes.size(); ++length) {
        Message truncated{3, target, bytes.substr(0, length)};
        EXPECT_FALSE(cluster.engine(target).step(truncated).ok()) << length;
      }
      Message trailing{3, target, bytes + "x"};
      EXPECT_FALSE(cluster.engine(target).step(trailing).ok());
    }
    EXPECT_EQ(fingerprint(cluster.engine(target)), before);
    // Random garbage: refused without a change, unless it happens to be a well-formed message
    // (a valid type byte in front makes that likely), which is then handled like any other.
    size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string payload(random.uniform(64), '\0');
      for (char& byte : payload) byte = static_cast<char>(random.uniform(256));
      if (!payload.empty() && random.chance(1, 2)) payload[0] = static_cast<char>(1 + random.uniform(8));
      const std::string state = fingerprint(cluster.engine(target));
      Message message{3, target, payload};
      RaftMessage decoded;
      const bool well_formed = decode_message(payload, decoded).ok();
      if (cluster.engine(target).step(message).ok()) {
        EXPECT_TRUE(well_formed) << "accepted malformed bytes";
        ++accepted;
      } else if (!well_formed) {
        EXPECT_EQ(fingerprint(cluster.engine(target)), state);
      }
      if (payload.empty() || static_cast<uint8_t>(payload[0]) > 8 || payload[0] == 0) {
        EXPECT_FALSE(well_formed);
      }
      ASSERT_TRUE(cluster.engine(target).check_invariants().ok());
    }
    EXPECT_LT(accepted, 2000u);
    cluster.process(target);
    cluster.drop_queue();
  }
}

TEST(Codec, MisaddressedMessagesAreRefused) {
  Cluster cluster({1, 2, 3});
  cluster.elect(1);
  cluster.tick_all(1);
  const std::string before = fingerprint(cluster.engine(2));
  RaftMessage heartbeat;
  heartbeat.type = MessageType::kHeartbeat;
  heartbeat.term = 99;
  EXPECT_FALSE(cluster.engine(2).step(make_message(1, 3, heartbeat)).ok()) << "wrong to";
  EXPECT_FALSE(cluster.engine(2).step(make_message(0, 2, heartbeat)).ok()) << "sender 0";
  EXPECT_FALSE(cluster.engine(2).step(make_message(2, 2, heartbeat)).ok()) << "from itself";
  EXPECT_EQ(fingerprint(cluster.engine(2)), before);
  // Responses from outside the membership are refused by the leader.
  RaftMessage response;
  response.type = MessageType::kHeartbeatResponse;
  response.term = cluster.status(1).term;
  const std::string leader_before = fingerprint(cluster.engine(1));
  EXPECT_FALSE(cluster.engine(1).step(make_message(8, 1, response)).ok());
  // And so is an acknowledgement beyond the leader's log.
  RaftMessage ack;
  ack.type = MessageType::kAppendResponse;
  ack.term = cluster.status(1).term;
  ack.index = cluster.status(1).last_index + 100;
  EXPECT_FALSE(cluster.engine(1).step(make_message(2, 1, ack)).ok());
  EXPECT_EQ(fingerprint(cluster.engine(1)), leader_before);
  EXPECT_EQ(cluster.engine(1).progress(2)->match, cluster.status(1).last_index);
}

}  // namespace
}  // namespace synod::consensus::raft::testing
