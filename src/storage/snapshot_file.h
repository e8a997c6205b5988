#pragma once
// Snapshot files: the state machine's captured bytes with the metadata the engine needs.
//
// Files: <directory>/snap-<term 16 hex>-<index 16 hex>.snap. Layout (little-endian):
//   offset     size  field
//   0          8     magic        "YNOD:SNP"
//   8          4     version      1
//   12         4     meta length  M
//   16         M     meta         SnapshotMeta as in the WAL's snapshot marker
//   16+M       8     data length  D
//   24+M       D     data
//   24+M+D     8     checksum     XXH3-64 of every byte before it
// Writing is atomic: <name>.tmp is written, fdatasynced, renamed over <name>, and the directory
// fsynced; only then is the snapshot marker appended to the WAL (so a marker never names a file
// that a crash could lose). After a save, files beyond the newest keep_count are removed.
// Loading checks the size, checksum, magic, version and that the meta matches the file name; any
// failure is kCorruption naming the file. A corrupt newest snapshot is refused, never skipped for
// an older one: the log entries that the older one would need have been released.
// Leftover .tmp files (a crash during a save) are removed by open().
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/log_types.h"
#include "storage/file_system.h"

namespace synod::storage {

struct SnapshotFileId {
  uint64_t term = 0;
  uint64_t index = 0;
  std::string path;
};

class SnapshotStore {
 public:
  SnapshotStore(FileSystem& fs, std::string directory, size_t keep_count = 2)
      : fs_(fs), directory_(std::move(directory)), keep_count_(keep_count) {}

  // Creates the directory and removes leftover temporary files.
  Status open();
  // Writes the file atomically; removes nothing (see remove_older_than).
  Status save(const consensus::Snapshot& snapshot);
  // Once the WAL's marker for `durable_index` is durable: keeps that file and the keep_count - 1
  // newest below it, removes older ones. Files above it (saved, marker not yet durable) stay.
  Status remove_older_than(uint64_t durable_index);
  // The newest file by (index, term); nullopt when there is none.
  Status load_newest(std::optional<consensus::Snapshot>& snapshot);
  Status load(uint64_t term, uint64_t index, consensus::Snapshot& snapshot);
  // The snapshot files, oldest first.
  Status list(std::vector<SnapshotFileId>& files);

 private:
  Status load_path(const std::string& path, uint64_t term, uint64_t index,
                   consensus::Snapshot& snapshot);

  FileSystem& fs_;
  std::string directory_;
  size_t keep_count_;
};

std::string snapshot_file_name(uint64_t term, uint64_t index);
bool parse_snapshot_file_name(std::string_view name, uint64_t& term, uint64_t& index);
std::string encode_snapshot_file(const consensus::Snapshot& snapshot);
// `path` only names the file in the error message.
Status decode_snapshot_file(const std::string& path, std::string_view bytes,
                            consensus::Snapshot& snapshot);

}  // namespace synod::storage
