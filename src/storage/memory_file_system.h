#pragma once
// An in-memory FileSystem that models what a power failure does to a real disk, for tests and
// (later) the simulator.
//
// Model:
//   - A file (inode) keeps its durable contents and the list of operations applied since its
//     last sync_data() (writes, truncations, preallocations): the unsynced part. Reads see
//     both. sync_data() folds the unsynced part into the durable contents.
//   - Names live in two tables: the current one and the durable one. Creating, renaming and
//     removing change the current table; sync_directory(d) copies d's current entries into the
//     durable table. Directories themselves are always durable.
//   - crash(random, tear) drops every unsynced operation and reverts the names to the durable
//     table. With `tear`, a random prefix of each file's unsynced operations survives instead,
//     cut at byte granularity inside a write: the disk wrote part of it before power went out.
//     Durable data is never lost or altered. Handles opened before a crash fail afterwards.
//   - Fault injection: a capacity in bytes (writes and preallocations that would grow the total
//     size of the files past it fail with ENOSPC, writing nothing), sticky write / sync errors
//     (any errno) until cleared, and a power cut after N more mutating operations (every later
//     one fails with EIO, as if the process had died there; follow with crash()).
// Thread-safe: one mutex around everything.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/random.h"
#include "storage/file_system.h"

namespace synod::storage {

class MemoryFileSystem : public FileSystem {
 public:
  MemoryFileSystem();
  ~MemoryFileSystem() override;

  Status open_for_append(const std::string& path, uint64_t position,
                         std::unique_ptr<WritableFile>& file) override;
  Status read_file(const std::string& path, std::string& contents) override;
  Status read_range(const std::string& path, uint64_t offset, uint64_t length,
                    std::string& contents) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status sync_directory(const std::string& directory) override;
  Status list_directory(const std::string& directory, std::vector<std::string>& names) override;
  Status remove(const std::string& path) override;
  Status truncate(const std::string& path, uint64_t size_bytes) override;
  Status file_size(const std::string& path, uint64_t& size_bytes) override;
  Status create_directories(const std::string& directory) override;

  // Power failure: see the class comment.
  void crash(Random& random, bool tear);

  // Fault injection.
  void set_capacity_bytes(std::optional<uint64_t> capacity_bytes);
  void set_write_error(int error_number);  // 0 clears; fails append() and preallocate()
  void set_sync_error(int error_number);   // 0 clears; fails sync_data() and sync_directory()
  // After `count` more mutating operations (open, append, sync, preallocate, rename, remove,
  // truncate, directory sync) every one fails; nullopt clears.
  void set_power_cut_after(std::optional<uint64_t> count);
  bool power_cut() const;

  // Test helpers, all bypassing durability (the result is at once durable).
  bool exists(const std::string& path) const;
  // The current contents (durable plus unsynced); empty if the file does not exist.
  std::string contents(const std::string& path) const;
  // The contents a crash without tearing would leave (durable part only).
  std::string durable_contents(const std::string& path) const;
  void set_contents(const std::string& path, const std::string& contents);
  void flip_bit(const std::string& path, uint64_t offset, uint8_t mask);
  uint64_t unsynced_bytes(const std::string& path) const;

  struct Inode;

 private:
  friend class MemoryWritableFile;
  using Table = std::map<std::string, std::shared_ptr<Inode>>;

  std::shared_ptr<Inode> find_locked(const std::string& path) const;
  uint64_t total_bytes_locked() const;
  Status check_space_locked(const std::string& path, uint64_t old_size, uint64_t new_size) const;
  // Counts one mutating operation against the power-cut budget.
  Status spend_locked(std::string_view operation, const std::string& path);

  mutable std::mutex mutex_;
  Table files_;          // current names
  Table durable_files_;  // names as they would be after a crash
  std::set<std::string> directories_;
  uint64_t epoch_ = 0;  // bumped by crash(); older handles fail
  std::optional<uint64_t> capacity_bytes_;
  int write_error_ = 0;
  int sync_error_ = 0;
  std::optional<uint64_t> operations_before_power_cut_;
};

}  // namespace synod::storage
