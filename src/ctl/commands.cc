// put, get, del and compaction (etcdctl's put_command.go, get_command.go, del_command.go,
// compaction_command.go).
#include "ctl/commands.h"

#include "ctl/command_support.h"
#include "ctl/go_text.h"

namespace synod::ctl {

int run_put(const Session& session, const PutFlags& flags, CommandIo io) {
  const Outcome<etcdserverpb::PutRequest> request =
      build_put_request(flags, [&] { return read_all(io.in); });
  if (!request.ok()) return report(request.error(), io.err);
  Outcome<std::unique_ptr<Printer>> printer =
      prepare_printer(session, PrintedKind::kKeyValue, {}, io.out);
  if (!printer.ok()) return report(printer.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  const Outcome<etcdserverpb::PutResponse> response = client.value()->put(request.value());
  if (!response.ok()) return report(response.error(), io.err);
  printer.value()->put(response.value());
  return 0;
}

int run_get(const Session& session, const GetFlags& flags, CommandIo io) {
  const Outcome<GetNumbers> numbers = parse_get_numbers(flags);
  if (!numbers.ok()) return report(numbers.error(), io.err);
  const Outcome<etcdserverpb::RangeRequest> request = build_range_request(flags, numbers.value());
  if (!request.ok()) return report(request.error(), io.err);
  const Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return report(format.error(), io.err);
  if (flags.print_value_only && format.value() != OutputFormat::kSimple) {
    return report(bad_args("print-value-only is only for `--write-out=simple`"), io.err);
  }
  PrinterOptions options;
  options.value_only = flags.print_value_only;
  options.count_only = flags.count_only;
  Outcome<std::unique_ptr<Printer>> printer =
      prepare_printer(session, PrintedKind::kKeyValue, options, io.out);
  if (!printer.ok()) return report(printer.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  const Outcome<etcdserverpb::RangeResponse> response = client.value()->range(request.value());
  if (!response.ok()) return report(response.error(), io.err);
  printer.value()->get(response.value());
  return 0;
}

int run_del(const Session& session, const DeleteFlags& flags, CommandIo io) {
  const Outcome<etcdserverpb::DeleteRangeRequest> request = build_delete_request(flags);
  if (!request.ok()) return report(request.error(), io.err);
  Outcome<std::unique_ptr<Printer>> printer =
      prepare_printer(session, PrintedKind::kKeyValue, {}, io.out);
  if (!printer.ok()) return report(printer.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  const Outcome<etcdserverpb::DeleteRangeResponse> response =
      client.value()->delete_range(request.value());
  if (!response.ok()) return report(response.error(), io.err);
  printer.value()->del(response.value());
  return 0;
}

int run_compaction(const Session& session, const CompactionFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1) {
    return report(bad_args("compaction command needs 1 argument"), io.err);
  }
  const Outcome<std::int64_t> revision = go::parse_int64(flags.arguments[0], 10);
  if (!revision.ok()) return report(revision.error(), io.err);
  // etcdctl checks -w here although compaction prints the same line in every format.
  const Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return report(format.error(), io.err);
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision.value());
  request.set_physical(flags.physical);
  const Outcome<etcdserverpb::CompactionResponse> response = client.value()->compact(request);
  if (!response.ok()) return report(response.error(), io.err);
  io.out << "compacted revision " << revision.value() << '\n';
  return 0;
}

}  // namespace synod::ctl
