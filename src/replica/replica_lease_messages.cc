#include "replica/replica_lease_messages.h"

#include "core/codec.h"

namespace synod::replica {
namespace {

constexpr uint64_t kMaxErrorBytes = 4096;

void write_int(ByteWriter& writer, int64_t value) {
  const auto raw = static_cast<uint64_t>(value);
  writer.varint((raw << 1) ^ (value < 0 ? ~uint64_t{0} : 0));
}

bool read_int(ByteReader& reader, int64_t& value) {
  uint64_t raw;
  if (!reader.varint(raw)) return false;
  value = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return true;
}

}  // namespace

std::string encode_lease_message(const LeaseMessage& message) {
  ByteWriter writer;
  writer.u8(static_cast<uint8_t>(message.kind));
  switch (message.kind) {
    case LeaseMessage::Kind::kQuery: {
      std::string out = writer.take();
      out.append(message.command);
      return out;
    }
    case LeaseMessage::Kind::kAnswer:
      write_int(writer, message.id);
      write_int(writer, message.ttl);
      write_int(writer, message.granted_ttl);
      writer.varint(message.keys.size());
      for (const std::string& key : message.keys) writer.bytes(key);
      break;
    case LeaseMessage::Kind::kRefused:
      writer.bytes(message.error);
      break;
  }
  return writer.take();
}

bool decode_lease_message(std::string_view body, LeaseMessage& message) {
  message = LeaseMessage{};
  ByteReader reader(body);
  uint8_t kind;
  if (!reader.u8(kind) || kind > static_cast<uint8_t>(LeaseMessage::Kind::kRefused)) return false;
  message.kind = static_cast<LeaseMessage::Kind>(kind);
  switch (message.kind) {
    case LeaseMessage::Kind::kQuery:
      message.command.assign(body.substr(1));
      return !message.command.empty();
    case LeaseMessage::Kind::kAnswer: {
      uint64_t count;
      if (!read_int(reader, message.id) || !read_int(reader, message.ttl) ||
          !read_int(reader, message.granted_ttl) || !reader.varint(count) || count > reader.remaining())
        return false;
      for (uint64_t i = 0; i < count; ++i) {
        if (!reader.bytes(message.keys.emplace_back())) return false;
      }
      return reader.at_end();
    }
    case LeaseMessage::Kind::kRefused:
      return reader.bytes(message.error, kMaxErrorBytes) && reader.at_end();
  }
  return false;
}

}  // namespace synod::replica
