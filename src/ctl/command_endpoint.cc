// endpoint status (etcdctl's ep_command.go): Maintenance.Status of each endpoint on its own
// connection. An endpoint that fails is reported on stderr and left out of the output, and the
// command then exits 1 without an "Error:" line, as etcdctl does.
#include "ctl/command_support.h"

namespace synod::ctl {

int run_endpoint_status(const Session& session, CommandIo io) {
  Outcome<std::unique_ptr<Printer>> printer =
      prepare_printer(session, PrintedKind::kEndpointStatus, {}, io.out);
  if (!printer.ok()) return report(printer.error(), io.err);
  std::vector<EndpointStatus> statuses;
  bool any_failed = false;
  for (const std::string& endpoint : session.endpoints) {
    Outcome<std::unique_ptr<EtcdClient>> client =
        EtcdClient::connect({endpoint}, timeouts_of(session));
    if (!client.ok() && client.error().exit_code == ExitCode::kBadArgs) {
      return report(client.error(), io.err);  // an endpoint synodctl cannot dial at all
    }
    Outcome<etcdserverpb::StatusResponse> status =
        client.ok() ? client.value()->status()
                    : Outcome<etcdserverpb::StatusResponse>(client.error());
    if (!status.ok()) {
      io.err << "Failed to get the status of endpoint " << endpoint << " ("
             << status.error().message << ")\n";
      any_failed = true;
      continue;
    }
    statuses.push_back({endpoint, std::move(status).value()});
  }
  printer.value()->endpoint_status(statuses);
  return any_failed ? static_cast<int>(ExitCode::kError) : 0;
}

}  // namespace synod::ctl
