// `-w table`: etcdctl's tablePrinter, which prints only endpoint (and member) tables.
#include <ostream>

#include "core/check.h"
#include "ctl/printer.h"
#include "ctl/table_writer.h"

namespace synod::ctl {
namespace {

class TablePrinter final : public Printer {
 public:
  explicit TablePrinter(std::ostream& out) : out_(out) {}

  void put(const etcdserverpb::PutResponse&) override { unsupported(); }
  void get(const etcdserverpb::RangeResponse&) override { unsupported(); }
  void del(const etcdserverpb::DeleteRangeResponse&) override { unsupported(); }
  void txn(const etcdserverpb::TxnResponse&) override { unsupported(); }

  void endpoint_status(const std::vector<EndpointStatus>& statuses) override {
    TableWriter table(endpoint_status_header());
    for (const EndpointStatus& status : statuses) table.append_row(endpoint_status_row(status));
    out_ << table.render();
  }

 private:
  static void unsupported() {
    SYNOD_CHECK(false, "check_format_supports rejects table for key-value responses");
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_table_printer(std::ostream& out) {
  return std::make_unique<TablePrinter>(out);
}

}  // namespace synod::ctl
