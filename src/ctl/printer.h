#pragma once
// How synodctl prints responses: one Printer per `--write-out` format, each reproducing
// etcdctl 3.4's printer of that name (etcdctl/ctlv3/command/printer_*.go) byte for byte.
//
//   simple    human text (printer_simple.go)
//   json      the response struct through Go's encoding/json (printer_json.go, go_json.h)
//   fields    "Name" : value lines (printer_fields.go)
//   protobuf  the response's wire bytes (printer_protobuf.go)
//   table     endpoint status only (printer_table.go)
//
// A format that etcdctl cannot print for a command fails with etcdctl's message
// ("table not supported as output format", exit 4); synodctl checks that before it sends
// anything, where etcdctl finds out only after the request has been applied.
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/ctl_error.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace synod::ctl {

enum class OutputFormat { kSimple, kJson, kFields, kProtobuf, kTable };

// What a command prints, to check a format supports it before doing anything.
enum class PrintedKind { kKeyValue, kEndpointStatus };

// `-w` text to a format; etcdctl's "unsupported output format" (exit 4) otherwise.
Outcome<OutputFormat> parse_output_format(std::string_view text);
std::string_view output_format_name(OutputFormat format);
MaybeError check_format_supports(OutputFormat format, PrintedKind kind);

// One row of `endpoint status`: the endpoint as the user wrote it and its answer.
struct EndpointStatus {
  std::string endpoint;
  etcdserverpb::StatusResponse status;
};

struct PrinterOptions {
  bool hex = false;         // simple: keys and values as \xNN bytes
  bool value_only = false;  // simple: get prints values only
  bool count_only = false;  // simple: get prints the count (synodctl's addition)
};

class Printer {
 public:
  virtual ~Printer() = default;
  virtual void put(const etcdserverpb::PutResponse& response) = 0;
  virtual void get(const etcdserverpb::RangeResponse& response) = 0;
  virtual void del(const etcdserverpb::DeleteRangeResponse& response) = 0;
  virtual void txn(const etcdserverpb::TxnResponse& response) = 0;
  virtual void endpoint_status(const std::vector<EndpointStatus>& statuses) = 0;
};

std::unique_ptr<Printer> make_printer(OutputFormat format, const PrinterOptions& options,
                                      std::ostream& out);

std::unique_ptr<Printer> make_simple_printer(const PrinterOptions& options, std::ostream& out);
std::unique_ptr<Printer> make_json_printer(std::ostream& out);
std::unique_ptr<Printer> make_fields_printer(std::ostream& out);
std::unique_ptr<Printer> make_protobuf_printer(std::ostream& out);
std::unique_ptr<Printer> make_table_printer(std::ostream& out);

// The columns etcdctl shows for endpoint status (simple and table):
// endpoint, ID, version, db size, is leader, is learner, raft term, raft index,
// raft applied index, errors.
std::vector<std::string> endpoint_status_header();
std::vector<std::string> endpoint_status_row(const EndpointStatus& status);

}  // namespace synod::ctl
