// Wal::open: replay of the segments and repair of a torn tail (the rules are in wal.h).
#include <algorithm>
#include <cstdio>

#include "storage/segment_scan.h"
#include "storage/wal.h"

namespace synod::storage {
namespace {

Status corruption(const std::string& where, uint64_t offset, const std::string& what) {
  return Status(StatusCode::kCorruption, "wal corruption in " + where + " at offset " +
                                             std::to_string(offset) + ": " + what);
}

struct ReplayedSegment {
  std::string path;
  uint64_t sequence = 0;
  uint64_t first_index = 0;
  uint64_t file_bytes = 0;
  SegmentScan scan;
  bool headerless = false;  // no valid record at all (last segment only)
  uint64_t preamble_end = 0;
};

// The log being rebuilt.
struct Replay {
  LogShape<consensus::Entry> log;
  LogShape<Wal::EntryId> ids;  // the same shape, with where each entry's record lies
  std::optional<consensus::HardState> hard_state;
};

Status check_header(const ReplayedSegment& segment, const ScannedRecord& record) {
  SegmentHeader header;
  if (record.type != RecordType::kSegmentHeader || !decode_segment_header(record.payload, header))
    return corruption(segment.path, 0, "the segment does not start with a segment header");
  if (header.magic != kWalMagic) return corruption(segment.path, 0, "bad magic");
  if (header.version != kWalVersion)
    return corruption(segment.path, 0, "unsupported version " + std::to_string(header.version));
  if (header.sequence != segment.sequence || header.first_index != segment.first_index)
    return corruption(segment.path, 0, "the segment header disagrees with the file name");
  return Status::Ok();
}

Status apply_record(const ReplayedSegment& segment, const ScannedRecord& record, Replay& replay) {
  switch (record.type) {
    case RecordType::kSegmentHeader:
      return corruption(segment.path, record.offset, "a second segment header");
    case RecordType::kEntry: {
      consensus::Entry entry;
      if (!decode_entry(record.payload, entry))
        return corruption(segment.path, record.offset, "undecodable entry");
      if (!replay.log.accepts(entry.index)) {
        return corruption(segment.path, record.offset,
                          "entry " + std::to_string(entry.index) + " does not follow the log (" +
                              "snapshot index " + std::to_string(replay.log.snapshot_index()) +
                              ", last index " + std::to_string(replay.log.last_index()) + ")");
      }
      replay.ids.add(Wal::EntryId{entry.index, entry.term, segment.sequence, record.offset,
                                  static_cast<uint32_t>(kRecordHeaderBytes + record.payload.size())});
      replay.log.add(std::move(entry));
      return Status::Ok();
    }
    case RecordType::kHardState: {
      consensus::HardState hard_state;
      if (!decode_hard_state(record.payload, hard_state))
        return corruption(segment.path, record.offset, "undecodable hard state");
      replay.hard_state = std::move(hard_state);
      return Status::Ok();
    }
    case RecordType::kSnapshotMarker: {
      consensus::SnapshotMeta meta;
      if (!decode_snapshot_meta(record.payload, meta))
        return corruption(segment.path, record.offset, "undecodable snapshot marker");
      if (meta.index < replay.log.snapshot_index())
        return corruption(segment.path, record.offset, "snapshot marker goes backwards");
      replay.ids.apply_snapshot(meta);
      replay.log.apply_snapshot(meta);
      return Status::Ok();
    }
  }
  return corruption(segment.path, record.offset, "unknown record type");
}

Status replay_segment(FileSystem& fs, bool is_last, ReplayedSegment& segment, Replay& replay) {
  std::string contents;
  if (Status status = fs.read_file(segment.path, contents); !status.ok()) return status;
  segment.file_bytes = contents.size();
  if (Status status = scan_segment(segment.path, contents, is_last, segment.scan); !status.ok())
    return status;
  const std::vector<ScannedRecord>& records = segment.scan.records;
  if (records.empty()) {
    if (!is_last) return corruption(segment.path, 0, "no segment header");
    segment.headerless = true;
    return Status::Ok();
  }
  if (Status status = check_header(segment, records.front()); !status.ok()) return status;
  // The preamble: the header and the marker / hard state records before the first entry.
  bool in_preamble = true;
  for (const ScannedRecord& record : records) {
    in_preamble = in_preamble && record.type != RecordType::kEntry;
    if (in_preamble)
      segment.preamble_end = record.offset + kRecordHeaderBytes + record.payload.size();
    if (&record == &records.front()) continue;  // the header, checked above
    if (Status status = apply_record(segment, record, replay); !status.ok()) return status;
  }
  segment.scan.records.clear();  // their payloads point into `contents`, about to go
  return Status::Ok();
}

Status list_segments(FileSystem& fs, const std::string& directory,
                     std::vector<ReplayedSegment>& segments) {
  std::vector<std::string> names;
  if (Status status = fs.list_directory(directory, names); !status.ok()) return status;
  for (const std::string& name : names) {
    ReplayedSegment segment;
    if (!parse_segment_file_name(name, segment.sequence, segment.first_index)) continue;
    segment.path = join_path(directory, name);
    segments.push_back(std::move(segment));
  }
  std::sort(segments.begin(), segments.end(),
            [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  for (size_t i = 1; i < segments.size(); ++i) {
    if (segments[i].sequence == segments[i - 1].sequence) {
      return corruption(segments[i].path, 0, "two segments with the same sequence number");
    }
    if (segments[i].sequence != segments[i - 1].sequence + 1) {
      return corruption(segments[i].path, 0,
                        "segment sequence jumps from " + std::to_string(segments[i - 1].sequence) +
                            ": a segment is missing");
    }
  }
  return Status::Ok();
}

void report(const WalOptions& options, WalRecovery& recovery, std::string line) {
  if (options.print_repairs) std::fprintf(stderr, "%s\n", line.c_str());
  recovery.repairs.push_back(std::move(line));
}

}  // namespace

Status Wal::open(FileSystem& fs, const std::string& directory, const WalOptions& options,
                 std::unique_ptr<Wal>& wal, WalRecovery& recovery) {
  recovery = WalRecovery{};
  if (options.segment_bytes < 4096)
    return Status(StatusCode::kInvalidArgument, "wal: segment_bytes must be at least 4096");
  if (Status status = fs.create_directories(directory); !status.ok()) return status;
  std::unique_ptr<Wal> result(new Wal(fs, directory, options));
  if (Status status = result->recover(recovery); !status.ok()) return status;
  wal = std::move(result);
  return Status::Ok();
}

Status Wal::recover(WalRecovery& recovery) {
  std::vector<ReplayedSegment> segments;
  if (Status status = list_segments(fs_, directory_, segments); !status.ok()) return status;
  if (segments.empty()) return create_segment(0, 1);

  // 1. Replay everything, read-only: a refusal leaves the files as they were.
  Replay replay;
  for (size_t i = 0; i < segments.size(); ++i) {
    Status status = replay_segment(fs_, i + 1 == segments.size(), segments[i], replay);
    if (!status.ok()) return status;
  }
  if (!replay.log.follows_snapshot()) {
    return Status(StatusCode::kCorruption,
                  "wal corruption in " + directory_ + ": the log starts at " +
                      std::to_string(replay.log.items().front().index) +
                      " but the snapshot ends at " + std::to_string(replay.log.snapshot_index()) +
                      " (a segment with the entries between is missing)");
  }
  shape_ = std::move(replay.ids);
  hard_state_ = replay.hard_state;
  durable_snapshot_index_ = shape_.snapshot_index();
  recovery.hard_state = replay.hard_state.value_or(consensus::HardState{});
  recovery.snapshot = replay.log.snapshot();
  recovery.entries.assign(std::make_move_iterator(replay.log.items().begin()),
                          std::make_move_iterator(replay.log.items().end()));

  // 2. Repair the tail.
  ReplayedSegment last = segments.back();
  if (last.headerless) {
    if (Status status = fs_.remove(last.path); !status.ok()) return status;
    if (Status status = fs_.sync_directory(directory_); !status.ok()) return status;
    report(options_, recovery,
           "wal: removed " + last.path + ": no valid record (" +
               std::to_string(last.scan.torn_bytes) +
               " bytes; a crash while the segment was created)");
    segments.pop_back();
    for (const ReplayedSegment& segment : segments)
      segments_.push_back(Segment{segment.sequence, segment.first_index, segment.path});
    if (segments.empty()) return create_segment(last.sequence, shape_.last_index() + 1);
    last = segments.back();
  } else {
    for (const ReplayedSegment& segment : segments)
      segments_.push_back(Segment{segment.sequence, segment.first_index, segment.path});
  }
  std::unique_ptr<WritableFile> file;
  uint64_t end = last.scan.end_offset;
  if (last.scan.torn_bytes > 0) {
    if (Status status = fs_.truncate(last.path, end); !status.ok()) return status;
    report(options_, recovery,
           "wal: truncated torn tail of " + last.path + " at offset " + std::to_string(end) +
               ": dropped " + std::to_string(last.scan.torn_bytes) + " bytes (" +
               last.scan.torn_reason + ")");
  }
  if (Status status = fs_.open_for_append(last.path, end, file); !status.ok()) return status;
  if (options_.preallocate && last.scan.torn_bytes > 0) {
    if (Status status = file->preallocate(options_.segment_bytes); !status.ok()) return status;
  }
  // What was read may still be only in the page cache (a process crash, not a power loss):
  // make it durable before anything is done on the strength of it.
  if (Status status = file->sync_data(); !status.ok()) return status;
  current_ = std::move(file);
  preamble_end_ = last.preamble_end;
  return Status::Ok();
}

}  // namespace synod::storage
