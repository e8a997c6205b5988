#pragma once
// Steps every command shares: choosing the printer and connecting.
#include <memory>

#include "ctl/commands.h"
#include "ctl/etcd_client.h"
#include "ctl/printer.h"

namespace synod::ctl {

// The printer for `-w`, refused up front if the format cannot print `kind`.
Outcome<std::unique_ptr<Printer>> prepare_printer(const Session& session, PrintedKind kind,
                                                  PrinterOptions options, std::ostream& out);

ClientTimeouts timeouts_of(const Session& session);

// All of `in`, for `put <key>` without a value.
std::string read_all(std::istream& in);

}  // namespace synod::ctl
