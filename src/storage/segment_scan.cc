#include "storage/segment_scan.h"

#include "core/codec.h"

namespace synod::storage {
namespace {

enum class ReadResult { kValid, kZeros, kBad };

bool is_known_type(uint8_t type) {
  return type >= static_cast<uint8_t>(RecordType::kSegmentHeader) &&
         type <= static_cast<uint8_t>(RecordType::kSnapshotMarker);
}

bool all_zero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

// Reads the record at `offset`; on kBad, `*reason` (when not null) says what is wrong with it.
// The search for a later valid record probes every offset and passes null: formatting a reason
// per probe cost more than the probe.
ReadResult read_record(std::string_view contents, uint64_t offset, ScannedRecord& record,
                       std::string* reason) {
  std::string_view rest = contents.substr(offset);
  if (rest.size() < kRecordHeaderBytes) {
    if (all_zero(rest)) return ReadResult::kZeros;
    if (reason) *reason = "partial record header (" + std::to_string(rest.size()) + " bytes)";
    return ReadResult::kBad;
  }
  if (all_zero(rest.substr(0, kRecordHeaderBytes))) return ReadResult::kZeros;
  ByteReader reader(rest);
  uint32_t length = 0;
  uint8_t type = 0;
  uint64_t checksum = 0;
  reader.u32(length);
  reader.u8(type);
  reader.u64(checksum);
  if (length > rest.size() - kRecordHeaderBytes) {
    if (reason)
      *reason = "record length " + std::to_string(length) + " runs past the end of the file";
    return ReadResult::kBad;
  }
  std::string_view payload = rest.substr(kRecordHeaderBytes, length);
  if (record_checksum(static_cast<RecordType>(type), payload) != checksum) {
    if (reason) {
      *reason = "checksum mismatch (record type " + std::to_string(type) + ", length " +
                std::to_string(length) + ")";
    }
    return ReadResult::kBad;
  }
  if (!is_known_type(type)) {
    if (reason) *reason = "unknown record type " + std::to_string(type);
    return ReadResult::kBad;
  }
  record.type = static_cast<RecordType>(type);
  record.offset = offset;
  record.payload = payload;
  return ReadResult::kValid;
}

// The first offset in [from, to) where a valid record starts, or `to` if none does.
uint64_t find_valid_record(std::string_view contents, uint64_t from, uint64_t to) {
  ScannedRecord record;
  for (uint64_t offset = from; offset < to; ++offset) {
    if (offset + kRecordHeaderBytes > contents.size()) break;
    if (!is_known_type(static_cast<uint8_t>(contents[offset + 4]))) continue;  // cheap filter
    if (read_record(contents, offset, record, nullptr) == ReadResult::kValid) return offset;
  }
  return to;
}

Status corruption(const std::string& path, uint64_t offset, const std::string& what) {
  return Status(StatusCode::kCorruption,
                "wal corruption in " + path + " at offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

Status scan_segment(const std::string& path, std::string_view contents, bool is_last_segment,
                    SegmentScan& scan) {
  scan = SegmentScan{};
  uint64_t offset = 0;
  std::string reason;
  ReadResult result = ReadResult::kZeros;
  while (offset < contents.size()) {
    ScannedRecord record;
    result = read_record(contents, offset, record, &reason);
    if (result != ReadResult::kValid) break;
    scan.records.push_back(record);
    offset += kRecordHeaderBytes + record.payload.size();
  }
  scan.end_offset = offset;
  size_t last_nonzero = contents.find_last_not_of('\0');
  uint64_t written_end = last_nonzero == std::string_view::npos ? 0 : last_nonzero + 1;
  if (written_end <= offset) return Status::Ok();  // zeros or nothing: the normal end
  if (result == ReadResult::kZeros) reason = "zeros followed by nonzero bytes";
  if (!is_last_segment)
    return corruption(path, offset, reason + " in a segment that is not the last");
  uint64_t next_valid = find_valid_record(contents, offset + 1, written_end);
  if (next_valid < written_end) {
    return corruption(path, offset,
                      reason + "; a valid record follows at offset " + std::to_string(next_valid));
  }
  scan.torn_bytes = written_end - offset;
  scan.torn_reason = reason;
  return Status::Ok();
}

}  // namespace synod::storage
