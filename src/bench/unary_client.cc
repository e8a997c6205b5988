// The send loop of UnaryClient and the four unary workloads.
#include "bench/unary_client.h"

#include <chrono>
#include <map>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace synod::bench {
namespace {

// A request that takes longer than this counts as failed (DEADLINE_EXCEEDED) rather than hang
// the run.
constexpr auto kRequestDeadline = std::chrono::seconds(30);

std::chrono::system_clock::time_point wall_time_of(Clock::time_point when) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
}

class KvClient : public UnaryClient {
 public:
  KvClient(const BenchOptions& options, const std::shared_ptr<grpc::Channel>& channel,
           RunControl& control, uint64_t seed)
      : UnaryClient(control, seed),
        options_(options),
        stub_(etcdserverpb::KV::NewStub(channel)),
        value_(static_cast<size_t>(options.value_size), 'v') {}

 protected:
  // --sequential-keys: operation i uses key i (modulo the key space), else a random key.
  std::string next_key() {
    const uint64_t index = options_.sequential_keys ? operation_index() % options_.key_space_size
                                                     : random_below(options_.key_space_size);
    return key_for_index(index, options_.key_size);
  }
  void send_put(grpc::ClientContext* context, Done done) {
    put_request_.set_key(next_key());
    put_request_.set_value(value_);
    stub_->async()->Put(context, &put_request_, &put_response_, std::move(done));
  }
  void send_range(grpc::ClientContext* context, Done done) {
    range_request_.set_key(next_key());
    range_request_.set_serializable(!options_.linearizable);
    stub_->async()->Range(context, &range_request_, &range_response_, std::move(done));
  }

  const BenchOptions& options_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  const std::string value_;
  etcdserverpb::PutRequest put_request_;
  etcdserverpb::PutResponse put_response_;
  etcdserverpb::RangeRequest range_request_;
  etcdserverpb::RangeResponse range_response_;
};

class PutClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context, Done done) override { send_put(context, std::move(done)); }
};

class RangeClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context, Done done) override {
    send_range(context, std::move(done));
  }
};

class MixedClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context, Done done) override {
    if (random_fraction() < options_.read_ratio) {
      send_range(context, std::move(done));
    } else {
      send_put(context, std::move(done));
    }
  }
};

// Compare-and-swap: put the key only if its mod revision is still the one this client last saw
// (0: absent); otherwise read it back in the same txn and retry with what it read. A lost race
// is a successful txn, counted apart as the outcome "cas-conflict".
class TxnPutClient : public KvClient {
 public:
  using KvClient::KvClient;
  void send(grpc::ClientContext* context, Done done) override {
    key_ = next_key();
    request_.Clear();
    auto* compare = request_.add_compare();
    compare->set_key(key_);
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_mod_revision(known_mod_revision_[key_]);
    auto* put = request_.add_success()->mutable_request_put();
    put->set_key(key_);
    put->set_value(value_);
    request_.add_failure()->mutable_request_range()->set_key(key_);
    stub_->async()->Txn(context, &request_, &response_,
                        [this, done = std::move(done)](grpc::Status status) {
                          if (status.ok()) learn_mod_revision();
                          done(std::move(status));
                        });
  }

 private:
  void learn_mod_revision() {
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

}  // namespace

void UnaryClient::send_next() {
  const std::optional<Claim> claim = control_.claim_next();
  if (!claim) {
    control_.client_finished();
    return;
  }
  operation_index_ = claim->index;
  if (claim->due > Clock::now()) {
    alarm_.Set(wall_time_of(claim->due), [this](bool) { send_now(); });
    return;
  }
  send_now();
}

void UnaryClient::send_now() {
  context_ = std::make_unique<grpc::ClientContext>();
  context_->set_deadline(std::chrono::system_clock::now() + kRequestDeadline);
  outcome_.clear();
  sent_at_ = Clock::now();
  send(context_.get(), [this](grpc::Status status) { finish(status); });
}

void UnaryClient::finish(const grpc::Status& status) {
  const auto latency = Clock::now() - sent_at_;
  if (!status.ok()) {
    stats_.record_error(status);
  } else {
    if (!outcome_.empty()) ++stats_.outcomes[outcome_];
    ++stats_.succeeded;
    stats_.latency_ns.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()));
  }
  control_.operation_done();
  send_next();
}

std::unique_ptr<UnaryClient> make_unary_client(const BenchOptions& options,
                                               const std::shared_ptr<grpc::Channel>& channel,
                                               RunControl& control, uint64_t seed) {
  switch (options.workload) {
    case Workload::kPut: return std::make_unique<PutClient>(options, channel, control, seed);
    case Workload::kRange: return std::make_unique<RangeClient>(options, channel, control, seed);
    case Workload::kTxnPut: return std::make_unique<TxnPutClient>(options, channel, control, seed);
    case Workload::kMixed: return std::make_unique<MixedClient>(options, channel, control, seed);
    default: return nullptr;
  }
}

}  // namespace synod::bench
