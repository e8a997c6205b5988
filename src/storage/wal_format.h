#pragma once
// The WAL's record framing and payload encodings (the layout is documented in wal.h and
// docs/storage.md). Pure functions: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/log_types.h"

namespace synod::storage {

enum class RecordType : uint8_t {
  // 0 is never written: a zero header is how preallocated, never-written space reads.
  kSegmentHeader = 1,
  kEntry = 2,
  kHardState = 3,
  kSnapshotMarker = 4,
};

inline constexpr uint64_t kRecordHeaderBytes = 13;  // length u32, type u8, checksum u64
// Larger entries and hard states are refused (the length field is 32 bits; a record is read
// into memory whole).
inline constexpr uint64_t kMaxPayloadBytes = 1ull << 30;
inline constexpr uint64_t kWalMagic = 0x4c41573a444f4e59;  // "YNOD:WAL" little-endian
inline constexpr uint32_t kWalVersion = 1;

struct SegmentHeader {
  uint64_t magic = kWalMagic;
  uint32_t version = kWalVersion;
  uint64_t sequence = 0;
  uint64_t first_index = 0;  // last index + 1 when the segment was created
};

// XXH3-64 of the type byte followed by the payload.
uint64_t record_checksum(RecordType type, std::string_view payload);
// Appends one framed record to `out`.
void frame_record(RecordType type, std::string_view payload, std::string& out);

std::string encode_segment_header(const SegmentHeader& header);
std::string encode_entry(const consensus::Entry& entry);
std::string encode_hard_state(const consensus::HardState& hard_state);
std::string encode_snapshot_meta(const consensus::SnapshotMeta& meta);
bool decode_segment_header(std::string_view payload, SegmentHeader& header);
bool decode_entry(std::string_view payload, consensus::Entry& entry);
bool decode_hard_state(std::string_view payload, consensus::HardState& hard_state);
bool decode_snapshot_meta(std::string_view payload, consensus::SnapshotMeta& meta);

// "wal-<sequence 16 hex>-<first index 16 hex>.log"
std::string segment_file_name(uint64_t sequence, uint64_t first_index);
bool parse_segment_file_name(std::string_view name, uint64_t& sequence, uint64_t& first_index);
// "%016llx"
std::string hex16(uint64_t value);
bool parse_hex16(std::string_view text, uint64_t& value);

}  // namespace synod::storage
