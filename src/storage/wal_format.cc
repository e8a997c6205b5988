#include "storage/wal_format.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <cstdio>

#include "core/codec.h"

namespace synod::storage {

uint64_t record_checksum(RecordType type, std::string_view payload) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  const uint8_t type_byte = static_cast<uint8_t>(type);
  XXH3_64bits_update(&state, &type_byte, 1);
  XXH3_64bits_update(&state, payload.data(), payload.size());
  return XXH3_64bits_digest(&state);
}

void frame_record(RecordType type, std::string_view payload, std::string& out) {
  ByteWriter writer;
  writer.u32(static_cast<uint32_t>(payload.size()));
  writer.u8(static_cast<uint8_t>(type));
  writer.u64(record_checksum(type, payload));
  out += writer.data();
  out += payload;
}

std::string encode_segment_header(const SegmentHeader& header) {
  ByteWriter writer;
  writer.u64(header.magic);
  writer.u32(header.version);
  writer.u64(header.sequence);
  writer.u64(header.first_index);
  return writer.take();
}

bool decode_segment_header(std::string_view payload, SegmentHeader& header) {
  ByteReader reader(payload);
  reader.u64(header.magic);
  reader.u32(header.version);
  reader.u64(header.sequence);
  reader.u64(header.first_index);
  return reader.at_end();
}

std::string encode_entry(const consensus::Entry& entry) {
  ByteWriter writer;
  writer.u64(entry.index);
  writer.u64(entry.term);
  writer.u8(static_cast<uint8_t>(entry.kind));
  writer.bytes(entry.data);
  return writer.take();
}

bool decode_entry(std::string_view payload, consensus::Entry& entry) {
  ByteReader reader(payload);
  uint8_t kind = 0;
  reader.u64(entry.index);
  reader.u64(entry.term);
  reader.u8(kind);
  reader.bytes(entry.data);
  if (!reader.at_end() || kind > static_cast<uint8_t>(consensus::EntryKind::kMembership))
    return false;
  entry.kind = static_cast<consensus::EntryKind>(kind);
  return true;
}

std::string encode_hard_state(const consensus::HardState& hard_state) {
  ByteWriter writer;
  writer.u64(hard_state.term);
  writer.u64(hard_state.vote);
  writer.u64(hard_state.commit);
  writer.bytes(hard_state.engine_data);
  return writer.take();
}

bool decode_hard_state(std::string_view payload, consensus::HardState& hard_state) {
  ByteReader reader(payload);
  reader.u64(hard_state.term);
  reader.u64(hard_state.vote);
  reader.u64(hard_state.commit);
  reader.bytes(hard_state.engine_data);
  return reader.at_end();
}

std::string encode_snapshot_meta(const consensus::SnapshotMeta& meta) {
  ByteWriter writer;
  writer.u64(meta.index);
  writer.u64(meta.term);
  writer.varint_list(meta.membership.voters);
  writer.varint_list(meta.membership.learners);
  return writer.take();
}

bool decode_snapshot_meta(std::string_view payload, consensus::SnapshotMeta& meta) {
  ByteReader reader(payload);
  reader.u64(meta.index);
  reader.u64(meta.term);
  return reader.varint_list(meta.membership.voters) &&
         reader.varint_list(meta.membership.learners) && reader.at_end();
}

std::string hex16(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

bool parse_hex16(std::string_view text, uint64_t& value) {
  if (text.size() != 16) return false;
  value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else
      return false;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return true;
}

std::string segment_file_name(uint64_t sequence, uint64_t first_index) {
  return "wal-" + hex16(sequence) + "-" + hex16(first_index) + ".log";
}

bool parse_segment_file_name(std::string_view name, uint64_t& sequence, uint64_t& first_index) {
  // wal- (4) + 16 + '-' + 16 + ".log" (4) = 41
  if (name.size() != 41 || name.substr(0, 4) != "wal-" || name[20] != '-' ||
      name.substr(37) != ".log")
    return false;
  return parse_hex16(name.substr(4, 16), sequence) && parse_hex16(name.substr(21, 16), first_index);
}

}  // namespace synod::storage
