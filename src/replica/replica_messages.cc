#include "replica/replica_messages.h"

#include "core/codec.h"

namespace synod::replica {

namespace {
constexpr uint8_t kEnvelopeVersion = 1;
constexpr uint8_t kMemberEnvelopeVersion = 2;
constexpr uint64_t kMaxErrorBytes = 4096;
}  // namespace

std::string encode_engine_payload(std::string_view engine_payload) {
  std::string out;
  out.reserve(engine_payload.size() + 1);
  out.push_back(static_cast<char>(Channel::kEngine));
  out.append(engine_payload);
  return out;
}

std::string encode_replica_message(const ReplicaMessage& message) {
  if (message.channel == Channel::kEngine) return encode_engine_payload(message.body);
  ByteWriter writer;
  writer.u8(static_cast<uint8_t>(message.channel));
  writer.varint(message.request_id);
  switch (message.channel) {
    case Channel::kForwardWrite: {
      writer.varint(message.term);
      std::string out = writer.take();
      out.append(message.body);
      return out;
    }
    case Channel::kLease: {
      std::string out = writer.take();
      out.append(message.body);
      return out;
    }
    case Channel::kWriteRefused:
    case Channel::kReadRefused:
      writer.bytes(message.body);
      break;
    case Channel::kReadIndexReply:
      writer.varint(message.index);
      break;
    case Channel::kReadIndex:
    case Channel::kEngine:
      break;
  }
  return writer.take();
}

bool decode_replica_message(std::string_view payload, ReplicaMessage& message) {
  if (payload.empty()) return false;
  const auto channel = static_cast<uint8_t>(payload[0]);
  if (channel > static_cast<uint8_t>(Channel::kLease)) return false;
  message = ReplicaMessage{};
  message.channel = static_cast<Channel>(channel);
  if (message.channel == Channel::kEngine) {
    message.body.assign(payload.substr(1));
    return true;
  }
  ByteReader reader(payload.substr(1));
  if (!reader.varint(message.request_id)) return false;
  switch (message.channel) {
    case Channel::kForwardWrite:
      if (!reader.varint(message.term)) return false;
      message.body.assign(payload.substr(payload.size() - reader.remaining()));
      return !message.body.empty();
    case Channel::kLease:
      message.body.assign(payload.substr(payload.size() - reader.remaining()));
      return !message.body.empty();
    case Channel::kWriteRefused:
    case Channel::kReadRefused:
      return reader.bytes(message.body, kMaxErrorBytes) && reader.at_end();
    case Channel::kReadIndexReply:
      return reader.varint(message.index) && reader.at_end();
    case Channel::kReadIndex:
      return reader.at_end();
    case Channel::kEngine:
      break;
  }
  return false;
}

std::string encode_envelope(const ProposalEnvelope& envelope) {
  ByteWriter writer;
  writer.u8(envelope.member ? kMemberEnvelopeVersion : kEnvelopeVersion);
  writer.varint(envelope.origin);
  writer.varint(envelope.request_id);
  std::string out = writer.take();
  out.append(envelope.command);
  return out;
}

bool decode_envelope(std::string_view bytes, ProposalEnvelope& envelope) {
  ByteReader reader(bytes);
  uint8_t version = 0;
  if (!reader.u8(version) || (version != kEnvelopeVersion && version != kMemberEnvelopeVersion))
    return false;
  envelope.member = version == kMemberEnvelopeVersion;
  if (!reader.varint(envelope.origin) || !reader.varint(envelope.request_id)) return false;
  envelope.command.assign(bytes.substr(bytes.size() - reader.remaining()));
  return true;
}

}  // namespace synod::replica
