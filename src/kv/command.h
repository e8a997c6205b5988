#pragma once
// Replicated commands: the compact binary form in which a request travels through consensus to
// every replica's MvccStore::apply.
//
// Format: u8 format version (1) | u8 kind | the request's fields in declaration order.
// Integers are varints (int64 zigzag-encoded), bools and enums one byte, bytes length-prefixed.
// Lists are a varint count, then the items. A Txn nests at most kMaxTxnDepth deep.
// decode_command() refuses malformed input: short or trailing bytes, unknown versions, kinds or
// enum values, bools other than 0/1, counts beyond the input, nesting beyond kMaxTxnDepth.
// (Varints are not required to be minimal.)
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"
#include "kv/lease_types.h"
#include "kv/types.h"

namespace synod::kv {

// Lease keep-alive, time-to-live and leases are commands so that a Replica routes them; they never
// enter the log (MvccStore::apply refuses them), though they encode for forwarding to the leader.
using Command = std::variant<RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest,
                             CompactionRequest, LeaseRevokeRequest, LeaseGrantRequest,
                             LeaseCheckpointRequest, LeaseKeepAliveRequest, LeaseTimeToLiveRequest,
                             LeaseLeasesRequest>;

inline constexpr int kMaxTxnDepth = 16;

std::string encode_command(const Command& command);
// On failure `command` is unspecified and the status is kInvalidArgument.
Status decode_command(std::string_view bytes, Command& command);

}  // namespace synod::kv
