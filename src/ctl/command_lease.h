#pragma once
// synodctl lease grant | revoke | timetolive [--keys] | list | keep-alive [--once]: etcdctl 3.4's
// lease commands (etcdctl/ctlv3/command/lease_command.go), argument checks, messages and exit
// codes included, printed by etcdctl's simple, json, fields and protobuf printers (lease_printer.h);
// `-w table` is refused ("table not supported as output format", exit 4).
#include <string>
#include <vector>

#include "ctl/commands.h"

namespace synod::ctl {

struct LeaseFlags {
  std::vector<std::string> arguments;
  bool keys = false;  // timetolive --keys
  bool once = false;  // keep-alive --once
};

int run_lease_grant(const Session& session, const LeaseFlags& flags, CommandIo io);
int run_lease_revoke(const Session& session, const LeaseFlags& flags, CommandIo io);
int run_lease_time_to_live(const Session& session, const LeaseFlags& flags, CommandIo io);
int run_lease_list(const Session& session, const LeaseFlags& flags, CommandIo io);
int run_lease_keep_alive(const Session& session, const LeaseFlags& flags, CommandIo io);

// Go's fmt "%016x" of an int64: zero-padded hex, a '-' counting in the width.
std::string lease_id_hex(int64_t id);

}  // namespace synod::ctl
