// lease-keepalive: every client grants a lease, then renews it over its own LeaseKeepAlive
// stream, one request in flight; latency is request sent to response read.
#include <grpcpp/alarm.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>

#include "bench/runner.h"
#include "bench/stream_done.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace synod::bench {
namespace {

constexpr auto kGrantDeadline = std::chrono::seconds(10);
constexpr auto kStreamCloseTimeout = std::chrono::seconds(10);

std::chrono::system_clock::time_point wall_time_of(Clock::time_point when) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
}

class KeepAliveClient final
    : public grpc::ClientBidiReactor<etcdserverpb::LeaseKeepAliveRequest,
                                     etcdserverpb::LeaseKeepAliveResponse> {
 public:
  KeepAliveClient(etcdserverpb::Lease::Stub& stub, int64_t lease_id, RunControl& control)
      : control_(control) {
    request_.set_id(lease_id);
    stub.async()->LeaseKeepAlive(&context_, this);
    StartRead(&response_);
    StartCall();
  }

  void start() { send_next(); }
  void OnWriteDone(bool ok) override {
    if (ok) half_done();  // else the read fails too and ends the client
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      if (!finished_.exchange(true)) {
        stats_.record_error("keepalive stream ended early");
        control_.client_finished();
      }
      return;
    }
    if (response_.ttl() <= 0) {
      stats_.record_error("lease not found");
    } else {
      ++stats_.succeeded;
      stats_.latency_ns.record(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent_at_).count()));
    }
    control_.operation_done();
    StartRead(&response_);
    half_done();
  }
  void OnDone(const grpc::Status& status) override { done_.set(status); }

  // After the run: waits for the stream to end (the server closes it on our half-close).
  void close() {
    if (!done_.wait_for(kStreamCloseTimeout)) {
      context_.TryCancel();
      done_.wait();
    }
    const grpc::Status status = done_.status();
    if (!status.ok()) stats_.record_error(status);
  }
  const ClientStats& stats() const { return stats_; }

 private:
  void send_next() {
    const std::optional<Claim> claim = control_.claim_next();
    if (!claim) {
      finish();
      return;
    }
    if (claim->due > Clock::now()) {
      alarm_.Set(wall_time_of(claim->due), [this](bool) { send_now(); });
      return;
    }
    send_now();
  }
  void send_now() {
    halves_done_.store(0);
    sent_at_ = Clock::now();
    StartWrite(&request_);
  }
  // A response may be read before OnWriteDone of its request; gRPC allows one write at a time, so
  // the next request waits for both halves.
  void half_done() {
    if (halves_done_.fetch_add(1) == 1) send_next();
  }
  void finish() {
    if (finished_.exchange(true)) return;
    StartWritesDone();
    control_.client_finished();
  }

  RunControl& control_;
  grpc::ClientContext context_;
  grpc::Alarm alarm_;
  etcdserverpb::LeaseKeepAliveRequest request_;
  etcdserverpb::LeaseKeepAliveResponse response_;
  Clock::time_point sent_at_;
  std::atomic<int> halves_done_{0};  // of the request in flight: its write, its response
  std::atomic<bool> finished_{false};
  ClientStats stats_;
  StreamDone done_;
};

}  // namespace

RunResult run_lease_keepalive(const BenchOptions& options,
                              const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                              const ProgressFn& progress) {
  RunResult result;
  result.workload = options.workload;
  result.latency_meaning = "keepalive request to response";

  std::vector<std::unique_ptr<etcdserverpb::Lease::Stub>> stubs;
  for (const auto& channel : channels) stubs.push_back(etcdserverpb::Lease::NewStub(channel));
  std::vector<int64_t> lease_ids;
  for (int i = 0; i < options.clients; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kGrantDeadline);
    etcdserverpb::LeaseGrantRequest grant;
    grant.set_ttl(options.lease_ttl_seconds);
    etcdserverpb::LeaseGrantResponse granted;
    const grpc::Status status =
        stubs[static_cast<size_t>(i) % stubs.size()]->LeaseGrant(&context, grant, &granted);
    if (!status.ok()) {
      result.stats.record_error(status);
      return result;  // nothing to renew: the grant's error is the result
    }
    lease_ids.push_back(granted.id());
  }

  RunControl control(options, options.clients);
  std::vector<std::unique_ptr<KeepAliveClient>> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.push_back(std::make_unique<KeepAliveClient>(
        *stubs[static_cast<size_t>(i) % stubs.size()], lease_ids[static_cast<size_t>(i)], control));
  }
  control.start();
  for (auto& client : clients) client->start();
  control.wait_for_clients(progress);
  for (auto& client : clients) {
    client->close();
    result.stats.merge(client->stats());
  }
  result.operations = control.completed();
  result.elapsed_seconds = control.elapsed_seconds();

  for (size_t i = 0; i < lease_ids.size(); ++i) {  // leave no leases behind
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kGrantDeadline);
    etcdserverpb::LeaseRevokeRequest revoke;
    revoke.set_id(lease_ids[i]);
    etcdserverpb::LeaseRevokeResponse revoked;
    stubs[i % stubs.size()]->LeaseRevoke(&context, revoke, &revoked);
  }
  return result;
}

}  // namespace synod::bench
