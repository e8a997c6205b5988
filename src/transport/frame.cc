#include "transport/frame.h"

#include <xxhash.h>

#include "core/codec.h"

namespace synod::transport {
namespace {

size_t varint_bytes(uint64_t value) {
  size_t bytes = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

}  // namespace

const char* frame_error_name(FrameError error) {
  switch (error) {
    case FrameError::kNone: return "none";
    case FrameError::kBadMagic: return "bad magic";
    case FrameError::kOversize: return "oversize";
    case FrameError::kBadChecksum: return "bad checksum";
    case FrameError::kMalformed: return "malformed body";
  }
  return "unknown";
}

uint64_t frame_checksum(std::string_view body) { return XXH3_64bits(body.data(), body.size()); }

std::string encode_frame(std::string_view body) {
  ByteWriter writer;
  writer.u32(kFrameMagic);
  writer.u32(static_cast<uint32_t>(body.size()));
  writer.u64(frame_checksum(body));
  std::string frame = writer.take();
  frame.append(body);
  return frame;
}

FrameError parse_frame_header(std::string_view header_bytes, uint32_t max_frame_bytes,
                              FrameHeader& header) {
  ByteReader reader(header_bytes);
  if (!reader.u32(header.magic) || !reader.u32(header.length) || !reader.u64(header.checksum)) {
    return FrameError::kMalformed;
  }
  if (header.magic != kFrameMagic) return FrameError::kBadMagic;
  if (header.length > max_frame_bytes) return FrameError::kOversize;
  return FrameError::kNone;
}

FrameError check_frame_body(const FrameHeader& header, std::string_view body) {
  if (body.size() != header.length) return FrameError::kMalformed;
  if (frame_checksum(body) != header.checksum) return FrameError::kBadChecksum;
  return FrameError::kNone;
}

std::string encode_handshake(const Handshake& handshake) {
  ByteWriter writer;
  writer.u64(handshake.cluster_id);
  writer.u64(handshake.sender);
  writer.u32(handshake.version);
  return writer.take();
}

bool decode_handshake(std::string_view body, Handshake& handshake) {
  ByteReader reader(body);
  return reader.u64(handshake.cluster_id) && reader.u64(handshake.sender) &&
         reader.u32(handshake.version) && reader.at_end();
}

size_t encoded_message_bytes(const consensus::Message& message) {
  return 16 + varint_bytes(message.payload.size()) + message.payload.size();
}

std::string encode_batch(const std::vector<consensus::Message>& messages) {
  ByteWriter writer;
  writer.varint(messages.size());
  for (const consensus::Message& message : messages) {
    writer.u64(message.from);
    writer.u64(message.to);
    writer.bytes(message.payload);
  }
  return writer.take();
}

bool decode_batch(std::string_view body, std::vector<consensus::Message>& messages) {
  messages.clear();
  ByteReader reader(body);
  uint64_t count = 0;
  if (!reader.varint(count) || count == 0 || count > reader.remaining() / kMinMessageBytes) {
    return false;
  }
  messages.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    consensus::Message message;
    if (!reader.u64(message.from) || !reader.u64(message.to) || !reader.bytes(message.payload)) {
      messages.clear();
      return false;
    }
    messages.push_back(std::move(message));
  }
  if (!reader.at_end()) {
    messages.clear();
    return false;
  }
  return true;
}

}  // namespace synod::transport
