// `-w simple`: etcdctl's simplePrinter. Keys and values are printed raw, one per line.
#include <ostream>

#include "ctl/go_text.h"
#include "ctl/printer.h"

namespace synod::ctl {
namespace {

class SimplePrinter final : public Printer {
 public:
  SimplePrinter(const PrinterOptions& options, std::ostream& out) : options_(options), out_(out) {}

  void put(const etcdserverpb::PutResponse& response) override {
    out_ << "OK\n";
    if (response.has_prev_kv()) print_key_value(response.prev_kv());
  }

  void get(const etcdserverpb::RangeResponse& response) override {
    if (options_.count_only) {
      out_ << response.count() << '\n';
      return;
    }
    for (const mvccpb::KeyValue& kv : response.kvs()) print_key_value(kv);
  }

  void del(const etcdserverpb::DeleteRangeResponse& response) override {
    out_ << response.deleted() << '\n';
    for (const mvccpb::KeyValue& kv : response.prev_kvs()) print_key_value(kv);
  }

  void txn(const etcdserverpb::TxnResponse& response) override {
    out_ << (response.succeeded() ? "SUCCESS\n" : "FAILURE\n");
    for (const etcdserverpb::ResponseOp& op : response.responses()) {
      out_ << '\n';
      switch (op.response_case()) {
        case etcdserverpb::ResponseOp::kResponseRange: get(op.response_range()); break;
        case etcdserverpb::ResponseOp::kResponsePut: put(op.response_put()); break;
        case etcdserverpb::ResponseOp::kResponseDeleteRange: del(op.response_delete_range()); break;
        default: out_ << "unexpected response " << op.ShortDebugString() << '\n'; break;
      }
    }
  }

  void endpoint_status(const std::vector<EndpointStatus>& statuses) override {
    for (const EndpointStatus& status : statuses) {
      const std::vector<std::string> row = endpoint_status_row(status);
      for (std::size_t i = 0; i < row.size(); ++i) out_ << (i > 0 ? ", " : "") << row[i];
      out_ << '\n';
    }
  }

 private:
  void print_key_value(const mvccpb::KeyValue& kv) {
    if (!options_.value_only) out_ << (options_.hex ? go::hex_escaped(kv.key()) : kv.key()) << '\n';
    out_ << (options_.hex ? go::hex_escaped(kv.value()) : kv.value()) << '\n';
  }

  PrinterOptions options_;
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_simple_printer(const PrinterOptions& options, std::ostream& out) {
  return std::make_unique<SimplePrinter>(options, out);
}

}  // namespace synod::ctl
