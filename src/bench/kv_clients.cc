// The four unary workloads: what each one sends and what it reads from a response.
#include "bench/kv_clients.h"

#include <map>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace synod::bench {
namespace {

class KvClient : public UnaryClient {
 public:
  KvClient(const BenchOptions& options, const std::shared_ptr<grpc::Channel>& channel,
           grpc::CompletionQueue* queue, ClientStats& stats, RunControl& control, uint64_t seed)
      : UnaryClient(control, queue, stats, seed),
        options_(options),
        stub_(etcdserverpb::KV::NewStub(channel)) {
    // The value and the serializable flag never change: set once, not copied per request.
    put_request_.set_value(std::string(static_cast<size_t>(options.value_size), 'v'));
    range_request_.set_serializable(!options.linearizable);
  }

 protected:
  // --sequential-keys: operation i uses key i (modulo the key space), else a random key.
  std::string next_key() {
    const uint64_t index = options_.sequential_keys ? operation_index() % options_.key_space_size
                                                     : random_below(options_.key_space_size);
    return key_for_index(index, options_.key_size);
  }
  void send_put(grpc::ClientContext* context) {
    put_request_.set_key(next_key());
    await_response(stub_->PrepareAsyncPut(context, put_request_, queue()), &put_response_);
  }
  void send_range(grpc::ClientContext* context) {
    range_request_.set_key(next_key());
    await_response(stub_->PrepareAsyncRange(context, range_request_, queue()), &range_response_);
  }
  const std::string& value() const { return put_request_.value(); }

  const BenchOptions& options_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;

 private:
  etcdserverpb::PutRequest put_request_;
  etcdserverpb::PutResponse put_response_;
  etcdserverpb::RangeRequest range_request_;
  etcdserverpb::RangeResponse range_response_;
};

class PutClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context) override { send_put(context); }
};

class RangeClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context) override { send_range(context); }
};

class MixedClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context) override {
    if (random_fraction() < options_.read_ratio) {
      send_range(context);
    } else {
      send_put(context);
    }
  }
};

// Compare-and-swap: put the key only if its mod revision is still the one this client last saw
// (0: absent); otherwise read it back in the same txn and retry with what it read. A lost race
// is a successful txn, counted apart as the outcome "cas-conflict".
class TxnPutClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context) override {
    key_ = next_key();
    request_.Clear();
    auto* compare = request_.add_compare();
    compare->set_key(key_);
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_mod_revision(known_mod_revision_[key_]);
    auto* put = request_.add_success()->mutable_request_put();
    put->set_key(key_);
    put->set_value(value());
    request_.add_failure()->mutable_request_range()->set_key(key_);
    await_response(stub_->PrepareAsyncTxn(context, request_, queue()), &response_);
  }

 private:
  void on_success() override {
    if (response_.succeeded()) {
      known_mod_revision_[key_] = response_.header().revision();
      return;
    }
    report_outcome("cas-conflict");
    const auto& range = response_.responses(0).response_range();
    known_mod_revision_[key_] = range.kvs_size() == 0 ? 0 : range.kvs(0).mod_revision();
  }

  std::string key_;
  std::map<std::string, int64_t> known_mod_revision_;
  etcdserverpb::TxnRequest request_;
  etcdserverpb::TxnResponse response_;
};

template <typename Client>
std::unique_ptr<UnaryClient> make(const BenchOptions& options,
                                  const std::shared_ptr<grpc::Channel>& channel,
                                  grpc::CompletionQueue* queue, ClientStats& stats,
                                  RunControl& control, uint64_t seed) {
  return std::make_unique<Client>(options, channel, queue, stats, control, seed);
}

}  // namespace

std::unique_ptr<UnaryClient> make_unary_client(const BenchOptions& options,
                                               const std::shared_ptr<grpc::Channel>& channel,
                                               grpc::CompletionQueue* queue, ClientStats& stats,
                                               RunControl& control, uint64_t seed) {
  switch (options.workload) {
    case Workload::kPut: return make<PutClient>(options, channel, queue, stats, control, seed);
    case Workload::kRange: return make<RangeClient>(options, channel, queue, stats, control, seed);
    case Workload::kTxnPut: return make<TxnPutClient>(options, channel, queue, stats, control, seed);
    case Workload::kMixed: return make<MixedClient>(options, channel, queue, stats, control, seed);
    default: return nullptr;
  }
}

}  // namespace synod::bench
