// Fuzz target "peer": what a peer connection reads, from frames down to the Raft engine.
//
// Input: u8 mode | bytes. Mode 0: the bytes are the stream an acceptor reads (a handshake frame,
// then batch frames), checked as inbound_connection.cc checks them; mode 1: a batch body, framed
// here (so mutations get past the checksum); mode 2: one message payload.
// Each payload is decoded as the replica decodes it (replica_messages.h): the engine's Raft
// message, a forwarded write's envelope and command, a lease message; a decoded Raft message is
// then stepped into a three-node RaftEngine.
// Invariants: every decoder's result re-encodes to bytes that decode to the same bytes again (a
// canonical form); a refused batch delivers nothing; the engine's invariants hold after each step.
#include <memory>
#include <string>
#include <vector>

#include "consensus/raft/message.h"
#include "consensus/raft/raft_engine.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "kv/command.h"
#include "replica/alarms.h"
#include "replica/member_table.h"
#include "replica/replica_lease_messages.h"
#include "replica/replica_messages.h"
#include "transport/frame.h"

namespace synod::fuzz {
namespace {

using consensus::Message;
namespace raft = consensus::raft;

constexpr uint32_t kMaxFrameBytes = 1 << 20;
constexpr size_t kMaxEngineSteps = 64;

class Receiver {
 public:
  Receiver() {
    consensus::EngineConfig config;
    config.id = 1;
    config.initial_membership.voters = {1, 2, 3};
    engine_ = std::make_unique<raft::RaftEngine>(config, consensus::DurableState{});
  }

  void payload(const Message& message) {
    replica::ReplicaMessage decoded;
    if (!replica::decode_replica_message(message.payload, decoded)) return;
    replica::ReplicaMessage again;
    const std::string canonical = replica::encode_replica_message(decoded);
    FUZZ_CHECK(replica::decode_replica_message(canonical, again));
    FUZZ_CHECK(replica::encode_replica_message(again) == canonical);
    switch (decoded.channel) {
      case replica::Channel::kEngine: engine_message(message.from, decoded.body); break;
      case replica::Channel::kForwardWrite: envelope(decoded.body); break;
      case replica::Channel::kLease: lease_message(decoded.body); break;
      default: break;  // the rest carry ids, indexes and error texts only
    }
  }

 private:
  void engine_message(consensus::NodeId from, const std::string& body) {
    raft::RaftMessage decoded;
    if (!raft::decode_message(body, decoded).ok()) return;
    const std::string canonical = raft::encode_message(decoded);
    raft::RaftMessage again;
    FUZZ_CHECK(raft::decode_message(canonical, again).ok());
    FUZZ_CHECK(raft::encode_message(again) == canonical);
    raft::describe_message(decoded);
    if (steps_++ >= kMaxEngineSteps) return;
    Status stepped = engine_->step(Message{.from = from, .to = 1, .payload = body});
    (void)stepped;  // refusing a message is fine; breaking an invariant is not
    while (engine_->has_ready()) {
      engine_->ready();
      engine_->advance();
    }
    FUZZ_CHECK(engine_->check_invariants().ok());
  }

  static void envelope(const std::string& body) {
    replica::ProposalEnvelope decoded;
    if (!replica::decode_envelope(body, decoded)) return;
    replica::ProposalEnvelope again;
    FUZZ_CHECK(replica::decode_envelope(replica::encode_envelope(decoded), again));
    FUZZ_CHECK(again.origin == decoded.origin && again.request_id == decoded.request_id &&
               again.command == decoded.command && again.member == decoded.member);
    if (decoded.member) {
      replica::MemberRequest request, request_again;
      if (!replica::decode_member_request(decoded.command, request)) return;
      FUZZ_CHECK(replica::decode_member_request(replica::encode_member_request(request),
                                                request_again) &&
                 request_again == request);
    } else if (replica::is_alarm_command(decoded.command)) {
      replica::AlarmChange change, change_again;
      if (!replica::decode_alarm_command(decoded.command, change)) return;
      FUZZ_CHECK(replica::decode_alarm_command(replica::encode_alarm_command(change), change_again));
      FUZZ_CHECK(change_again.activate == change.activate && change_again.alarm == change.alarm);
    } else {
      kv::Command command, command_again;
      if (!kv::decode_command(decoded.command, command).ok()) return;
      FUZZ_CHECK(kv::decode_command(kv::encode_command(command), command_again).ok());
      FUZZ_CHECK(command_again == command);
    }
  }

  static void lease_message(const std::string& body) {
    replica::LeaseMessage decoded;
    if (!replica::decode_lease_message(body, decoded)) return;
    const std::string canonical = replica::encode_lease_message(decoded);
    replica::LeaseMessage again;
    FUZZ_CHECK(replica::decode_lease_message(canonical, again));
    FUZZ_CHECK(replica::encode_lease_message(again) == canonical);
  }

  std::unique_ptr<raft::RaftEngine> engine_;
  size_t steps_ = 0;
};

void batch_body(Receiver& receiver, std::string_view body) {
  std::vector<Message> messages;
  if (!transport::decode_batch(body, messages)) {
    FUZZ_CHECK(messages.empty());
    return;
  }
  FUZZ_CHECK(!messages.empty());
  std::vector<Message> again;
  FUZZ_CHECK(transport::decode_batch(transport::encode_batch(messages), again));
  FUZZ_CHECK(again.size() == messages.size());
  size_t total_bytes = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    FUZZ_CHECK(again[i].from == messages[i].from && again[i].to == messages[i].to &&
               again[i].payload == messages[i].payload);
    total_bytes += transport::encoded_message_bytes(messages[i]);
  }
  FUZZ_CHECK(total_bytes <= body.size());
  for (const Message& message : messages) receiver.payload(message);
}

// The stream an acceptor reads: one handshake frame, then batches, until a frame is refused.
void stream(Receiver& receiver, std::string_view bytes) {
  bool handshaken = false;
  while (bytes.size() >= transport::kFrameHeaderBytes) {
    transport::FrameHeader header;
    if (transport::parse_frame_header(bytes.substr(0, transport::kFrameHeaderBytes), kMaxFrameBytes,
                                      header) != transport::FrameError::kNone)
      return;
    FUZZ_CHECK(header.length <= kMaxFrameBytes);
    bytes.remove_prefix(transport::kFrameHeaderBytes);
    if (bytes.size() < header.length) return;
    std::string_view body = bytes.substr(0, header.length);
    bytes.remove_prefix(header.length);
    if (transport::check_frame_body(header, body) != transport::FrameError::kNone) return;
    if (!handshaken) {
      transport::Handshake handshake, again;
      if (!transport::decode_handshake(body, handshake)) return;
      FUZZ_CHECK(transport::decode_handshake(transport::encode_handshake(handshake), again));
      FUZZ_CHECK(again.cluster_id == handshake.cluster_id && again.sender == handshake.sender &&
                 again.version == handshake.version);
      handshaken = true;
      continue;
    }
    batch_body(receiver, body);
  }
}

}  // namespace
}  // namespace synod::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace synod;
  using namespace synod::fuzz;
  FuzzInput input(std::string_view(reinterpret_cast<const char*>(data), size));
  uint8_t mode = input.u8() % 3;
  std::string bytes = input.rest();
  Receiver receiver;
  switch (mode) {
    case 0: stream(receiver, bytes); break;
    case 1: {
      std::string frame = transport::encode_frame(bytes);
      transport::FrameHeader header;
      FUZZ_CHECK(transport::parse_frame_header(frame, UINT32_MAX, header) ==
                 transport::FrameError::kNone);
      FUZZ_CHECK(transport::check_frame_body(header, std::string_view(frame).substr(
                                                         transport::kFrameHeaderBytes)) ==
                 transport::FrameError::kNone);
      batch_body(receiver, bytes);
      break;
    }
    default: receiver.payload(Message{.from = 2, .to = 1, .payload = bytes}); break;
  }
  return 0;
}

namespace synod::fuzz {

namespace {

std::string engine_payload(const raft::RaftMessage& message) {
  return replica::encode_engine_payload(raft::encode_message(message));
}

consensus::Entry entry(uint64_t index, uint64_t term, std::string data) {
  consensus::Entry e;
  e.index = index;
  e.term = term;
  e.data = std::move(data);
  return e;
}

std::vector<Message> sample_messages() {
  raft::RaftMessage vote{.type = raft::MessageType::kVoteRequest, .term = 2, .index = 0,
                         .log_term = 0};
  vote.pre_vote = true;
  raft::RaftMessage append{.type = raft::MessageType::kAppend, .term = 1, .index = 0,
                           .log_term = 0, .commit = 1};
  append.entries = {entry(1, 1, ""), entry(2, 1, "command")};
  raft::RaftMessage heartbeat{.type = raft::MessageType::kHeartbeat, .term = 1, .commit = 2};
  heartbeat.context = 5;
  raft::RaftMessage install{.type = raft::MessageType::kInstallSnapshot, .term = 3};
  install.snapshot = consensus::Snapshot{
      .meta = {.index = 10, .term = 3, .membership = {.voters = {1, 2, 3}, .learners = {}}},
      .data = "state"};
  kv::Command put = kv::PutRequest{.key = "k", .value = "v"};
  replica::ReplicaMessage forward{.channel = replica::Channel::kForwardWrite, .request_id = 9,
                                  .body = replica::encode_envelope(
                                      {.origin = 2, .request_id = 9,
                                       .command = kv::encode_command(put)}),
                                  .term = 1};
  replica::LeaseMessage lease_answer{.kind = replica::LeaseMessage::Kind::kAnswer, .id = 5,
                                     .ttl = 10, .granted_ttl = 60, .keys = {"a", "b"}};
  replica::ReplicaMessage lease{.channel = replica::Channel::kLease, .request_id = 4,
                                .body = replica::encode_lease_message(lease_answer)};
  return {
      {.from = 2, .to = 1, .payload = engine_payload(vote)},
      {.from = 2, .to = 1, .payload = engine_payload(append)},
      {.from = 2, .to = 1, .payload = engine_payload(heartbeat)},
      {.from = 3, .to = 1, .payload = engine_payload(install)},
      {.from = 2, .to = 1, .payload = replica::encode_replica_message(forward)},
      {.from = 2, .to = 1, .payload = replica::encode_replica_message(lease)},
  };
}

}  // namespace

std::vector<SeedInput> seed_inputs() {
  std::vector<Message> messages = sample_messages();
  std::string handshake = transport::encode_frame(
      transport::encode_handshake({.cluster_id = 42, .sender = 2}));
  std::vector<SeedInput> seeds = {
      {"stream", std::string(1, '\0') + handshake +
                     transport::encode_frame(transport::encode_batch(messages))},
      {"batch-all", std::string(1, '\1') + transport::encode_batch(messages)},
  };
  for (size_t i = 0; i < messages.size(); ++i)
    seeds.push_back({"payload-" + std::to_string(i), std::string(1, '\2') + messages[i].payload});
  return seeds;
}

}  // namespace synod::fuzz
