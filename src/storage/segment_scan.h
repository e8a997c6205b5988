#pragma once
// Splits the bytes of one WAL segment into checksummed records and classifies how they end.
//
// A segment holds records back to back from offset 0, then zeros (preallocated, never written)
// up to the end of the file. Scanning stops at the first offset X where no valid record starts.
// What lies in [X, end of file) decides:
//   - only zeros (or nothing): the normal end of the segment;
//   - nonzero bytes, in the LAST segment, with no valid record starting anywhere after X: a torn
//     tail (a write cut short by a crash); recovery truncates it and reports it;
//   - anything else (nonzero bytes after X in a segment that is not the last, or a valid record
//     after a bad one, which a crash cannot produce since writes are sequential): kCorruption,
//     naming the file and the offset X.
// A damaged LAST record of the last segment cannot be told from a torn write; like etcd's and
// LevelDB's logs, it is treated as one. A payload that itself contains a well-formed record, if
// torn, is refused as corruption: the conservative failure (refuse to start) rather than a loss.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/wal_format.h"

namespace synod::storage {

struct ScannedRecord {
  RecordType type = RecordType::kEntry;
  uint64_t offset = 0;       // of the record's header in the file
  std::string_view payload;  // points into the scanned contents
};

struct SegmentScan {
  std::vector<ScannedRecord> records;
  uint64_t end_offset = 0;  // just past the last valid record
  uint64_t torn_bytes = 0;  // > 0 only for a torn tail: the bytes from end_offset to the
                            // last nonzero byte, which recovery drops
  std::string torn_reason;  // why the record at end_offset is not valid
};

// `path` only names the file in messages. Record types outside RecordType are corruption.
Status scan_segment(const std::string& path, std::string_view contents, bool is_last_segment,
                    SegmentScan& scan);

}  // namespace synod::storage
