#pragma once
// Helpers shared by the storage tests: entries, a counting FileSystem wrapper, temp directories.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consensus/log_types.h"
#include "storage/file_system.h"
#include "storage/wal.h"

namespace synod::storage::testing {

inline consensus::Entry make_entry(uint64_t index, uint64_t term, std::string data = {}) {
  consensus::Entry entry;
  entry.index = index;
  entry.term = term;
  entry.data = data.empty() ? "entry-" + std::to_string(index) + "-term-" + std::to_string(term)
                            : std::move(data);
  return entry;
}

inline std::vector<consensus::Entry> make_entries(uint64_t first, uint64_t last, uint64_t term,
                                                  size_t data_bytes = 0) {
  std::vector<consensus::Entry> entries;
  for (uint64_t index = first; index <= last; ++index) {
    std::string data;
    if (data_bytes > 0) {
      data.assign(data_bytes, static_cast<char>('a' + index % 26));
      data += "#" + std::to_string(index);
    }
    entries.push_back(make_entry(index, term, std::move(data)));
  }
  return entries;
}

inline consensus::HardState make_hard_state(uint64_t term, uint64_t vote, uint64_t commit) {
  consensus::HardState hard_state;
  hard_state.term = term;
  hard_state.vote = vote;
  hard_state.commit = commit;
  hard_state.engine_data = "engine-" + std::to_string(term);
  return hard_state;
}

inline WalOptions small_wal_options(uint64_t segment_bytes = 4096) {
  WalOptions options;
  options.segment_bytes = segment_bytes;
  options.print_repairs = false;
  return options;
}

// The WAL segment files in `directory`, oldest first, as paths.
inline std::vector<std::string> segment_paths(FileSystem& fs, const std::string& directory) {
  std::vector<std::string> names, paths;
  fs.list_directory(directory, names);
  for (const std::string& name : names) {
    if (name.rfind("wal-", 0) == 0) paths.push_back(join_path(directory, name));
  }
  return paths;
}

// Counts fdatasyncs (and optionally makes each take `sync_delay`, like a real disk).
class CountingFileSystem : public FileSystem {
 public:
  explicit CountingFileSystem(FileSystem& base,
                              std::chrono::microseconds sync_delay = std::chrono::microseconds(0))
      : base_(base), sync_delay_(sync_delay) {}

  uint64_t sync_count() const { return syncs_.load(); }
  uint64_t append_count() const { return appends_.load(); }

  Status open_for_append(const std::string& path, uint64_t position,
                         std::unique_ptr<WritableFile>& file) override {
    std::unique_ptr<WritableFile> inner;
    Status status = base_.open_for_append(path, position, inner);
    if (status.ok()) file = std::make_unique<File>(*this, std::move(inner));
    return status;
  }
  Status read_file(const std::string& path, std::string& contents) override {
    return base_.read_file(path, contents);
  }
  Status read_range(const std::string& path, uint64_t offset, uint64_t length,
                    std::string& contents) override {
    return base_.read_range(path, offset, length, contents);
  }
  Status rename(const std::string& from, const std::string& to) override {
    return base_.rename(from, to);
  }
  Status sync_directory(const std::string& directory) override {
    return base_.sync_directory(directory);
  }
  Status list_directory(const std::string& directory, std::vector<std::string>& names) override {
    return base_.list_directory(directory, names);
  }
  Status remove(const std::string& path) override { return base_.remove(path); }
  Status truncate(const std::string& path, uint64_t size_bytes) override {
    return base_.truncate(path, size_bytes);
  }
  Status file_size(const std::string& path, uint64_t& size_bytes) override {
    return base_.file_size(path, size_bytes);
  }
  Status create_directories(const std::string& directory) override {
    return base_.create_directories(directory);
  }

 private:
  class File : public WritableFile {
   public:
    File(CountingFileSystem& owner, std::unique_ptr<WritableFile> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    Status append(std::string_view data) override {
      ++owner_.appends_;
      return inner_->append(data);
    }
    Status sync_data() override {
      ++owner_.syncs_;
      if (owner_.sync_delay_.count() > 0) std::this_thread::sleep_for(owner_.sync_delay_);
      return inner_->sync_data();
    }
    Status preallocate(uint64_t size_bytes) override { return inner_->preallocate(size_bytes); }
    uint64_t position() const override { return inner_->position(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    CountingFileSystem& owner_;
    std::unique_ptr<WritableFile> inner_;
  };

  FileSystem& base_;
  std::chrono::microseconds sync_delay_;
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> appends_{0};
};

// A fresh directory under $TMPDIR (or /tmp), removed at the end of the test.
class TempDirectory {
 public:
  TempDirectory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/synod-storage-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    char* made = ::mkdtemp(buffer.data());
    path_ = made ? made : "";
  }
  ~TempDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_real_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_real_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

}  // namespace synod::storage::testing
