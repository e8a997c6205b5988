#pragma once
// What replicas say to each other besides the engine's own messages, and the envelope in which a
// client's write travels through the log.
//
// Message payload: u8 channel | body.
//   kEngine         the engine's payload, unchanged
//   kForwardWrite   varint request id | varint term | envelope bytes (the rest)
//                                                  follower -> leader of `term`
//   kWriteRefused   varint request id | bytes error text             leader -> origin
//   kReadIndex      varint request id                                follower -> leader
//   kReadIndexReply varint request id | varint index                 leader -> origin
//   kReadRefused    varint request id | bytes error text             leader -> origin
//   kLease          varint request id | lease message (the rest, replica_lease_messages.h)
//                                                  follower <-> leader
// Proposal envelope: u8 version | varint origin | varint request id | command (the rest);
// version 1 carries a kv/command.h command, version 2 a MemberRequest (replica/member_table.h).
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/log_types.h"

namespace synod::replica {

enum class Channel : uint8_t {
  kEngine = 0,
  kForwardWrite = 1,
  kWriteRefused = 2,
  kReadIndex = 3,
  kReadIndexReply = 4,
  kReadRefused = 5,
  kLease = 6,
};

struct ReplicaMessage {
  Channel channel = Channel::kEngine;
  uint64_t request_id = 0;
  uint64_t index = 0;       // kReadIndexReply
  std::string body;         // engine payload, envelope, or error text
  uint64_t term = 0;        // kForwardWrite: the term in which the sender saw the receiver lead
};

std::string encode_replica_message(const ReplicaMessage& message);
std::string encode_engine_payload(std::string_view engine_payload);
// False on anything malformed (unknown channel, short or trailing bytes).
bool decode_replica_message(std::string_view payload, ReplicaMessage& message);

struct ProposalEnvelope {
  consensus::NodeId origin = consensus::kNoNode;
  uint64_t request_id = 0;
  std::string command;  // kv/command.h bytes, or member_table.h's MemberRequest when `member`
  bool member = false;
};

std::string encode_envelope(const ProposalEnvelope& envelope);
bool decode_envelope(std::string_view bytes, ProposalEnvelope& envelope);

}  // namespace synod::replica
