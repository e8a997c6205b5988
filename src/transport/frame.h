#pragma once
// The wire format between peers. Everything a transport reads from a socket is untrusted and goes
// through the decoders here, which refuse rather than guess.
//
// A frame (all integers little-endian):
//
//   offset  size  field
//   0       4     magic     kFrameMagic; the bytes "SYND" on the wire
//   4       4     length    body bytes; at most the receiver's max_frame_bytes
//   8       8     checksum  XXH3_64bits of the body
//   16      len   body
//
// The dialler's first frame is a handshake; the acceptor checks it and replies with its own
// handshake (the only frame an acceptor ever writes); the dialler checks the reply (cluster id,
// the node id it meant to reach) and only then sends batches, its every later frame:
//
//   handshake body: cluster_id u64, sender node id u64, protocol version u32 (exactly 20 bytes)
//   batch body:     count varint (>= 1), then count times: from u64, to u64, payload (varint
//                   length + bytes)
//
// Messages flow one way: from dialler to acceptor, so each peer pair uses two connections, one
// per direction (see docs/transport.md).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/log_types.h"

namespace synod::transport {

inline constexpr uint32_t kFrameMagic = 0x444E5953;  // "SYND" in little-endian byte order
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kFrameHeaderBytes = 16;
inline constexpr size_t kHandshakeBodyBytes = 20;
// The smallest encoded message (from, to, an empty payload's length byte): it bounds how many
// messages a body of a given size can claim, so a forged count cannot make us reserve memory.
inline constexpr size_t kMinMessageBytes = 17;
// Room kept in a body for the count varint when packing a batch.
inline constexpr size_t kMaxCountVarintBytes = 10;

struct FrameHeader {
  uint32_t magic = 0;
  uint32_t length = 0;
  uint64_t checksum = 0;
};

enum class FrameError {
  kNone,
  kBadMagic,
  kOversize,     // length above the receiver's maximum
  kBadChecksum,
  kMalformed,    // the body does not decode
};
const char* frame_error_name(FrameError error);

struct Handshake {
  uint64_t cluster_id = 0;
  consensus::NodeId sender = consensus::kNoNode;
  uint32_t version = kProtocolVersion;
};

uint64_t frame_checksum(std::string_view body);
// A whole frame (header and body) around `body`.
std::string encode_frame(std::string_view body);

// Reads the 16 header bytes; checks magic and length (not the checksum: the body is not read yet).
FrameError parse_frame_header(std::string_view header_bytes, uint32_t max_frame_bytes,
                              FrameHeader& header);
FrameError check_frame_body(const FrameHeader& header, std::string_view body);

std::string encode_handshake(const Handshake& handshake);
bool decode_handshake(std::string_view body, Handshake& handshake);

// Bytes `message` adds to a batch body.
size_t encoded_message_bytes(const consensus::Message& message);
std::string encode_batch(const std::vector<consensus::Message>& messages);
// All or nothing: on failure `messages` is left empty, so nothing from a bad body is delivered.
bool decode_batch(std::string_view body, std::vector<consensus::Message>& messages);

}  // namespace synod::transport
