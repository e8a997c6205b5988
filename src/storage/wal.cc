#include "storage/wal.h"

#include <algorithm>

#include "storage/segment_scan.h"

namespace synod::storage {

Wal::Wal(FileSystem& fs, std::string directory, WalOptions options)
    : fs_(fs), directory_(std::move(directory)), options_(options) {}

Wal::~Wal() = default;

Status Wal::fail(Status status) {
  if (failure_.ok()) failure_ = status;
  return status;
}

Status Wal::append(const std::vector<consensus::Entry>& entries,
                   const std::optional<consensus::HardState>& hard_state) {
  if (!failure_.ok()) return failure_;
  if (!entries.empty()) {
    uint64_t first = entries.front().index;
    if (first <= shape_.snapshot_index() || first > shape_.last_index() + 1) {
      return Status(StatusCode::kInvalidArgument,
                    "wal append: entry " + std::to_string(first) + " does not fit a log with " +
                        "snapshot index " + std::to_string(shape_.snapshot_index()) +
                        " and last index " + std::to_string(shape_.last_index()));
    }
    for (size_t i = 1; i < entries.size(); ++i) {
      if (entries[i].index != first + i)
        return Status(StatusCode::kInvalidArgument, "wal append: entries are not contiguous");
    }
  }
  for (const consensus::Entry& entry : entries) {
    if (entry.data.size() > kMaxPayloadBytes)
      return Status(StatusCode::kInvalidArgument, "wal append: entry larger than 1 GiB");
  }
  if (hard_state && hard_state->engine_data.size() > kMaxPayloadBytes)
    return Status(StatusCode::kInvalidArgument, "wal append: hard state larger than 1 GiB");
  std::string buffer;
  for (const consensus::Entry& entry : entries) {
    EntryId id{entry.index, entry.term};
    if (Status status = write_record(RecordType::kEntry, encode_entry(entry), buffer, &id);
        !status.ok())
      return status;
    shape_.add(id);
  }
  if (hard_state) {
    Status status = write_record(RecordType::kHardState, encode_hard_state(*hard_state), buffer);
    if (!status.ok()) return status;
    hard_state_ = *hard_state;
  }
  return flush(buffer);
}

Status Wal::append_snapshot(const consensus::SnapshotMeta& meta) {
  if (!failure_.ok()) return failure_;
  if (meta.index < shape_.snapshot_index()) {
    return Status(StatusCode::kInvalidArgument, "wal append_snapshot: index " +
                                                    std::to_string(meta.index) +
                                                    " is below the current snapshot's " +
                                                    std::to_string(shape_.snapshot_index()));
  }
  std::string buffer;
  Status status = write_record(RecordType::kSnapshotMarker, encode_snapshot_meta(meta), buffer);
  if (!status.ok()) return status;
  shape_.apply_snapshot(meta);
  return flush(buffer);
}

Status Wal::write_record(RecordType type, const std::string& payload, std::string& buffer,
                         EntryId* id) {
  std::string framed;
  frame_record(type, payload, framed);
  uint64_t position = current_->position() + buffer.size();
  if (position + framed.size() > options_.segment_bytes && position > preamble_end_) {
    if (Status status = flush(buffer); !status.ok()) return status;
    if (Status status = roll_over(); !status.ok()) return status;
  }
  if (id != nullptr) {
    id->sequence = segments_.back().sequence;
    id->offset = current_->position() + buffer.size();
    id->record_bytes = static_cast<uint32_t>(framed.size());  // payloads are at most 1 GiB
  }
  buffer += framed;
  return Status::Ok();
}

Status Wal::flush(std::string& buffer) {
  if (buffer.empty()) return Status::Ok();
  if (Status status = current_->append(buffer); !status.ok()) return fail(status);
  dirty_ = true;
  buffer.clear();
  return Status::Ok();
}

Status Wal::roll_over() {
  if (Status status = current_->sync_data(); !status.ok()) return fail(status);
  return create_segment(segments_.back().sequence + 1, shape_.last_index() + 1);
}

Status Wal::create_segment(uint64_t sequence, uint64_t first_index) {
  Segment segment{sequence, first_index,
                  join_path(directory_, segment_file_name(sequence, first_index))};
  std::unique_ptr<WritableFile> file;
  if (Status status = fs_.open_for_append(segment.path, 0, file); !status.ok()) return fail(status);
  if (options_.preallocate) {
    if (Status status = file->preallocate(options_.segment_bytes); !status.ok())
      return fail(status);
  }
  std::string preamble;
  frame_record(RecordType::kSegmentHeader,
               encode_segment_header(SegmentHeader{kWalMagic, kWalVersion, sequence, first_index}),
               preamble);
  if (shape_.snapshot())
    frame_record(RecordType::kSnapshotMarker, encode_snapshot_meta(*shape_.snapshot()), preamble);
  if (hard_state_) frame_record(RecordType::kHardState, encode_hard_state(*hard_state_), preamble);
  if (Status status = file->append(preamble); !status.ok()) return fail(status);
  if (Status status = file->sync_data(); !status.ok()) return fail(status);
  if (Status status = fs_.sync_directory(directory_); !status.ok()) return fail(status);
  current_ = std::move(file);
  preamble_end_ = preamble.size();
  segments_.push_back(std::move(segment));
  durable_snapshot_index_ = std::max(durable_snapshot_index_, shape_.snapshot_index());
  return Status::Ok();
}

Status Wal::sync() {
  if (!failure_.ok()) return failure_;
  SyncTicket ticket = begin_sync();
  Status status = ticket.file ? ticket.file->sync_data() : Status::Ok();
  end_sync(ticket, status);
  return failure_;
}

Wal::SyncTicket Wal::begin_sync() {
  SyncTicket ticket;
  ticket.snapshot_index = shape_.snapshot_index();
  if (dirty_ && failure_.ok()) ticket.file = current_;
  dirty_ = false;
  return ticket;
}

void Wal::end_sync(const SyncTicket& ticket, const Status& status) {
  if (!status.ok()) {
    fail(status);
    return;
  }
  if (failure_.ok())
    durable_snapshot_index_ = std::max(durable_snapshot_index_, ticket.snapshot_index);
}

Status Wal::read_entry(uint64_t index, consensus::Entry& entry) const {
  const auto& items = shape_.items();
  if (items.empty() || index < items.front().index || index > items.back().index) {
    return Status(StatusCode::kCompacted,
                  "wal read: entry " + std::to_string(index) + " is not in the log (snapshot index " +
                      std::to_string(shape_.snapshot_index()) + ", last index " +
                      std::to_string(shape_.last_index()) + ")");
  }
  const EntryId& id = items[index - items.front().index];
  auto segment = std::find_if(segments_.begin(), segments_.end(),
                              [&](const Segment& s) { return s.sequence == id.sequence; });
  if (segment == segments_.end()) {
    return Status(StatusCode::kCompacted, "wal read: the segment of entry " +
                                              std::to_string(index) + " is released");
  }
  std::string bytes;
  if (Status status = fs_.read_range(segment->path, id.offset, id.record_bytes, bytes);
      !status.ok())
    return status;
  const std::string where = "wal corruption in " + segment->path + " at offset " +
                            std::to_string(id.offset) + ": entry " + std::to_string(index) + " ";
  // The scan checks the framing and the checksum: exactly one valid record must come out.
  SegmentScan scan;
  if (Status status = scan_segment(segment->path, bytes, false, scan); !status.ok())
    return Status(StatusCode::kCorruption, where + "does not read back (" + status.message() + ")");
  if (scan.records.size() != 1 || scan.records.front().type != RecordType::kEntry ||
      !decode_entry(scan.records.front().payload, entry))
    return Status(StatusCode::kCorruption, where + "is not an entry record");
  if (entry.index != index || entry.term != id.term) {
    return Status(StatusCode::kCorruption, where + "reads back as index " +
                                               std::to_string(entry.index) + " term " +
                                               std::to_string(entry.term) + ", not term " +
                                               std::to_string(id.term));
  }
  return Status::Ok();
}

Status Wal::release(uint64_t snapshot_index) {
  if (!failure_.ok()) return failure_;
  if (snapshot_index > durable_snapshot_index_) {
    return Status(StatusCode::kInvalidArgument,
                  "wal release: no durable snapshot marker at index " +
                      std::to_string(snapshot_index) +
                      " (newest durable: " + std::to_string(durable_snapshot_index_) + ")");
  }
  // The newest segment that starts at or below snapshot_index + 1 holds (or is followed by
  // segments holding) every entry after the snapshot and the newest marker and hard state.
  size_t keep_from = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].first_index <= snapshot_index + 1) keep_from = i;
  }
  while (keep_from > 0) {
    if (Status status = fs_.remove(segments_.front().path); !status.ok()) return status;
    segments_.erase(segments_.begin());
    --keep_from;
    if (Status status = fs_.sync_directory(directory_); !status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace synod::storage
