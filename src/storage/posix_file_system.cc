#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/file_system.h"

namespace synod::storage {

Status io_error(std::string_view operation, std::string_view path, int error_number) {
  std::string message(operation);
  message += ' ';
  message += path;
  message += ": ";
  message += std::strerror(error_number);
  return Status(StatusCode::kUnavailable, std::move(message));
}

std::string parent_directory(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& directory, const std::string& name) {
  if (directory.empty()) return name;
  if (directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

namespace {

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t position)
      : path_(std::move(path)), fd_(fd), position_(position) {}
  ~PosixWritableFile() override { ::close(fd_); }

  Status append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t written = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(position_));
      if (written < 0) {
        if (errno == EINTR) continue;
        return io_error("write", path_, errno);
      }
      if (written == 0) return io_error("write", path_, EIO);
      position_ += static_cast<uint64_t>(written);
      data.remove_prefix(static_cast<size_t>(written));
    }
    return Status::Ok();
  }

  Status sync_data() override {
    if (::fdatasync(fd_) != 0) return io_error("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status preallocate(uint64_t size_bytes) override {
    int error = ::posix_fallocate(fd_, 0, static_cast<off_t>(size_bytes));
    if (error != 0) return io_error("fallocate", path_, error);
    return Status::Ok();
  }

  uint64_t position() const override { return position_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t position_;
};

}  // namespace

Status PosixFileSystem::open_for_append(const std::string& path, uint64_t position,
                                        std::unique_ptr<WritableFile>& file) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("open", path, errno);
  file = std::make_unique<PosixWritableFile>(path, fd, position);
  return Status::Ok();
}

namespace {

// Fills all of `contents` from `fd` at `offset`; a file that ends first is EIO.
Status pread_fully(int fd, const std::string& path, uint64_t offset, std::string& contents) {
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t got = ::pread(fd, contents.data() + done, contents.size() - done,
                          static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return io_error("read", path, got < 0 ? errno : EIO);
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

}  // namespace

Status PosixFileSystem::read_file(const std::string& path, std::string& contents) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return io_error("stat", path, error);
  }
  contents.assign(static_cast<size_t>(info.st_size), '\0');
  Status status = pread_fully(fd, path, 0, contents);
  ::close(fd);
  return status;
}

Status PosixFileSystem::read_range(const std::string& path, uint64_t offset, uint64_t length,
                                   std::string& contents) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  contents.assign(static_cast<size_t>(length), '\0');
  Status status = pread_fully(fd, path, offset, contents);
  ::close(fd);
  return status;
}

Status PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error("rename", from + " -> " + to, errno);
  return Status::Ok();
}

Status PosixFileSystem::sync_directory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open", directory, errno);
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) return io_error("fsync", directory, error);
  return Status::Ok();
}

Status PosixFileSystem::list_directory(const std::string& directory,
                                       std::vector<std::string>& names) {
  names.clear();
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return io_error("opendir", directory, errno);
  while (true) {
    errno = 0;
    struct dirent* item = ::readdir(dir);
    if (item == nullptr) break;
    std::string name = item->d_name;
    if (name == "." || name == "..") continue;
    struct stat info;
    if (::stat(join_path(directory, name).c_str(), &info) == 0 && S_ISREG(info.st_mode))
      names.push_back(std::move(name));
  }
  int error = errno;
  ::closedir(dir);
  if (error != 0) return io_error("readdir", directory, error);
  std::sort(names.begin(), names.end());
  return Status::Ok();
}

Status PosixFileSystem::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return io_error("unlink", path, errno);
  return Status::Ok();
}

Status PosixFileSystem::truncate(const std::string& path, uint64_t size_bytes) {
  if (::truncate(path.c_str(), static_cast<off_t>(size_bytes)) != 0)
    return io_error("truncate", path, errno);
  return Status::Ok();
}

Status PosixFileSystem::file_size(const std::string& path, uint64_t& size_bytes) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return io_error("stat", path, errno);
  size_bytes = static_cast<uint64_t>(info.st_size);
  return Status::Ok();
}

Status PosixFileSystem::create_directories(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return io_error("mkdir", directory, error.value());
  return Status::Ok();
}

}  // namespace synod::storage
