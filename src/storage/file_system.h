#pragma once
// The file-system interface the storage layer is written against, so that the same WAL and
// snapshot code runs over the real disk (PosixFileSystem) and over a simulated one
// (MemoryFileSystem, which loses unsynced data and tears writes on crash()).
//
// Durability contract (POSIX, and what MemoryFileSystem enforces):
//   - bytes written through a WritableFile are durable only after its sync_data() returns ok;
//   - a created, renamed or removed name is durable only after sync_directory() of its parent;
//   - preallocate() and truncate() change the size; sync_data() makes the new size durable.
// Every operation returns a Status whose message names the operation, the path and the error
// text ("fdatasync /var/wal/x.log: Input/output error"). Operating-system errors use
// kUnavailable (core has no I/O code); the storage layer stops on them rather than retrying
// (after a failed fdatasync the page cache state is unknown).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace synod::storage {

// A file open for writing at a position that advances with each append (positioned writes, so
// that a WAL can write into a preallocated, zero-filled file).
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Writes all of `data` at position() and advances it; a short write is an error.
  virtual Status append(std::string_view data) = 0;
  // fdatasync: the bytes and size written so far are durable when this returns ok.
  virtual Status sync_data() = 0;
  // Reserves the file's first `size_bytes` (reading as zeros) so that later appends inside
  // them do not allocate; never shrinks the file.
  virtual Status preallocate(uint64_t size_bytes) = 0;
  virtual uint64_t position() const = 0;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens `path` for writing at `position`, creating it (empty) if it does not exist.
  virtual Status open_for_append(const std::string& path, uint64_t position,
                                 std::unique_ptr<WritableFile>& file) = 0;
  virtual Status read_file(const std::string& path, std::string& contents) = 0;
  // Reads the `length` bytes at `offset`; a file that ends before them is an error.
  virtual Status read_range(const std::string& path, uint64_t offset, uint64_t length,
                            std::string& contents) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // fsync of a directory: makes the creations, renames and removals inside it durable.
  virtual Status sync_directory(const std::string& directory) = 0;
  // The names (not paths) of the regular files in `directory`, sorted.
  virtual Status list_directory(const std::string& directory, std::vector<std::string>& names) = 0;
  virtual Status remove(const std::string& path) = 0;
  virtual Status truncate(const std::string& path, uint64_t size_bytes) = 0;
  virtual Status file_size(const std::string& path, uint64_t& size_bytes) = 0;
  virtual Status create_directories(const std::string& directory) = 0;
};

// The real file system. Thread-safe (each call is a system call on its own descriptor).
class PosixFileSystem : public FileSystem {
 public:
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
};

// "<operation> <path>: <strerror(error_number)>" as a kUnavailable status.
Status io_error(std::string_view operation, std::string_view path, int error_number);
// The part of `path` before its last '/', or "." when there is none.
std::string parent_directory(const std::string& path);
std::string join_path(const std::string& directory, const std::string& name);

}  // namespace synod::storage
