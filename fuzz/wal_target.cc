// Fuzz target "wal": WAL record decoding and recovery over a file-system image in memory.
//
// Input: u8 segment count (1..3) | for each segment but the last: u16 length, that many bytes |
// the last segment (the rest). Each image is scanned and its records decoded on their own, then
// all are laid out as wal-*.log files in a MemoryFileSystem (named from their own header when it
// decodes, so that recovery gets past the name check) and Wal::open recovers them.
// Invariants: the scan stays inside the image and only the last segment may be torn; every
// decoded payload re-encodes to bytes that decode to the same value; a recovered log is
// contiguous after its snapshot, accepts the next entry, and recovers again to the same log plus
// that entry.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "storage/memory_file_system.h"
#include "storage/segment_scan.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

namespace synod::fuzz {
namespace {

using consensus::Entry;
using consensus::HardState;
using consensus::SnapshotMeta;
using storage::RecordType;

constexpr const char* kWalDirectory = "data/wal";

void check_record_round_trip(const storage::ScannedRecord& record) {
  switch (record.type) {
    case RecordType::kSegmentHeader: {
      storage::SegmentHeader header, again;
      if (!storage::decode_segment_header(record.payload, header)) return;
      FUZZ_CHECK(storage::decode_segment_header(storage::encode_segment_header(header), again));
      FUZZ_CHECK(again.magic == header.magic && again.version == header.version &&
                 again.sequence == header.sequence && again.first_index == header.first_index);
      return;
    }
    case RecordType::kEntry: {
      Entry entry, again;
      if (!storage::decode_entry(record.payload, entry)) return;
      FUZZ_CHECK(storage::decode_entry(storage::encode_entry(entry), again) && again == entry);
      return;
    }
    case RecordType::kHardState: {
      HardState state, again;
      if (!storage::decode_hard_state(record.payload, state)) return;
      FUZZ_CHECK(storage::decode_hard_state(storage::encode_hard_state(state), again) &&
                 again == state);
      return;
    }
    case RecordType::kSnapshotMarker: {
      SnapshotMeta meta, again;
      if (!storage::decode_snapshot_meta(record.payload, meta)) return;
      FUZZ_CHECK(storage::decode_snapshot_meta(storage::encode_snapshot_meta(meta), again) &&
                 again == meta);
      return;
    }
  }
}

// Scans one image; returns the segment header it starts with, when it has one.
std::optional<storage::SegmentHeader> scan_image(const std::string& image, bool is_last) {
  storage::SegmentScan scan;
  Status status = storage::scan_segment("image", image, is_last, scan);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == StatusCode::kCorruption);
    return std::nullopt;
  }
  FUZZ_CHECK(scan.end_offset <= image.size());
  FUZZ_CHECK(scan.end_offset + scan.torn_bytes <= image.size());
  FUZZ_CHECK(is_last || scan.torn_bytes == 0);
  uint64_t next_offset = 0;
  for (const storage::ScannedRecord& record : scan.records) {
    FUZZ_CHECK(record.offset == next_offset);
    next_offset = record.offset + storage::kRecordHeaderBytes + record.payload.size();
    FUZZ_CHECK(next_offset <= scan.end_offset);
    check_record_round_trip(record);
  }
  FUZZ_CHECK(next_offset == scan.end_offset);
  storage::SegmentHeader header;
  if (!scan.records.empty() && scan.records[0].type == RecordType::kSegmentHeader &&
      storage::decode_segment_header(scan.records[0].payload, header))
    return header;
  return std::nullopt;
}

storage::WalOptions small_wal_options() {
  storage::WalOptions options;
  options.segment_bytes = 64 * 1024;
  options.preallocate = false;  // recovery must not allocate the default 64 MiB per input
  options.print_repairs = false;
  return options;
}

void check_recovered(const storage::WalRecovery& recovery) {
  uint64_t expected = recovery.snapshot ? recovery.snapshot->index + 1 : 1;
  for (const Entry& entry : recovery.entries) FUZZ_CHECK(entry.index == expected++);
}

// A recovered log must take the next entry and recover again to itself plus that entry.
void check_append_after_recovery(storage::MemoryFileSystem& fs, std::unique_ptr<storage::Wal> wal,
                                 const storage::WalRecovery& recovery) {
  Entry next;
  next.index = wal->last_index() + 1;
  next.term = 1;
  if (recovery.snapshot) next.term = std::max(next.term, recovery.snapshot->term);
  if (!recovery.entries.empty()) next.term = std::max(next.term, recovery.entries.back().term);
  next.data = "fuzz";
  if (!wal->append({next}, std::nullopt).ok() || !wal->sync().ok()) return;  // e.g. a full segment
  wal.reset();
  std::unique_ptr<storage::Wal> reopened;
  storage::WalRecovery again;
  Status status = storage::Wal::open(fs, kWalDirectory, small_wal_options(), reopened, again);
  FUZZ_CHECK(status.ok());
  FUZZ_CHECK(again.hard_state == recovery.hard_state);
  FUZZ_CHECK(again.snapshot == recovery.snapshot);
  std::vector<Entry> expected = recovery.entries;
  expected.push_back(next);
  FUZZ_CHECK(again.entries == expected);
}

}  // namespace
}  // namespace synod::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace synod;
  using namespace synod::fuzz;
  FuzzInput input(std::string_view(reinterpret_cast<const char*>(data), size));
  size_t count = 1 + input.u8() % 3;
  std::vector<std::string> images;
  for (size_t i = 0; i + 1 < count; ++i) images.push_back(input.take(input.u16()));
  images.push_back(input.rest());

  storage::MemoryFileSystem fs;
  for (size_t i = 0; i < images.size(); ++i) {
    std::optional<storage::SegmentHeader> header = scan_image(images[i], i + 1 == images.size());
    uint64_t sequence = header ? header->sequence : i;
    uint64_t first_index = header ? header->first_index : 1;
    fs.set_contents(storage::join_path(kWalDirectory,
                                       storage::segment_file_name(sequence, first_index)),
                    images[i]);
  }
  std::unique_ptr<storage::Wal> wal;
  storage::WalRecovery recovery;
  Status status = storage::Wal::open(fs, kWalDirectory, small_wal_options(), wal, recovery);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == StatusCode::kCorruption ||
               status.code() == StatusCode::kInvalidArgument);
    return 0;
  }
  check_recovered(recovery);
  check_append_after_recovery(fs, std::move(wal), recovery);
  return 0;
}

namespace synod::fuzz {

namespace {

std::string segment_image(uint64_t sequence, uint64_t first_index, const std::vector<Entry>& entries,
                          const std::optional<HardState>& hard_state,
                          const std::optional<SnapshotMeta>& marker, size_t zero_tail) {
  std::string image;
  storage::SegmentHeader header;
  header.sequence = sequence;
  header.first_index = first_index;
  storage::frame_record(RecordType::kSegmentHeader, storage::encode_segment_header(header), image);
  if (marker)
    storage::frame_record(RecordType::kSnapshotMarker, storage::encode_snapshot_meta(*marker), image);
  for (const Entry& entry : entries)
    storage::frame_record(RecordType::kEntry, storage::encode_entry(entry), image);
  if (hard_state)
    storage::frame_record(RecordType::kHardState, storage::encode_hard_state(*hard_state), image);
  image.append(zero_tail, '\0');
  return image;
}

Entry entry(uint64_t index, uint64_t term, std::string data) {
  Entry e;
  e.index = index;
  e.term = term;
  e.data = std::move(data);
  return e;
}

// count byte, then u16 lengths for all but the last image.
std::string input_of(const std::vector<std::string>& images) {
  std::string bytes(1, static_cast<char>(images.size() - 1));
  for (size_t i = 0; i + 1 < images.size(); ++i) {
    bytes.push_back(static_cast<char>(images[i].size() & 0xff));
    bytes.push_back(static_cast<char>(images[i].size() >> 8));
    bytes += images[i];
  }
  return bytes + images.back();
}

}  // namespace

std::vector<SeedInput> seed_inputs() {
  HardState hard_state{.term = 2, .vote = 1, .commit = 3, .engine_data = ""};
  SnapshotMeta marker{.index = 4, .term = 2, .membership = {.voters = {1, 2, 3}, .learners = {4}}};
  std::vector<Entry> first = {entry(1, 1, ""), entry(2, 1, "put a"), entry(3, 2, "put b")};
  std::vector<Entry> second = {entry(4, 2, "x"), entry(5, 2, std::string(40, 'v'))};
  std::vector<Entry> after_snapshot = {entry(5, 2, "after"), entry(6, 3, "more")};
  std::string torn = segment_image(0, 1, first, hard_state, std::nullopt, 0);
  torn.resize(torn.size() - 5);
  torn.append(32, '\0');
  return {
      {"empty-segment", input_of({segment_image(0, 1, {}, std::nullopt, std::nullopt, 64)})},
      {"entries-and-hard-state", input_of({segment_image(0, 1, first, hard_state, std::nullopt, 64)})},
      {"two-segments", input_of({segment_image(0, 1, first, hard_state, std::nullopt, 0),
                                 segment_image(1, 4, second, hard_state, std::nullopt, 32)})},
      {"snapshot-marker", input_of({segment_image(3, 5, after_snapshot, hard_state, marker, 16)})},
      {"overwritten-suffix",
       input_of({segment_image(0, 1, first, std::nullopt, std::nullopt, 0),
                 segment_image(1, 4, {entry(3, 3, "new"), entry(4, 3, "")}, hard_state,
                               std::nullopt, 0)})},
      {"torn-tail", input_of({torn})},
      {"three-segments",
       input_of({segment_image(0, 1, {entry(1, 1, "a")}, std::nullopt, std::nullopt, 0),
                 segment_image(1, 2, {entry(2, 1, "b")}, std::nullopt, std::nullopt, 0),
                 segment_image(2, 3, {entry(3, 1, "c")}, hard_state, std::nullopt, 8)})},
  };
}

}  // namespace synod::fuzz
