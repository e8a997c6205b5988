#pragma once
// Raft's wire messages. One flat struct for every type keeps the handlers simple; the codec
// writes only the fields a type uses, and decode_message() validates every field it reads, so
// a handler may trust a decoded message's shape (never its claims about the sender's state).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/engine.h"
#include "core/status.h"

namespace synod::consensus::raft {

// Terms and indexes above this are absurd (no real cluster reaches them) and refused on decode,
// so that index arithmetic (index + entries, index + 1) can never overflow.
inline constexpr uint64_t kMaxTermOrIndex = uint64_t{1} << 62;

enum class MessageType : uint8_t {
  kVoteRequest = 1,     // (pre)vote request: index/log_term = candidate's last entry
  kVoteResponse = 2,    // (pre)vote response: reject = vote refused
  kAppend = 3,          // index/log_term = the entry preceding `entries`; commit = leader's
  kAppendResponse = 4,  // accepted: index = last index known to match; rejected: see below
  kHeartbeat = 5,       // commit = min(follower's match, leader's commit); context = read round
  kHeartbeatResponse = 6,
  kInstallSnapshot = 7,  // snapshot = the leader's whole snapshot, in one message
  kTimeoutNow = 8,       // leadership transfer: campaign at once
};
const char* message_type_name(MessageType type);

struct RaftMessage {
  MessageType type = MessageType::kHeartbeat;
  uint64_t term = 0;
  uint64_t index = 0;
  uint64_t log_term = 0;
  uint64_t commit = 0;
  bool pre_vote = false;  // vote request/response: a PreVote round (term = candidate's term + 1)
  bool transfer = false;  // vote request: campaign started by TimeoutNow (overrides stickiness)
  bool reject = false;    // vote and append responses
  // Append response rejection: index = the rejected prev index; hint_index = the follower's
  // last index with a term <= the leader's prev term (or its last index); hint_term its term.
  uint64_t hint_index = 0;
  uint64_t hint_term = 0;
  uint64_t context = 0;  // heartbeat (response): the leader's latest ReadIndex round
  std::vector<Entry> entries;  // append: indexes index+1, index+2, ...
  std::optional<Snapshot> snapshot;
};

std::string encode_message(const RaftMessage& message);
// kInvalidArgument on malformed bytes or absurd values; `message` is then unspecified.
Status decode_message(std::string_view bytes, RaftMessage& message);
// One line, e.g. "append term=3 prev=(10,2) entries=[11..14] commit=9".
std::string describe_message(const RaftMessage& message);
bool valid_membership(const Membership& membership);

}  // namespace synod::consensus::raft
