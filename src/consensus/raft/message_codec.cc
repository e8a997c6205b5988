#include <algorithm>

#include "consensus/raft/message.h"
#include "core/codec.h"

namespace synod::consensus::raft {
namespace {

Status malformed(const char* why) { return {StatusCode::kInvalidArgument, why}; }

void write_snapshot(ByteWriter& writer, const Snapshot& snapshot) {
  writer.varint(snapshot.meta.index);
  writer.varint(snapshot.meta.term);
  writer.varint_list(snapshot.meta.membership.voters);
  writer.varint_list(snapshot.meta.membership.learners);
  writer.bytes(snapshot.data);
}

bool read_snapshot(ByteReader& reader, Snapshot& snapshot) {
  return reader.varint(snapshot.meta.index) && reader.varint(snapshot.meta.term) &&
         reader.varint_list(snapshot.meta.membership.voters) &&
         reader.varint_list(snapshot.meta.membership.learners) && reader.bytes(snapshot.data);
}

void write_entries(ByteWriter& writer, const std::vector<Entry>& entries) {
  writer.varint(entries.size());
  for (const auto& entry : entries) {
    writer.varint(entry.term);
    writer.u8(static_cast<uint8_t>(entry.kind));
    writer.bytes(entry.data);
  }
}

// Entries carry no index on the wire: they follow `prev_index` without a gap by construction.
bool read_entries(ByteReader& reader, uint64_t prev_index, std::vector<Entry>& entries) {
  uint64_t count;
  // Each entry takes at least 3 bytes, which bounds the allocation by the input size.
  if (!reader.varint(count) || count > reader.remaining() / 3) return false;
  if (prev_index >= kMaxTermOrIndex || count > kMaxTermOrIndex - prev_index) return false;
  entries.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    Entry& entry = entries[i];
    uint8_t kind;
    entry.index = prev_index + 1 + i;
    if (!reader.varint(entry.term) || !reader.u8(kind) || !reader.bytes(entry.data)) return false;
    if (kind > static_cast<uint8_t>(EntryKind::kMembership)) return false;
    entry.kind = static_cast<EntryKind>(kind);
  }
  return true;
}

void write_body(ByteWriter& writer, const RaftMessage& message) {
  switch (message.type) {
    case MessageType::kVoteRequest:
      writer.varint(message.index);
      writer.varint(message.log_term);
      writer.u8(static_cast<uint8_t>((message.pre_vote ? 1 : 0) | (message.transfer ? 2 : 0)));
      return;
    case MessageType::kVoteResponse:
      writer.u8(static_cast<uint8_t>((message.pre_vote ? 1 : 0) | (message.reject ? 2 : 0)));
      return;
    case MessageType::kAppend:
      writer.varint(message.index);
      writer.varint(message.log_term);
      writer.varint(message.commit);
      write_entries(writer, message.entries);
      return;
    case MessageType::kAppendResponse:
      writer.varint(message.index);
      writer.u8(message.reject ? 1 : 0);
      writer.varint(message.hint_index);
      writer.varint(message.hint_term);
      return;
    case MessageType::kHeartbeat:
      writer.varint(message.commit);
      writer.varint(message.context);
      return;
    case MessageType::kHeartbeatResponse:
      writer.varint(message.context);
      return;
    case MessageType::kInstallSnapshot:
      write_snapshot(writer, *message.snapshot);
      return;
    case MessageType::kTimeoutNow:
      return;
  }
}

bool read_flags(ByteReader& reader, uint8_t allowed, uint8_t& flags) {
  return reader.u8(flags) && (flags & ~allowed) == 0;
}

bool read_body(ByteReader& reader, RaftMessage& message) {
  uint8_t flags = 0;
  switch (message.type) {
    case MessageType::kVoteRequest:
      if (!reader.varint(message.index) || !reader.varint(message.log_term) ||
          !read_flags(reader, 3, flags))
        return false;
      message.pre_vote = flags & 1;
      message.transfer = flags & 2;
      return true;
    case MessageType::kVoteResponse:
      if (!read_flags(reader, 3, flags)) return false;
      message.pre_vote = flags & 1;
      message.reject = flags & 2;
      return true;
    case MessageType::kAppend:
      return reader.varint(message.index) && reader.varint(message.log_term) &&
             reader.varint(message.commit) && read_entries(reader, message.index, message.entries);
    case MessageType::kAppendResponse:
      if (!reader.varint(message.index) || !read_flags(reader, 1, flags)) return false;
      message.reject = flags & 1;
      return reader.varint(message.hint_index) && reader.varint(message.hint_term);
    case MessageType::kHeartbeat:
      return reader.varint(message.commit) && reader.varint(message.context);
    case MessageType::kHeartbeatResponse:
      return reader.varint(message.context);
    case MessageType::kInstallSnapshot:
      message.snapshot.emplace();
      return read_snapshot(reader, *message.snapshot);
    case MessageType::kTimeoutNow:
      return true;
  }
  return false;
}

bool sorted_unique_positive(const std::vector<NodeId>& nodes) {
  if (!nodes.empty() && nodes.front() == kNoNode) return false;
  return std::adjacent_find(nodes.begin(), nodes.end(),
                            [](NodeId a, NodeId b) { return a >= b; }) == nodes.end();
}

Status validate_entries(const RaftMessage& message) {
  uint64_t previous_term = message.log_term;
  for (const auto& entry : message.entries) {
    if (entry.term == 0 || entry.term < previous_term) return malformed("entry terms decrease");
    if (entry.term > message.term) return malformed("entry term above the message term");
    previous_term = entry.term;
  }
  return Status::Ok();
}

Status validate_snapshot(const RaftMessage& message) {
  const SnapshotMeta& meta = message.snapshot->meta;
  if (meta.index == 0 || meta.term == 0) return malformed("empty snapshot");
  if (meta.index > kMaxTermOrIndex || meta.term > message.term)
    return malformed("snapshot beyond the message term");
  if (!valid_membership(meta.membership) || meta.membership.voters.empty())
    return malformed("snapshot membership invalid");
  return Status::Ok();
}

// Values a correct peer can never send; refusing them keeps arithmetic and invariants safe.
Status validate(const RaftMessage& message) {
  if (message.term == 0 || message.term > kMaxTermOrIndex) return malformed("term out of range");
  if (message.index > kMaxTermOrIndex || message.commit > kMaxTermOrIndex ||
      message.hint_index > kMaxTermOrIndex)
    return malformed("index out of range");
  switch (message.type) {
    case MessageType::kVoteRequest:
      if (message.log_term > message.term) return malformed("last log term above the term");
      if ((message.index == 0) != (message.log_term == 0)) return malformed("last entry invalid");
      return Status::Ok();
    case MessageType::kAppend:
      if (message.log_term > message.term) return malformed("prev term above the term");
      if ((message.index == 0) != (message.log_term == 0)) return malformed("prev entry invalid");
      return validate_entries(message);
    case MessageType::kAppendResponse:
      if (message.hint_index > message.index || message.hint_term > message.term)
        return malformed("reject hint out of range");
      return Status::Ok();
    case MessageType::kInstallSnapshot:
      return validate_snapshot(message);
    case MessageType::kVoteResponse:
    case MessageType::kHeartbeat:
    case MessageType::kHeartbeatResponse:
    case MessageType::kTimeoutNow:
      return Status::Ok();
  }
  return malformed("unknown type");
}

}  // namespace

bool valid_membership(const Membership& membership) {
  if (!sorted_unique_positive(membership.voters) || !sorted_unique_positive(membership.learners))
    return false;
  for (NodeId learner : membership.learners)
    if (membership.is_voter(learner)) return false;
  return true;
}

std::string encode_message(const RaftMessage& message) {
  ByteWriter writer;
  writer.u8(static_cast<uint8_t>(message.type));
  writer.varint(message.term);
  write_body(writer, message);
  return writer.take();
}

Status decode_message(std::string_view bytes, RaftMessage& message) {
  message = RaftMessage{};
  ByteReader reader(bytes);
  uint8_t type;
  if (!reader.u8(type)) return malformed("empty message");
  if (type < static_cast<uint8_t>(MessageType::kVoteRequest) ||
      type > static_cast<uint8_t>(MessageType::kTimeoutNow))
    return malformed("unknown message type");
  message.type = static_cast<MessageType>(type);
  if (!reader.varint(message.term) || !read_body(reader, message)) return malformed("truncated");
  if (!reader.at_end()) return malformed("trailing bytes");
  return validate(message);
}

}  // namespace synod::consensus::raft
