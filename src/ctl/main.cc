// synodctl: etcdctl's commands and output for any etcd v3 API server, Synod's included.
// See docs/synodctl.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "core/check.h"
#include "ctl/command_concurrency.h"
#include "ctl/command_lease.h"
#include "ctl/commands.h"
#include "ctl/global_flags.h"
#include "ctl/maintenance_commands.h"
#include "ctl/watch_command.h"
#include "ctl/member_commands.h"

namespace synod::ctl {
namespace {

struct CommandLine {
  CLI::App app{"A command line client for Synod and etcd (the etcd v3 gRPC API).", "synodctl"};
  GlobalFlags global;
  PutFlags put;
  GetFlags get;
  DeleteFlags del;
  TxnFlags txn;
  CompactionFlags compaction;
  WatchFlags watch;
  MaintenanceCommands maintenance;
  CLI::App* put_command = nullptr;
  CLI::App* get_command = nullptr;
  CLI::App* del_command = nullptr;
  CLI::App* txn_command = nullptr;
  CLI::App* compaction_command = nullptr;
  CLI::App* watch_command = nullptr;
  CLI::App* endpoint_status_command = nullptr;
  LeaseFlags lease;
  LockFlags lock;
  ElectFlags elect;
  CLI::App* lock_command = nullptr;
  CLI::App* elect_command = nullptr;
  CLI::App* lease_grant_command = nullptr;
  CLI::App* lease_revoke_command = nullptr;
  CLI::App* lease_time_to_live_command = nullptr;
  CLI::App* lease_list_command = nullptr;
  CLI::App* lease_keep_alive_command = nullptr;
  MemberFlags member;
  CLI::App* member_list_command = nullptr;
  CLI::App* member_add_command = nullptr;
  CLI::App* member_remove_command = nullptr;
  CLI::App* member_update_command = nullptr;
  CLI::App* member_promote_command = nullptr;

  CommandLine() {
    add_global_flags(app, global);
    // One command per run: a later word that names a command is an argument, not a command.
    app.require_subcommand(1);
    put_command = add_command(app, "put", "Puts the given key into the store");
    add_put_flags(*put_command, put);
    get_command = add_command(app, "get", "Gets the key or a range of keys");
    add_get_flags(*get_command, get);
    del_command =
        add_command(app, "del", "Removes the specified key or range of keys [key, range_end)");
    add_delete_flags(*del_command, del);
    txn_command = add_command(app, "txn", "Txn processes all the requests in one transaction");
    txn_command->add_option("arguments", txn.arguments, "none");
    txn_command->add_flag("-i,--interactive", txn.interactive,
                          "Input transaction in interactive mode");
    compaction_command = add_command(app, "compaction", "Compacts the event history in etcd");
    compaction_command->add_option("revision", compaction.arguments, "<revision>");
    compaction_command->add_flag(
        "--physical", compaction.physical,
        "'true' to wait for compaction to physically remove all old revisions");
    watch_command = add_command(app, "watch", "Watches events stream on keys or prefixes");
    watch_command->add_option("arguments", watch.arguments, "[key or prefix] [range_end]");
    watch_command->add_flag("-i,--interactive", watch.interactive, "Interactive mode");
    watch_command->add_flag("--prefix", watch.prefix, "Watch on a prefix if prefix is set");
    watch_command->add_option("--rev", watch.revision, "Revision to start watching");
    watch_command->add_flag("--prev-kv", watch.prev_kv,
                            "get the previous key-value pair before the event happens");
    CLI::App* endpoint = add_command(app, "endpoint", "Endpoint related commands");
    endpoint->require_subcommand(1);
    endpoint_status_command = add_command(
        *endpoint, "status", "Prints out the status of endpoints specified in `--endpoints` flag");
    maintenance.add(app, *endpoint);
    add_lease_commands();
    lock_command = add_command(app, "lock", "Acquires a named lock");
    lock_command->add_option("arguments", lock.arguments, "<lockname> [exec-command arg1 arg2 ...]");
    lock_command->add_option("--ttl", lock.ttl_seconds, "timeout for session");
    elect_command = add_command(app, "elect", "Observes and participates in leader election");
    elect_command->add_option("arguments", elect.arguments, "<election-name> [proposal]");
    elect_command->add_flag("-l,--listen", elect.listen, "observation mode");
    add_member_commands();
  }

  void add_lease_commands() {
    CLI::App* lease_command = add_command(app, "lease", "Lease related commands");
    lease_command->require_subcommand(1);
    lease_grant_command = add_command(*lease_command, "grant", "Creates leases");
    lease_revoke_command = add_command(*lease_command, "revoke", "Revokes leases");
    lease_time_to_live_command = add_command(*lease_command, "timetolive", "Get lease information");
    lease_time_to_live_command->add_flag("--keys", lease.keys, "Get keys attached to this lease");
    lease_list_command = add_command(*lease_command, "list", "List all active leases");
    lease_keep_alive_command = add_command(*lease_command, "keep-alive", "Keeps leases alive (renew)");
    lease_keep_alive_command->add_flag(
        "--once", lease.once, "Resets the keep-alive time to its original value and exits immediately");
    for (CLI::App* command : {lease_grant_command, lease_revoke_command, lease_time_to_live_command,
                              lease_list_command, lease_keep_alive_command})
      command->add_option("arguments", lease.arguments, "<leaseID> or <ttl>");
  }

  void add_member_commands() {
    CLI::App* members = add_command(app, "member", "Membership related commands");
    members->require_subcommand(1);
    member_list_command = add_command(*members, "list", "Lists all members in the cluster");
    member_add_command = add_command(*members, "add", "Adds a member into the cluster");
    member_add_command->add_option("arguments", member.arguments, "<memberName>");
    member_add_command->add_option("--peer-urls", member.peer_urls,
                                   "comma separated peer URLs for the new member.");
    member_add_command->add_flag("--learner", member.learner,
                                 "indicates if the new member is raft learner");
    member_remove_command = add_command(*members, "remove", "Removes a member from the cluster");
    member_remove_command->add_option("arguments", member.arguments, "<memberID>");
    member_update_command = add_command(*members, "update", "Updates a member in the cluster");
    member_update_command->add_option("arguments", member.arguments, "<memberID>");
    member_update_command->add_option("--peer-urls", member.peer_urls,
                                      "comma separated peer URLs for the updated member.");
    member_promote_command =
        add_command(*members, "promote", "Promotes a non-voting member in the cluster");
    member_promote_command->add_option("arguments", member.arguments, "<memberID>");
  }

  static CLI::App* add_command(CLI::App& parent, const std::string& name,
                               const std::string& description) {
    CLI::App* command = parent.add_subcommand(name, description);
    command->fallthrough();  // global flags may come after the command, as with etcdctl
    return command;
  }

  // The lock name, then the command to run: what came after "--" keeps its own flags.
  std::vector<std::string> lock_command_tail;
  LockFlags lock_arguments() const {
    LockFlags flags = lock;
    flags.arguments.insert(flags.arguments.end(), lock_command_tail.begin(), lock_command_tail.end());
    return flags;
  }

  int run(CommandIo io) const {
    const Outcome<Session> session = resolve_session(global);
    if (!session.ok()) return report(session.error(), io.err);
    if (put_command->parsed()) return run_put(session.value(), put, io);
    if (get_command->parsed()) return run_get(session.value(), get, io);
    if (del_command->parsed()) return run_del(session.value(), del, io);
    if (txn_command->parsed()) return run_txn(session.value(), txn, io);
    if (compaction_command->parsed()) return run_compaction(session.value(), compaction, io);
    if (watch_command->parsed()) return run_watch(session.value(), watch, io);
    if (const int code = maintenance.run_if_parsed(session.value(), io); code >= 0) return code;
    if (lease_grant_command->parsed()) return run_lease_grant(session.value(), lease, io);
    if (lease_revoke_command->parsed()) return run_lease_revoke(session.value(), lease, io);
    if (lease_time_to_live_command->parsed()) return run_lease_time_to_live(session.value(), lease, io);
    if (lease_list_command->parsed()) return run_lease_list(session.value(), lease, io);
    if (lease_keep_alive_command->parsed()) return run_lease_keep_alive(session.value(), lease, io);
    if (lock_command->parsed()) return run_lock(session.value(), lock_arguments(), io);
    if (elect_command->parsed()) return run_elect(session.value(), elect, io);
    if (member_list_command->parsed()) return run_member_list(session.value(), io);
    if (member_add_command->parsed()) return run_member_add(session.value(), member, io);
    if (member_remove_command->parsed()) return run_member_remove(session.value(), member, io);
    if (member_update_command->parsed()) return run_member_update(session.value(), member, io);
    if (member_promote_command->parsed()) return run_member_promote(session.value(), member, io);
    SYNOD_CHECK(endpoint_status_command->parsed(), "CLI11 lets no run through without a command");
    return run_endpoint_status(session.value(), io);
  }
};

// CLI11's parse error in the words pflag and cobra use for the same mistakes.
std::string describe_parse_error(const CLI::App& app, const CLI::ParseError& error) {
  const std::vector<std::string> unparsed = app.remaining();
  if (unparsed.empty()) return error.what();
  const std::string& first = unparsed.front();
  if (first.rfind("--", 0) == 0) return "unknown flag: " + first.substr(0, first.find('='));
  if (first.size() > 1 && first[0] == '-') {
    return "unknown shorthand flag: '" + first.substr(1, 1) + "' in " + first;
  }
  if (app.get_subcommands().empty()) return "unknown command \"" + first + "\" for \"synodctl\"";
  return error.what();
}

// pflag reads `-w=json` as `-w json`; CLI11 would keep the '='.
std::vector<std::string> normalized_arguments(int argc, char** argv) {
  std::vector<std::string> arguments;
  bool after_terminator = false;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--") after_terminator = true;
    if (!after_terminator && argument.rfind("-w=", 0) == 0) argument.erase(2, 1);
    arguments.push_back(std::move(argument));
  }
  std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
  return arguments;
}

}  // namespace
}  // namespace synod::ctl

int main(int argc, char** argv) {
  synod::ctl::CommandLine command_line;
  if (argc <= 1) {
    std::cout << command_line.app.help();
    return 0;
  }
  // As pflag, everything after "--" is an argument: for `lock`, the command it runs.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--") continue;
    if (std::find(argv + 1, argv + i, std::string("lock")) != argv + i) {
      command_line.lock_command_tail.assign(argv + i + 1, argv + argc);
      argc = i;
    }
    break;
  }
  std::vector<std::string> arguments = synod::ctl::normalized_arguments(argc, argv);
  try {
    command_line.app.parse(arguments);
  } catch (const CLI::CallForHelp& help) {
    return command_line.app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::cerr << "Error: " << synod::ctl::describe_parse_error(command_line.app, error)
              << "\nRun 'synodctl --help' for usage.\n";
    return static_cast<int>(synod::ctl::ExitCode::kError);
  }
  const int exit_code = command_line.run({std::cin, std::cout, std::cerr});
  std::cout.flush();
  return exit_code;
}
