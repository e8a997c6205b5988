#pragma once
// synodctl's maintenance commands, as etcdctl 3.4 runs and prints them (simple output, and table
// where etcdctl has one): endpoint hashkv, defrag, move-leader, alarm list|disarm and
// snapshot save|status|restore. See docs/maintenance.md.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "ctl/commands.h"
#include "ctl/printer.h"
#include "ctl/snapshot_restore.h"

namespace synod::ctl {

class MaintenanceCommands {
 public:
  // Registers the commands under `app` (and its existing `endpoint` command).
  void add(CLI::App& app, CLI::App& endpoint);
  // The exit code when one of them was parsed; -1 otherwise.
  int run_if_parsed(const Session& session, CommandIo io) const;

 private:
  std::vector<std::string> arguments_;
  int64_t hash_revision_ = 0;
  RestoreFlags restore_;
  CLI::App* hashkv_ = nullptr;
  CLI::App* defrag_ = nullptr;
  CLI::App* move_leader_ = nullptr;
  CLI::App* alarm_list_ = nullptr;
  CLI::App* alarm_disarm_ = nullptr;
  CLI::App* snapshot_save_ = nullptr;
  CLI::App* snapshot_status_ = nullptr;
  CLI::App* snapshot_restore_ = nullptr;
};

int run_endpoint_hashkv(const Session& session, int64_t revision, CommandIo io);
int run_defrag(const Session& session, CommandIo io);
int run_move_leader(const Session& session, const std::vector<std::string>& arguments,
                    CommandIo io);
int run_alarm_list(const Session& session, CommandIo io);
int run_alarm_disarm(const Session& session, CommandIo io);
int run_snapshot_save(const Session& session, const std::vector<std::string>& arguments,
                      CommandIo io);
int run_snapshot_status(const Session& session, const std::vector<std::string>& arguments,
                        CommandIo io);
int run_snapshot_restore(const std::vector<std::string>& arguments, RestoreFlags flags,
                         CommandIo io);

// -w for these commands: simple and json (and table when `has_table`); etcdctl's message for a
// table it cannot print; fields and protobuf are not implemented here yet (exit 4).
Outcome<OutputFormat> maintenance_output_format(const Session& session, bool has_table);

// go-humanize's Bytes, as etcdctl prints sizes: "512 B", "2.1 kB", "21 MB".
std::string humanize_bytes(uint64_t bytes);
// An alarm as etcdctl prints it (%+v of the gogoproto message): "memberID:12 alarm:NOSPACE ".
std::string alarm_text(const etcdserverpb::AlarmMember& alarm);

}  // namespace synod::ctl
