// `-w json`: etcdctl's jsonPrinter, json.Marshal of the response and a newline.
#include <ostream>

#include "ctl/go_json.h"
#include "ctl/printer.h"

namespace synod::ctl {
namespace {

class JsonPrinter final : public Printer {
 public:
  explicit JsonPrinter(std::ostream& out) : out_(out) {}

  void put(const etcdserverpb::PutResponse& response) override { print(response); }
  void get(const etcdserverpb::RangeResponse& response) override { print(response); }
  void del(const etcdserverpb::DeleteRangeResponse& response) override { print(response); }
  void txn(const etcdserverpb::TxnResponse& response) override { print(response); }

  // etcdctl marshals []epStatus{Ep `json:"Endpoint"`, Resp `json:"Status"`}.
  void endpoint_status(const std::vector<EndpointStatus>& statuses) override {
    std::string text = "[";
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (i > 0) text += ',';
      text += "{\"Endpoint\":";
      go::append_json_string(text, statuses[i].endpoint);
      text += ",\"Status\":";
      go::append_message_json(text, statuses[i].status);
      text += '}';
    }
    out_ << text << "]\n";
  }

 private:
  void print(const google::protobuf::Message& message) {
    out_ << go::message_json(message) << '\n';
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_json_printer(std::ostream& out) {
  return std::make_unique<JsonPrinter>(out);
}

}  // namespace synod::ctl
