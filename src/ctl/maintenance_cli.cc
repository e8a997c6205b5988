// The maintenance commands' words and flags, as etcdctl 3.4 names them.
#include "ctl/maintenance_commands.h"

namespace synod::ctl {
namespace {

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description,
                      std::vector<std::string>& arguments) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->fallthrough();  // global flags may come after the command, as with etcdctl
  command->add_option("arguments", arguments, "arguments");
  return command;
}

}  // namespace

void MaintenanceCommands::add(CLI::App& app, CLI::App& endpoint) {
  hashkv_ = add_command(endpoint, "hashkv",
                        "Prints the KV history hash for each endpoint in --endpoints", arguments_);
  hashkv_->add_option("--rev", hash_revision_, "maximum revision to hash (default: all revisions)");
  defrag_ = add_command(app, "defrag", "Defragments the storage of the etcd members", arguments_);
  move_leader_ = add_command(app, "move-leader", "Transfers leadership to another etcd cluster member.",
                             arguments_);
  CLI::App* alarm = app.add_subcommand("alarm", "Alarm related commands");
  alarm->fallthrough();
  alarm->require_subcommand(1);
  alarm_list_ = add_command(*alarm, "list", "Lists all alarms", arguments_);
  alarm_disarm_ = add_command(*alarm, "disarm", "Disarms all alarms", arguments_);
  CLI::App* snapshot = app.add_subcommand("snapshot", "Manages etcd node snapshots");
  snapshot->fallthrough();
  snapshot->require_subcommand(1);
  snapshot_save_ = add_command(*snapshot, "save", "Stores an etcd node backend snapshot to a given file",
                               arguments_);
  snapshot_status_ = add_command(*snapshot, "status", "Gets backend snapshot status of a given file",
                                 arguments_);
  snapshot_restore_ = add_command(
      *snapshot, "restore", "Restores an etcd member snapshot to an etcd directory", arguments_);
  snapshot_restore_->add_option("--data-dir", restore_.data_dir, "Path to the data directory");
  snapshot_restore_->add_option("--initial-cluster", restore_.initial_cluster,
                                "Initial cluster configuration for restore bootstrap");
  snapshot_restore_->add_option("--initial-cluster-token", restore_.initial_cluster_token,
                                "Initial cluster token for the cluster during restore bootstrap");
  snapshot_restore_->add_option("--initial-advertise-peer-urls",
                                restore_.initial_advertise_peer_urls,
                                "List of this member's peer URLs to advertise to the rest of the cluster");
  snapshot_restore_->add_option("--name", restore_.name, "Human-readable name for this member");
}

int MaintenanceCommands::run_if_parsed(const Session& session, CommandIo io) const {
  if (hashkv_->parsed()) {
    if (!arguments_.empty())
      return report(bad_args("endpoint hashkv takes no arguments"), io.err);
    return run_endpoint_hashkv(session, hash_revision_, io);
  }
  if (defrag_->parsed()) return run_defrag(session, io);
  if (move_leader_->parsed()) return run_move_leader(session, arguments_, io);
  if (alarm_list_->parsed()) {
    if (!arguments_.empty())
      return report(bad_args("alarm list command accepts no arguments"), io.err);
    return run_alarm_list(session, io);
  }
  if (alarm_disarm_->parsed()) {
    if (!arguments_.empty())
      return report(bad_args("alarm disarm command accepts no arguments"), io.err);
    return run_alarm_disarm(session, io);
  }
  if (snapshot_save_->parsed()) return run_snapshot_save(session, arguments_, io);
  if (snapshot_status_->parsed()) return run_snapshot_status(session, arguments_, io);
  if (snapshot_restore_->parsed()) return run_snapshot_restore(arguments_, restore_, io);
  return -1;
}

}  // namespace synod::ctl
