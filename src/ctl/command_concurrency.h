#pragma once
// synodctl lock | elect: etcdctl 3.4's lock and elect commands (etcdctl/ctlv3/command/
// lock_command.go, elect_command.go) over etcd's v3lock and v3election services, with etcdctl's
// argument checks, messages, exit codes and simple output (the key, then the value).
//   lock <name>             grants a lease (--ttl, 10 s as etcdctl), keeps it alive, locks, prints
//                           the key and holds until SIGINT/SIGTERM, then unlocks;
//   lock <name> cmd args... runs the command with ETCD_LOCK_KEY / ETCD_LOCK_REV once locked and
//                           unlocks when it exits ("exit status N" when it fails);
//   elect <name> <proposal> campaigns with a 60 s lease, prints the leader key and value, holds
//                           until interrupted, then resigns;
//   elect -l <name>         prints each leader the election gets until interrupted.
// A lease that cannot be kept alive ends holding with "session expired" (elect: "elect: session
// expired"), as etcdctl's session does.
#include <string>
#include <vector>

#include "ctl/commands.h"

namespace synod::ctl {

struct LockFlags {
  std::vector<std::string> arguments;  // <lockname> [exec-command arg1 arg2 ...]
  int ttl_seconds = 10;
};

struct ElectFlags {
  std::vector<std::string> arguments;  // <election-name> [proposal]
  bool listen = false;
};

int run_lock(const Session& session, const LockFlags& flags, CommandIo io);
int run_elect(const Session& session, const ElectFlags& flags, CommandIo io);

}  // namespace synod::ctl
