// snapshot save|status|restore (etcdctl's snapshot_command.go and clientv3/snapshot).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ctl/command_support.h"
#include "ctl/maintenance_commands.h"
#include "ctl/table_writer.h"
#include "kv/snapshot_blob.h"
#include "storage/file_system.h"

namespace synod::ctl {
namespace {

// Written to "<path>.part", fsynced, then renamed, as clientv3's Save does.
MaybeError write_file(const std::string& path, const std::string& contents) {
  storage::PosixFileSystem fs;
  const std::string part = path + ".part";
  std::unique_ptr<storage::WritableFile> file;
  Status status = fs.open_for_append(part, 0, file);
  if (status.ok()) status = file->append(contents);
  if (status.ok()) status = file->sync_data();
  file.reset();
  if (status.ok()) status = fs.rename(part, path);
  if (!status.ok()) return CtlError{ExitCode::kInterrupted, status.message()};
  return std::nullopt;
}

}  // namespace

int run_snapshot_save(const Session& session, const std::vector<std::string>& arguments,
                      CommandIo io) {
  if (arguments.size() != 1) return report(bad_args("snapshot save expects one argument"), io.err);
  if (session.endpoints.size() != 1) {
    std::string list = "[";
    for (size_t i = 0; i < session.endpoints.size(); ++i)
      list += (i ? " " : "") + session.endpoints[i];
    return report({ExitCode::kInterrupted,
                   "snapshot must be requested to one selected node, not multiple " + list + "]"},
                  io.err);
  }
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report({ExitCode::kInterrupted, client.error().message}, io.err);
  Outcome<std::string> blob = client.value()->snapshot();
  if (!blob.ok()) return report({ExitCode::kInterrupted, blob.error().message}, io.err);
  if (MaybeError written = write_file(arguments[0], blob.value())) return report(*written, io.err);
  io.out << "Snapshot saved at " << arguments[0] << '\n';
  return 0;
}

int run_snapshot_status(const Session& session, const std::vector<std::string>& arguments,
                        CommandIo io) {
  if (arguments.size() != 1)
    return report(bad_args("snapshot status requires exactly one argument"), io.err);
  const Outcome<OutputFormat> format = maintenance_output_format(session, true);
  if (!format.ok()) return report(format.error(), io.err);
  // etcdctl stats the file first, with Go's text for a missing one.
  std::error_code missing;
  if (!std::filesystem::exists(arguments[0], missing))
    return report(general_error("stat " + arguments[0] + ": no such file or directory"), io.err);
  storage::PosixFileSystem fs;
  std::string blob;
  Status read = fs.read_file(arguments[0], blob);
  if (!read.ok()) return report(general_error(read.message()), io.err);
  kv::SnapshotSummary summary;
  Status opened = kv::open_snapshot_blob(blob, summary);
  if (!opened.ok())
    return report(general_error("snapshot file " + arguments[0] + " refused: " + opened.message()),
                  io.err);
  char hash[9];
  std::snprintf(hash, sizeof hash, "%x", summary.hash);
  const std::vector<std::string> row = {hash, std::to_string(summary.revision),
                                        std::to_string(summary.total_keys),
                                        humanize_bytes(static_cast<uint64_t>(summary.total_size))};
  if (format.value() == OutputFormat::kJson) {  // snapshot.Status's json tags
    io.out << "{\"hash\":" << summary.hash << ",\"revision\":" << summary.revision
           << ",\"totalKey\":" << summary.total_keys << ",\"totalSize\":" << summary.total_size
           << "}\n";
  } else if (format.value() == OutputFormat::kTable) {
    TableWriter table({"hash", "revision", "total keys", "total size"});
    table.append_row(row);
    io.out << table.render();
  } else {
    io.out << row[0] << ", " << row[1] << ", " << row[2] << ", " << row[3] << '\n';
  }
  return 0;
}

int run_snapshot_restore(const std::vector<std::string>& arguments, RestoreFlags flags,
                         CommandIo io) {
  if (arguments.size() != 1)
    return report(bad_args("snapshot restore requires exactly one argument"), io.err);
  flags.snapshot_path = arguments[0];
  storage::PosixFileSystem fs;
  Status restored = restore_snapshot(fs, flags);
  if (!restored.ok()) return report(general_error(restored.message()), io.err);
  return 0;
}

}  // namespace synod::ctl
