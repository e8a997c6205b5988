// Choosing a printer, and the endpoint-status columns the simple and table printers share
// (etcdctl's makeEndpointStatusTable).
#include "ctl/printer.h"

#include "core/check.h"
#include "ctl/go_text.h"

namespace synod::ctl {

Outcome<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "simple") return OutputFormat::kSimple;
  if (text == "json") return OutputFormat::kJson;
  if (text == "fields") return OutputFormat::kFields;
  if (text == "protobuf") return OutputFormat::kProtobuf;
  if (text == "table") return OutputFormat::kTable;
  return bad_feature("unsupported output format");
}

std::string_view output_format_name(OutputFormat format) {
  switch (format) {
    case OutputFormat::kSimple: return "simple";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kFields: return "fields";
    case OutputFormat::kProtobuf: return "protobuf";
    case OutputFormat::kTable: return "table";
  }
  SYNOD_CHECK(false, "unknown output format");
  return {};
}

MaybeError check_format_supports(OutputFormat format, PrintedKind kind) {
  const bool supported = (format != OutputFormat::kTable || kind == PrintedKind::kEndpointStatus) &&
                         (format != OutputFormat::kProtobuf || kind == PrintedKind::kKeyValue);
  if (supported) return std::nullopt;
  return bad_feature(std::string(output_format_name(format)) + " not supported as output format");
}

std::unique_ptr<Printer> make_printer(OutputFormat format, const PrinterOptions& options,
                                      std::ostream& out) {
  switch (format) {
    case OutputFormat::kSimple: return make_simple_printer(options, out);
    case OutputFormat::kJson: return make_json_printer(out);
    case OutputFormat::kFields: return make_fields_printer(out);
    case OutputFormat::kProtobuf: return make_protobuf_printer(out);
    case OutputFormat::kTable: return make_table_printer(out);
  }
  SYNOD_CHECK(false, "unknown output format");
  return nullptr;
}

std::vector<std::string> endpoint_status_header() {
  return {"endpoint",           "ID",         "version",   "db size",
          "is leader",          "is learner", "raft term", "raft index",
          "raft applied index", "errors"};
}

std::vector<std::string> endpoint_status_row(const EndpointStatus& row) {
  const etcdserverpb::StatusResponse& status = row.status;
  std::string errors;
  for (int i = 0; i < status.errors_size(); ++i) {
    if (i > 0) errors += ", ";
    errors += status.errors(i);
  }
  // db size goes through uint64 as etcdctl's humanize.Bytes(uint64(DbSize)) does.
  return {row.endpoint,
          go::lower_hex(status.header().member_id()),
          status.version(),
          go::humanize_bytes(static_cast<std::uint64_t>(status.dbsize())),
          status.leader() == status.header().member_id() ? "true" : "false",
          status.islearner() ? "true" : "false",
          std::to_string(status.raftterm()),
          std::to_string(status.raftindex()),
          std::to_string(status.raftappliedindex()),
          errors};
}

}  // namespace synod::ctl
