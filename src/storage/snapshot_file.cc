#include "storage/snapshot_file.h"

#include <xxhash.h>

#include <algorithm>

#include "core/codec.h"
#include "storage/wal_format.h"

namespace synod::storage {
namespace {

constexpr uint64_t kSnapshotMagic = 0x504e533a444f4e59;  // "YNOD:SNP" little-endian
constexpr uint32_t kSnapshotVersion = 1;
constexpr std::string_view kTemporarySuffix = ".tmp";

Status corrupt(const std::string& path, const std::string& what) {
  return Status(StatusCode::kCorruption, "snapshot corruption in " + path + ": " + what);
}

}  // namespace

std::string snapshot_file_name(uint64_t term, uint64_t index) {
  return "snap-" + hex16(term) + "-" + hex16(index) + ".snap";
}

bool parse_snapshot_file_name(std::string_view name, uint64_t& term, uint64_t& index) {
  // snap- (5) + 16 + '-' + 16 + ".snap" (5) = 43
  if (name.size() != 43 || name.substr(0, 5) != "snap-" || name[21] != '-' ||
      name.substr(38) != ".snap")
    return false;
  return parse_hex16(name.substr(5, 16), term) && parse_hex16(name.substr(22, 16), index);
}

std::string encode_snapshot_file(const consensus::Snapshot& snapshot) {
  std::string meta = encode_snapshot_meta(snapshot.meta);
  ByteWriter writer;
  writer.u64(kSnapshotMagic);
  writer.u32(kSnapshotVersion);
  writer.u32(static_cast<uint32_t>(meta.size()));
  std::string out = writer.take();
  out += meta;
  ByteWriter length;
  length.u64(snapshot.data.size());
  out += length.data();
  out += snapshot.data;
  ByteWriter checksum;
  checksum.u64(XXH3_64bits(out.data(), out.size()));
  out += checksum.data();
  return out;
}

Status decode_snapshot_file(const std::string& path, std::string_view bytes,
                            consensus::Snapshot& snapshot) {
  if (bytes.size() < 8 + 4 + 4 + 8 + 8) return corrupt(path, "too short");
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  uint64_t stored_checksum = 0;
  ByteReader(bytes.substr(body.size())).u64(stored_checksum);
  if (XXH3_64bits(body.data(), body.size()) != stored_checksum)
    return corrupt(path, "checksum mismatch");
  ByteReader reader(body);
  uint64_t magic = 0, data_length = 0;
  uint32_t version = 0, meta_length = 0;
  reader.u64(magic);
  reader.u32(version);
  reader.u32(meta_length);
  if (magic != kSnapshotMagic) return corrupt(path, "bad magic");
  if (version != kSnapshotVersion)
    return corrupt(path, "unsupported version " + std::to_string(version));
  if (meta_length > reader.remaining()) return corrupt(path, "meta length runs past the end");
  std::string_view rest = body.substr(16);
  if (!decode_snapshot_meta(rest.substr(0, meta_length), snapshot.meta))
    return corrupt(path, "undecodable meta");
  ByteReader tail(rest.substr(meta_length));
  if (!tail.u64(data_length) || data_length != tail.remaining())
    return corrupt(path, "data length disagrees with the file size");
  snapshot.data.assign(rest.substr(meta_length + 8));
  return Status::Ok();
}

Status SnapshotStore::open() {
  if (Status status = fs_.create_directories(directory_); !status.ok()) return status;
  std::vector<std::string> names;
  if (Status status = fs_.list_directory(directory_, names); !status.ok()) return status;
  for (const std::string& name : names) {
    if (name.starts_with("snap-") && name.ends_with(kTemporarySuffix)) {
      if (Status status = fs_.remove(join_path(directory_, name)); !status.ok()) return status;
    }
  }
  return Status::Ok();
}

Status SnapshotStore::save(const consensus::Snapshot& snapshot) {
  std::string name = snapshot_file_name(snapshot.meta.term, snapshot.meta.index);
  std::string path = join_path(directory_, name);
  std::string temporary = path + std::string(kTemporarySuffix);
  std::unique_ptr<WritableFile> file;
  fs_.remove(temporary);  // a leftover of a failed save, if any; usually absent
  if (Status status = fs_.open_for_append(temporary, 0, file); !status.ok()) return status;
  if (Status status = file->append(encode_snapshot_file(snapshot)); !status.ok()) return status;
  if (Status status = file->sync_data(); !status.ok()) return status;
  file.reset();
  if (Status status = fs_.rename(temporary, path); !status.ok()) return status;
  return fs_.sync_directory(directory_);
}

Status SnapshotStore::list(std::vector<SnapshotFileId>& files) {
  files.clear();
  std::vector<std::string> names;
  if (Status status = fs_.list_directory(directory_, names); !status.ok()) return status;
  for (const std::string& name : names) {
    SnapshotFileId id;
    if (!parse_snapshot_file_name(name, id.term, id.index)) continue;
    id.path = join_path(directory_, name);
    files.push_back(std::move(id));
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.index != b.index ? a.index < b.index : a.term < b.term;
  });
  return Status::Ok();
}

Status SnapshotStore::remove_older_than(uint64_t durable_index) {
  std::vector<SnapshotFileId> files;
  if (Status status = list(files); !status.ok()) return status;
  std::vector<const SnapshotFileId*> older;
  for (const SnapshotFileId& file : files) {
    if (file.index < durable_index) older.push_back(&file);
  }
  if (older.size() + 1 <= keep_count_) return Status::Ok();
  for (size_t i = 0; i + keep_count_ < older.size() + 1; ++i) {
    if (Status status = fs_.remove(older[i]->path); !status.ok()) return status;
  }
  return fs_.sync_directory(directory_);
}

Status SnapshotStore::load_path(const std::string& path, uint64_t term, uint64_t index,
                                consensus::Snapshot& snapshot) {
  std::string bytes;
  if (Status status = fs_.read_file(path, bytes); !status.ok()) return status;
  if (Status status = decode_snapshot_file(path, bytes, snapshot); !status.ok()) return status;
  if (snapshot.meta.term != term || snapshot.meta.index != index)
    return corrupt(path, "the meta disagrees with the file name");
  return Status::Ok();
}

Status SnapshotStore::load_newest(std::optional<consensus::Snapshot>& snapshot) {
  snapshot.reset();
  std::vector<SnapshotFileId> files;
  if (Status status = list(files); !status.ok()) return status;
  if (files.empty()) return Status::Ok();
  const SnapshotFileId& newest = files.back();
  consensus::Snapshot loaded;
  if (Status status = load_path(newest.path, newest.term, newest.index, loaded); !status.ok())
    return status;
  snapshot = std::move(loaded);
  return Status::Ok();
}

Status SnapshotStore::load(uint64_t term, uint64_t index, consensus::Snapshot& snapshot) {
  return load_path(join_path(directory_, snapshot_file_name(term, index)), term, index, snapshot);
}

}  // namespace synod::storage
