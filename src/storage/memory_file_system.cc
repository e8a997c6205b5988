#include "storage/memory_file_system.h"

#include <algorithm>
#include <cerrno>

#include "core/check.h"

namespace synod::storage {

// One unsynced change to a file, replayed in order onto its durable contents.
struct PendingOperation {
  enum class Kind : uint8_t { kWrite, kResize, kGrow };  // kGrow: preallocate, never shrinks
  Kind kind = Kind::kWrite;
  uint64_t offset = 0;  // kWrite
  std::string data;     // kWrite
  uint64_t size = 0;    // kResize, kGrow
};

struct MemoryFileSystem::Inode {
  std::string durable;
  std::string current;  // durable with `pending` applied
  std::vector<PendingOperation> pending;
};

namespace {

void apply_operation(std::string& contents, const PendingOperation& operation) {
  switch (operation.kind) {
    case PendingOperation::Kind::kWrite: {
      uint64_t end = operation.offset + operation.data.size();
      if (contents.size() < end) contents.resize(end, '\0');
      contents.replace(operation.offset, operation.data.size(), operation.data);
      break;
    }
    case PendingOperation::Kind::kResize:
      contents.resize(operation.size, '\0');
      break;
    case PendingOperation::Kind::kGrow:
      if (contents.size() < operation.size) contents.resize(operation.size, '\0');
      break;
  }
}

void record(MemoryFileSystem::Inode& inode, PendingOperation operation) {
  apply_operation(inode.current, operation);
  inode.pending.push_back(std::move(operation));
}

// What survives of an inode's unsynced operations: a random byte budget spent in order.
void tear(MemoryFileSystem::Inode& inode, Random& random) {
  uint64_t pending_bytes = 0;
  for (const auto& operation : inode.pending) pending_bytes += operation.data.size();
  uint64_t budget = random.uniform(pending_bytes + 1);
  bool metadata_survives = random.chance(1, 2);
  for (auto& operation : inode.pending) {
    if (operation.kind != PendingOperation::Kind::kWrite) {
      if (budget == 0 && !metadata_survives) break;
      apply_operation(inode.durable, operation);
      continue;
    }
    if (operation.data.size() > budget) {
      operation.data.resize(budget);
      apply_operation(inode.durable, operation);
      break;
    }
    budget -= operation.data.size();
    apply_operation(inode.durable, operation);
  }
}

std::string name_in(const std::string& directory, const std::string& path) {
  if (parent_directory(path) != directory) return {};
  return path.substr(path.rfind('/') + 1);
}

}  // namespace

class MemoryWritableFile : public WritableFile {
 public:
  MemoryWritableFile(MemoryFileSystem* fs, std::shared_ptr<MemoryFileSystem::Inode> inode,
                     std::string path, uint64_t position, uint64_t epoch)
      : fs_(fs),
        inode_(std::move(inode)),
        path_(std::move(path)),
        position_(position),
        epoch_(epoch) {}

  Status append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status status = usable_locked("write"); !status.ok()) return status;
    if (Status status = fs_->spend_locked("write", path_); !status.ok()) return status;
    if (fs_->write_error_ != 0) return io_error("write", path_, fs_->write_error_);
    uint64_t old_size = inode_->current.size();
    uint64_t new_size = std::max(old_size, position_ + data.size());
    if (Status status = fs_->check_space_locked(path_, old_size, new_size); !status.ok())
      return status;
    PendingOperation operation;
    operation.offset = position_;
    operation.data.assign(data);
    record(*inode_, std::move(operation));
    position_ += data.size();
    return Status::Ok();
  }

  Status sync_data() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status status = usable_locked("fdatasync"); !status.ok()) return status;
    if (Status status = fs_->spend_locked("fdatasync", path_); !status.ok()) return status;
    if (fs_->sync_error_ != 0) return io_error("fdatasync", path_, fs_->sync_error_);
    inode_->durable = inode_->current;
    inode_->pending.clear();
    return Status::Ok();
  }

  Status preallocate(uint64_t size_bytes) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (Status status = usable_locked("fallocate"); !status.ok()) return status;
    if (Status status = fs_->spend_locked("fallocate", path_); !status.ok()) return status;
    if (fs_->write_error_ != 0) return io_error("fallocate", path_, fs_->write_error_);
    uint64_t old_size = inode_->current.size();
    if (size_bytes <= old_size) return Status::Ok();
    if (Status status = fs_->check_space_locked(path_, old_size, size_bytes); !status.ok())
      return status;
    PendingOperation operation;
    operation.kind = PendingOperation::Kind::kGrow;
    operation.size = size_bytes;
    record(*inode_, std::move(operation));
    return Status::Ok();
  }

  uint64_t position() const override { return position_; }
  const std::string& path() const override { return path_; }

 private:
  Status usable_locked(std::string_view operation) const {
    if (epoch_ != fs_->epoch_) return io_error(operation, path_, EBADF);  // opened before a crash
    return Status::Ok();
  }

  MemoryFileSystem* fs_;
  std::shared_ptr<MemoryFileSystem::Inode> inode_;
  std::string path_;
  uint64_t position_;
  uint64_t epoch_;
};

MemoryFileSystem::MemoryFileSystem() = default;
MemoryFileSystem::~MemoryFileSystem() = default;

std::shared_ptr<MemoryFileSystem::Inode> MemoryFileSystem::find_locked(
    const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

uint64_t MemoryFileSystem::total_bytes_locked() const {
  uint64_t total = 0;
  for (const auto& [path, inode] : files_) total += inode->current.size();
  return total;
}

Status MemoryFileSystem::check_space_locked(const std::string& path, uint64_t old_size,
                                            uint64_t new_size) const {
  if (!capacity_bytes_ || new_size <= old_size) return Status::Ok();
  if (total_bytes_locked() + (new_size - old_size) > *capacity_bytes_)
    return io_error("write", path, ENOSPC);
  return Status::Ok();
}

Status MemoryFileSystem::open_for_append(const std::string& path, uint64_t position,
                                         std::unique_ptr<WritableFile>& file) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!directories_.count(parent_directory(path))) return io_error("open", path, ENOENT);
  if (Status status = spend_locked("open", path); !status.ok()) return status;
  std::shared_ptr<Inode> inode = find_locked(path);
  if (!inode) {
    inode = std::make_shared<Inode>();
    files_[path] = inode;
  }
  file = std::make_unique<MemoryWritableFile>(this, inode, path, position, epoch_);
  return Status::Ok();
}

Status MemoryFileSystem::read_file(const std::string& path, std::string& contents) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  if (!inode) return io_error("open", path, ENOENT);
  contents = inode->current;
  return Status::Ok();
}

Status MemoryFileSystem::read_range(const std::string& path, uint64_t offset, uint64_t length,
                                    std::string& contents) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  if (!inode) return io_error("open", path, ENOENT);
  if (offset > inode->current.size() || length > inode->current.size() - offset)
    return io_error("read", path, EIO);
  contents = inode->current.substr(offset, length);
  return Status::Ok();
}

Status MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(from);
  if (!inode) return io_error("rename", from + " -> " + to, ENOENT);
  if (Status status = spend_locked("rename", from); !status.ok()) return status;
  if (!directories_.count(parent_directory(to)))
    return io_error("rename", from + " -> " + to, ENOENT);
  files_.erase(from);
  files_[to] = inode;
  return Status::Ok();
}

Status MemoryFileSystem::sync_directory(const std::string& directory) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!directories_.count(directory)) return io_error("open", directory, ENOENT);
  if (sync_error_ != 0) return io_error("fsync", directory, sync_error_);
  if (Status status = spend_locked("fsync", directory); !status.ok()) return status;
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    it = parent_directory(it->first) == directory ? durable_files_.erase(it) : std::next(it);
  }
  for (const auto& [path, inode] : files_) {
    if (parent_directory(path) == directory) durable_files_[path] = inode;
  }
  return Status::Ok();
}

Status MemoryFileSystem::list_directory(const std::string& directory,
                                        std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(mutex_);
  names.clear();
  if (!directories_.count(directory)) return io_error("opendir", directory, ENOENT);
  for (const auto& [path, inode] : files_) {
    std::string name = name_in(directory, path);
    if (!name.empty()) names.push_back(std::move(name));
  }
  return Status::Ok();  // map order: already sorted
}

Status MemoryFileSystem::remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!find_locked(path)) return io_error("unlink", path, ENOENT);
  if (Status status = spend_locked("unlink", path); !status.ok()) return status;
  files_.erase(path);
  return Status::Ok();
}

Status MemoryFileSystem::truncate(const std::string& path, uint64_t size_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  if (!inode) return io_error("truncate", path, ENOENT);
  if (Status status = spend_locked("truncate", path); !status.ok()) return status;
  if (Status status = check_space_locked(path, inode->current.size(), size_bytes); !status.ok())
    return status;
  PendingOperation operation;
  operation.kind = PendingOperation::Kind::kResize;
  operation.size = size_bytes;
  record(*inode, std::move(operation));
  return Status::Ok();
}

Status MemoryFileSystem::file_size(const std::string& path, uint64_t& size_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  if (!inode) return io_error("stat", path, ENOENT);
  size_bytes = inode->current.size();
  return Status::Ok();
}

Status MemoryFileSystem::create_directories(const std::string& directory) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string path = directory;
  while (!path.empty() && path != "." && path != "/") {
    directories_.insert(path);
    std::string parent = parent_directory(path);
    if (parent == path) break;
    path = parent;
  }
  return Status::Ok();
}

void MemoryFileSystem::crash(Random& random, bool tear_writes) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++epoch_;
  // Every inode ever reachable: current names, durable names (removed-but-not-synced files come
  // back). Visit in path order so that a seed replays.
  std::map<Inode*, bool> seen;
  auto settle = [&](const std::shared_ptr<Inode>& inode) {
    if (seen[inode.get()]) return;
    seen[inode.get()] = true;
    if (tear_writes) tear(*inode, random);
    inode->current = inode->durable;
    inode->pending.clear();
  };
  for (const auto& [path, inode] : durable_files_) settle(inode);
  for (const auto& [path, inode] : files_) settle(inode);
  files_ = durable_files_;
}

Status MemoryFileSystem::spend_locked(std::string_view operation, const std::string& path) {
  if (!operations_before_power_cut_) return Status::Ok();
  if (*operations_before_power_cut_ == 0) return io_error(operation, path + " (power cut)", EIO);
  --*operations_before_power_cut_;
  return Status::Ok();
}

void MemoryFileSystem::set_power_cut_after(std::optional<uint64_t> count) {
  std::lock_guard<std::mutex> lock(mutex_);
  operations_before_power_cut_ = count;
}

bool MemoryFileSystem::power_cut() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return operations_before_power_cut_ && *operations_before_power_cut_ == 0;
}

void MemoryFileSystem::set_capacity_bytes(std::optional<uint64_t> capacity_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  capacity_bytes_ = capacity_bytes;
}

void MemoryFileSystem::set_write_error(int error_number) {
  std::lock_guard<std::mutex> lock(mutex_);
  write_error_ = error_number;
}

void MemoryFileSystem::set_sync_error(int error_number) {
  std::lock_guard<std::mutex> lock(mutex_);
  sync_error_ = error_number;
}

bool MemoryFileSystem::exists(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return find_locked(path) != nullptr;
}

std::string MemoryFileSystem::contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  return inode ? inode->current : std::string();
}

std::string MemoryFileSystem::durable_contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  return inode ? inode->durable : std::string();
}

void MemoryFileSystem::set_contents(const std::string& path, const std::string& contents) {
  std::lock_guard<std::mutex> lock(mutex_);
  directories_.insert(parent_directory(path));
  auto inode = std::make_shared<Inode>();
  inode->durable = contents;
  inode->current = contents;
  files_[path] = inode;
  durable_files_[path] = inode;
}

void MemoryFileSystem::flip_bit(const std::string& path, uint64_t offset, uint8_t mask) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  SYNOD_CHECK(inode && offset < inode->current.size(), "flip_bit outside the file");
  SYNOD_CHECK(inode->pending.empty(), "flip_bit on a file with unsynced data");
  inode->durable[offset] = static_cast<char>(inode->durable[offset] ^ mask);
  inode->current = inode->durable;
}

uint64_t MemoryFileSystem::unsynced_bytes(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Inode> inode = find_locked(path);
  uint64_t bytes = 0;
  if (inode) {
    for (const auto& operation : inode->pending) bytes += operation.data.size();
  }
  return bytes;
}

}  // namespace synod::storage
