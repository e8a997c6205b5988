#include "ctl/snapshot_restore.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "kv/snapshot_blob.h"
#include "replica/member_table.h"
#include "storage/durable_storage.h"
#include "synod/options.h"

namespace synod::ctl {
namespace {

// The synod flags restore shares: parsed as synod parses them, for the same ids.
Status member_configuration(const RestoreFlags& flags, server::NodeConfig& config) {
  std::vector<std::string> arguments = {"--name", flags.name};
  auto add = [&arguments](const char* flag, const std::string& value) {
    if (value.empty()) return;
    arguments.push_back(flag);
    arguments.push_back(value);
  };
  add("--data-dir", flags.data_dir);
  add("--initial-cluster", flags.initial_cluster);
  add("--initial-cluster-token", flags.initial_cluster_token);
  add("--initial-advertise-peer-urls", flags.initial_advertise_peer_urls);
  // synod's own check wants a listen URL among the advertised ones only when none is given.
  add("--listen-peer-urls", flags.initial_advertise_peer_urls.substr(
                                0, flags.initial_advertise_peer_urls.find(',')));
  app::CommandLine command_line = app::parse_command_line(arguments);
  if (command_line.action != app::CommandLine::Action::kServe)
    return {StatusCode::kInvalidArgument, command_line.text};
  config = std::move(command_line.options.node);
  return Status::Ok();
}

// The new members' names and peer URLs, as a bootstrap gives them: without them in the snapshot
// the restored members would be listed without either and could not publish their client URLs.
replica::MemberTable initial_member_table(const server::NodeConfig& config) {
  std::vector<replica::MemberInfo> initial;
  for (const server::Member& member : config.initial_members)
    initial.push_back({member.id, member.name, member.peer_urls, {}, false});
  replica::MemberTable table;
  table.set_initial(initial);
  for (const replica::MemberInfo& member : initial) table.on_added(member.id, nullptr);
  return table;
}

}  // namespace

Status restore_snapshot(storage::FileSystem& fs, const RestoreFlags& flags) {
  std::string blob;
  Status read = fs.read_file(flags.snapshot_path, blob);
  if (!read.ok()) return {read.code(), "cannot read " + flags.snapshot_path + ": " + read.message()};
  kv::SnapshotSummary summary;
  Status opened = kv::open_snapshot_blob(blob, summary);
  if (!opened.ok())
    return {opened.code(), "snapshot file " + flags.snapshot_path + " refused: " + opened.message()};

  server::NodeConfig config;
  Status configured = member_configuration(flags, config);
  if (!configured.ok()) return configured;
  std::vector<std::string> existing;
  if (fs.list_directory(config.data_dir, existing).ok())
    return {StatusCode::kInvalidArgument, "data-dir \"" + config.data_dir + "\" exists"};

  consensus::Snapshot snapshot;
  snapshot.meta.index = 1;
  snapshot.meta.term = 1;
  for (const server::Member& member : config.initial_members)
    snapshot.meta.membership.voters.push_back(member.id);
  std::sort(snapshot.meta.membership.voters.begin(), snapshot.meta.membership.voters.end());
  snapshot.data = replica::wrap_snapshot(initial_member_table(config), summary.store_snapshot);
  consensus::HardState hard_state;
  hard_state.term = 1;
  hard_state.commit = 1;

  std::unique_ptr<storage::DurableStorage> storage;
  consensus::DurableState state;
  std::vector<std::string> repairs;
  Status written = storage::DurableStorage::open(fs, config.data_dir, {}, storage, state, repairs);
  if (written.ok()) written = storage->persist(snapshot, {}, hard_state);
  if (written.ok()) written = storage->sync();
  if (!written.ok())
    return {written.code(), "cannot write " + config.data_dir + ": " + written.message()};
  return Status::Ok();
}

}  // namespace synod::ctl
