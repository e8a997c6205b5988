// `-w fields`: etcdctl's fieldsPrinter, one `"Name" : value` line per field, strings in Go's %q.
#include <ostream>

#include "ctl/go_text.h"
#include "ctl/printer.h"

namespace synod::ctl {
namespace {

class FieldsPrinter final : public Printer {
 public:
  explicit FieldsPrinter(std::ostream& out) : out_(out) {}

  void put(const etcdserverpb::PutResponse& response) override {
    header(response.header());
    if (response.has_prev_kv()) key_value("Prev", response.prev_kv());
  }

  void get(const etcdserverpb::RangeResponse& response) override {
    header(response.header());
    for (const mvccpb::KeyValue& kv : response.kvs()) key_value("", kv);
    out_ << "\"More\" : " << boolean(response.more()) << '\n';
    out_ << "\"Count\" : " << response.count() << '\n';
  }

  void del(const etcdserverpb::DeleteRangeResponse& response) override {
    header(response.header());
    out_ << "\"Deleted\" : " << response.deleted() << '\n';
    for (const mvccpb::KeyValue& kv : response.prev_kvs()) key_value("Prev", kv);
  }

  void txn(const etcdserverpb::TxnResponse& response) override {
    header(response.header());
    out_ << "\"Succeeded\" : " << boolean(response.succeeded()) << '\n';
    for (const etcdserverpb::ResponseOp& op : response.responses()) {
      switch (op.response_case()) {
        case etcdserverpb::ResponseOp::kResponseDeleteRange: del(op.response_delete_range()); break;
        case etcdserverpb::ResponseOp::kResponsePut: put(op.response_put()); break;
        case etcdserverpb::ResponseOp::kResponseRange: get(op.response_range()); break;
        default: out_ << "\"Unknown\" : " << go::quote(op.ShortDebugString()) << '\n'; break;
      }
    }
  }

  void endpoint_status(const std::vector<EndpointStatus>& statuses) override {
    for (const EndpointStatus& row : statuses) {
      const etcdserverpb::StatusResponse& status = row.status;
      header(status.header());
      out_ << "\"Version\" : " << go::quote(status.version()) << '\n';
      out_ << "\"DBSize\" : " << status.dbsize() << '\n';
      out_ << "\"Leader\" : " << status.leader() << '\n';
      out_ << "\"IsLearner\" : " << boolean(status.islearner()) << '\n';
      out_ << "\"RaftIndex\" : " << status.raftindex() << '\n';
      out_ << "\"RaftTerm\" : " << status.raftterm() << '\n';
      out_ << "\"RaftAppliedIndex\" : " << status.raftappliedindex() << '\n';
      // fmt.Println of a []string: [a b c]
      out_ << "\"Errors\" : [";
      for (int i = 0; i < status.errors_size(); ++i) out_ << (i > 0 ? " " : "") << status.errors(i);
      out_ << "]\n";
      out_ << "\"Endpoint\" : " << go::quote(row.endpoint) << "\n\n";
    }
  }

 private:
  static const char* boolean(bool value) { return value ? "true" : "false"; }

  void header(const etcdserverpb::ResponseHeader& header) {
    out_ << "\"ClusterID\" : " << header.cluster_id() << '\n';
    out_ << "\"MemberID\" : " << header.member_id() << '\n';
    out_ << "\"Revision\" : " << header.revision() << '\n';
    out_ << "\"RaftTerm\" : " << header.raft_term() << '\n';
  }

  void key_value(const char* prefix, const mvccpb::KeyValue& kv) {
    out_ << '"' << prefix << "Key\" : " << go::quote(kv.key()) << '\n';
    out_ << '"' << prefix << "CreateRevision\" : " << kv.create_revision() << '\n';
    out_ << '"' << prefix << "ModRevision\" : " << kv.mod_revision() << '\n';
    out_ << '"' << prefix << "Version\" : " << kv.version() << '\n';
    out_ << '"' << prefix << "Value\" : " << go::quote(kv.value()) << '\n';
    out_ << '"' << prefix << "Lease\" : " << kv.lease() << '\n';
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_fields_printer(std::ostream& out) {
  return std::make_unique<FieldsPrinter>(out);
}

}  // namespace synod::ctl
