// txn (etcdctl's txn_command.go): the transaction is read from stdin, then sent.
#include "ctl/command_support.h"
#include "ctl/txn_parser.h"

namespace synod::ctl {

int run_txn(const Session& session, const TxnFlags& flags, CommandIo io) {
  if (!flags.arguments.empty()) {
    return report(bad_args("txn command does not accept argument"), io.err);
  }
  Outcome<std::unique_ptr<Printer>> printer =
      prepare_printer(session, PrintedKind::kKeyValue, {}, io.out);
  if (!printer.ok()) return report(printer.error(), io.err);
  const Outcome<etcdserverpb::TxnRequest> request =
      read_txn(io.in, flags.interactive ? &io.out : nullptr);
  if (!request.ok()) return report(request.error(), io.err);
  // Connecting after the input is read: an interactive user is not racing the dial timeout.
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  const Outcome<etcdserverpb::TxnResponse> response = client.value()->txn(request.value());
  if (!response.ok()) return report(response.error(), io.err);
  printer.value()->txn(response.value());
  return 0;
}

}  // namespace synod::ctl
