#pragma once
// synodctl's commands. Each checks its arguments, then the output format, then talks to the
// cluster and prints, in etcdctl's order so that the same mistake gets the same message; each
// returns the process exit code, having printed "Error: ..." to `err` on failure.
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "ctl/global_flags.h"
#include "ctl/kv_requests.h"

namespace synod::ctl {

struct CommandIo {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

struct CompactionFlags {
  std::vector<std::string> arguments;  // <revision>
  bool physical = false;
};

struct TxnFlags {
  std::vector<std::string> arguments;  // none allowed
  bool interactive = false;
};

int run_put(const Session& session, const PutFlags& flags, CommandIo io);
int run_get(const Session& session, const GetFlags& flags, CommandIo io);
int run_del(const Session& session, const DeleteFlags& flags, CommandIo io);
int run_txn(const Session& session, const TxnFlags& flags, CommandIo io);
int run_compaction(const Session& session, const CompactionFlags& flags, CommandIo io);
int run_endpoint_status(const Session& session, CommandIo io);

// "Error: <message>" on `err`; returns the error's exit code.
int report(const CtlError& error, std::ostream& err);

}  // namespace synod::ctl
