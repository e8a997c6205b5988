// `-w protobuf`: etcdctl's pbPrinter, the response's wire bytes with no framing or newline.
#include <ostream>

#include "core/check.h"
#include "ctl/printer.h"

namespace synod::ctl {
namespace {

class ProtobufPrinter final : public Printer {
 public:
  explicit ProtobufPrinter(std::ostream& out) : out_(out) {}

  void put(const etcdserverpb::PutResponse& response) override { print(response); }
  void get(const etcdserverpb::RangeResponse& response) override { print(response); }
  void del(const etcdserverpb::DeleteRangeResponse& response) override { print(response); }
  void txn(const etcdserverpb::TxnResponse& response) override { print(response); }

  void endpoint_status(const std::vector<EndpointStatus>&) override {
    SYNOD_CHECK(false, "check_format_supports rejects protobuf for endpoint status");
  }

 private:
  void print(const google::protobuf::Message& message) {
    // Go drops fields it does not know when it decodes; so does the copy printed here.
    std::unique_ptr<google::protobuf::Message> known(message.New());
    known->CopyFrom(message);
    known->DiscardUnknownFields();
    out_ << known->SerializeAsString();
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_protobuf_printer(std::ostream& out) {
  return std::make_unique<ProtobufPrinter>(out);
}

}  // namespace synod::ctl
