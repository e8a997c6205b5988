#pragma once
// The body of a Channel::kLease replica message: lease keep-alives and time-to-live questions a
// follower forwards to the leader, which alone knows when leases expire, and its answers.
//
// Body: u8 kind | fields
//   kQuery    command bytes (kv/command.h: LeaseKeepAliveRequest or LeaseTimeToLiveRequest)
//   kAnswer   zigzag id | zigzag ttl | zigzag granted_ttl | varint key count | keys (bytes each)
//   kRefused  bytes error text
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace synod::replica {

struct LeaseMessage {
  enum class Kind : uint8_t { kQuery = 0, kAnswer = 1, kRefused = 2 };
  Kind kind = Kind::kQuery;
  std::string command;  // kQuery
  int64_t id = 0;       // kAnswer
  int64_t ttl = 0;
  int64_t granted_ttl = 0;
  std::vector<std::string> keys;
  std::string error;  // kRefused
};

std::string encode_lease_message(const LeaseMessage& message);
// False on anything malformed (unknown kind, short or trailing bytes, oversized counts).
bool decode_lease_message(std::string_view body, LeaseMessage& message);

}  // namespace synod::replica
