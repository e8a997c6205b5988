#pragma once
// The write-ahead log: entries, hard states and snapshot markers, in segment files.
//
// Files: <directory>/wal-<sequence 16 hex>-<first index 16 hex>.log, sequences consecutive.
// "first index" is the last log index + 1 when the segment was created (entries written later
// may overwrite below it). A segment is preallocated to segment_bytes and filled with records
// from offset 0; what was never written reads as zeros.
//
// Record (all integers little-endian):
//   offset  size  field
//   0       4     length    payload length in bytes
//   4       1     type      1 segment header, 2 entry, 3 hard state, 4 snapshot marker (0 never)
//   5       8     checksum  XXH3-64 of the type byte followed by the payload
//   13      len   payload
// Payloads (varint-prefixed bytes as in core/codec.h):
//   segment header   magic u64 ("YNOD:WAL"), version u32 (1), sequence u64, first index u64
//   entry            index u64, term u64, kind u8, data bytes
//   hard state       term u64, vote u64, commit u64, engine_data bytes
//   snapshot marker  index u64, term u64, voters (varint count, u64 each), learners (same);
//                    the snapshot's data lives in a snapshot file (snapshot_file.h)
// Every segment starts with its header, then the latest snapshot marker and hard state (if
// any), so that the segments wholly below a snapshot can be deleted without losing either.
//
// Writing: append() validates and frames a batch and writes it with one positioned write per
// segment touched; sync() is one fdatasync of the current segment. Rollover, when the next
// record does not fit: fdatasync the full segment, create the next one, preallocate it, write
// and fdatasync its preamble, fsync the directory. So every segment but the last is durable
// in full, and only the last can end in a torn write.
// Release (compaction): once a snapshot marker at index S is durable, the segments before the
// newest one whose first index <= S + 1 are removed, oldest first, fsyncing the directory
// after each, so that the segments on disk always stay a consecutive run.
// After any failed write or sync the Wal refuses everything (what reached the disk is unknown;
// retrying an fdatasync may report success for lost pages): the node restarts and recovers.
//
// Recovery (open): segments are replayed in sequence order; each is scanned by the rules of
// segment_scan.h: a torn tail of the last segment is truncated (and the file's zeros restored),
// reported in WalRecovery::repairs; a bad record anywhere else is kCorruption naming the file
// and the offset, never skipped. A last segment with no valid record at all (a crash during
// rollover, before its preamble was durable) is removed and reported. A missing sequence
// number, a header that disagrees with its file name, an entry that leaves a gap, or entries
// that do not start right after the snapshot are kCorruption. Records become the log by the
// rules of log_shape.h; the last hard state wins.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/log_types.h"
#include "core/status.h"
#include "storage/file_system.h"
#include "storage/log_shape.h"
#include "storage/wal_format.h"

namespace synod::storage {

struct WalOptions {
  uint64_t segment_bytes = 64ull << 20;
  bool preallocate = true;
  bool print_repairs = true;  // also print each repair line on stderr
};

// What the log holds after recovery: the DurableState, but with the snapshot's metadata only.
struct WalRecovery {
  consensus::HardState hard_state;
  std::optional<consensus::SnapshotMeta> snapshot;
  std::vector<consensus::Entry> entries;  // start at snapshot index + 1 (or 1), contiguous
  std::vector<std::string> repairs;       // one line per truncated tail or removed segment
};

// Not thread-safe: one caller at a time (GroupCommitter serialises many threads).
class Wal {
 public:
  // Recovers the log in `directory` (created if missing) and opens it for appending.
  static Status open(FileSystem& fs, const std::string& directory, const WalOptions& options,
                     std::unique_ptr<Wal>& wal, WalRecovery& recovery);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends entries (contiguous; the first at most last_index() + 1 and after the snapshot)
  // then the hard state if given. Not durable until sync().
  Status append(const std::vector<consensus::Entry>& entries,
                const std::optional<consensus::HardState>& hard_state);
  // Records that a snapshot file at meta.index (>= the previous snapshot's) is in place.
  Status append_snapshot(const consensus::SnapshotMeta& meta);
  // Makes everything appended so far durable (one fdatasync).
  Status sync();

  // sync() in two halves for GroupCommitter: begin_sync() (under the caller's lock) says which
  // file to fdatasync, or null if nothing was appended since; the caller syncs it without the
  // lock, while others append, and reports the result to end_sync() (under the lock).
  struct SyncTicket {
    std::shared_ptr<WritableFile> file;
    uint64_t snapshot_index = 0;  // the newest snapshot marker this sync covers
  };
  SyncTicket begin_sync();
  void end_sync(const SyncTicket& ticket, const Status& status);

  // The entry at `index` read back from its record (for an engine that keeps only recent
  // payloads in memory), checked: the record's checksum, its type, its index and its term.
  // kCompacted when the entry is not in the log after the newest snapshot marker (its segment
  // may be released), kCorruption when the record does not check out, or the read's error.
  Status read_entry(uint64_t index, consensus::Entry& entry) const;

  // Removes the segments wholly below `snapshot_index`, which must not exceed the newest
  // durable snapshot marker (kInvalidArgument otherwise).
  Status release(uint64_t snapshot_index);

  // Where an entry's record lies (what read_entry reads).
  struct EntryId {
    uint64_t index = 0;
    uint64_t term = 0;
    uint64_t sequence = 0;    // of its segment
    uint64_t offset = 0;      // of the record's header in the segment
    uint32_t record_bytes = 0;  // header and payload
  };

  uint64_t last_index() const { return shape_.last_index(); }
  uint64_t snapshot_index() const { return shape_.snapshot_index(); }
  size_t segment_count() const { return segments_.size(); }
  const std::string& directory() const { return directory_; }
  // The error that stopped the Wal, or ok.
  const Status& failure() const { return failure_; }

 private:
  struct Segment {
    uint64_t sequence = 0;
    uint64_t first_index = 0;
    std::string path;
  };
  Wal(FileSystem& fs, std::string directory, WalOptions options);
  Status recover(WalRecovery& recovery);
  // Frames the record into `buffer` (rolling over first if it does not fit); `id`, when given,
  // gets the record's place.
  Status write_record(RecordType type, const std::string& payload, std::string& buffer,
                      EntryId* id = nullptr);
  Status flush(std::string& buffer);
  Status roll_over();
  Status create_segment(uint64_t sequence, uint64_t first_index);
  Status fail(Status status);

  FileSystem& fs_;
  std::string directory_;
  WalOptions options_;
  std::vector<Segment> segments_;  // Invariant: consecutive sequences; the last is current_
  std::shared_ptr<WritableFile> current_;
  uint64_t preamble_end_ = 0;  // where the current segment's preamble ends
  LogShape<EntryId> shape_;    // what replay of everything appended would rebuild
  std::optional<consensus::HardState> hard_state_;  // the newest appended
  bool dirty_ = false;                              // appended since the last begin_sync()
  uint64_t durable_snapshot_index_ = 0;
  Status failure_;
};

}  // namespace synod::storage
