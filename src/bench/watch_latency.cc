// watch-latency: --watchers watch streams on one key, --clients writers putting it; each put's
// value carries its send time, so every watcher records put-to-event latency for every event.
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>
#include <charconv>
#include <thread>

#include "bench/runner.h"
#include "bench/stream_done.h"
#include "bench/unary_client.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace synod::bench {
namespace {

constexpr int kTimestampDigits = 20;  // steady-clock nanoseconds, zero-padded
constexpr auto kWatchCreateTimeout = std::chrono::seconds(10);
constexpr auto kEventDrainTimeout = std::chrono::seconds(10);
constexpr auto kStreamCloseTimeout = std::chrono::seconds(5);

uint64_t steady_nanos() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

std::string timestamped_value(int value_size) {
  std::string stamp = std::to_string(steady_nanos());
  stamp.insert(0, static_cast<size_t>(kTimestampDigits) - stamp.size(), '0');
  return stamp + std::string(static_cast<size_t>(value_size - kTimestampDigits), 'v');
}

class Watcher final : public grpc::ClientBidiReactor<etcdserverpb::WatchRequest,
                                                     etcdserverpb::WatchResponse> {
 public:
  Watcher(etcdserverpb::Watch::Stub& stub, const std::string& key, std::atomic<int>& created,
          std::atomic<uint64_t>& events)
      : created_(created), events_(events) {
    request_.mutable_create_request()->set_key(key);
    stub.async()->Watch(&context_, this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }

  void OnWriteDone(bool) override {}
  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ends; OnDone follows
    if (response_.created()) created_.fetch_add(1);
    if (response_.canceled()) stats_.record_error("watch canceled: " + response_.cancel_reason());
    const uint64_t now = steady_nanos();
    for (const auto& event : response_.events()) {
      const std::string& value = event.kv().value();
      uint64_t sent = 0;
      const char* begin = value.data();
      if (value.size() < kTimestampDigits ||
          std::from_chars(begin, begin + kTimestampDigits, sent).ptr != begin + kTimestampDigits) {
        continue;  // not written by this run
      }
      stats_.latency_ns.record(now > sent ? now - sent : 0);
      ++stats_.succeeded;
      events_.fetch_add(1);
    }
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override { done_.set(status); }

  // Ends the stream and waits for OnDone; the stats are final afterwards.
  void close() {
    context_.TryCancel();
    if (!done_.wait_for(kStreamCloseTimeout)) std::abort();  // a reactor must not be freed live
    const grpc::Status status = done_.status();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      stats_.record_error(status);
    }
  }
  const ClientStats& stats() const { return stats_; }

 private:
  grpc::ClientContext context_;
  etcdserverpb::WatchRequest request_;
  etcdserverpb::WatchResponse response_;
  std::atomic<int>& created_;
  std::atomic<uint64_t>& events_;
  ClientStats stats_;
  StreamDone done_;
};

class TimestampPutClient final : public UnaryClient {
 public:
  TimestampPutClient(const BenchOptions& options, const std::shared_ptr<grpc::Channel>& channel,
                     grpc::CompletionQueue* queue, ClientStats& stats, RunControl& control,
                     uint64_t seed)
      : UnaryClient(control, queue, stats, seed),
        options_(options),
        stub_(etcdserverpb::KV::NewStub(channel)) {
    request_.set_key(key_for_index(0, options.key_size));
  }
  void send(grpc::ClientContext* context) override {
    request_.set_value(timestamped_value(options_.value_size));
    await_response(stub_->PrepareAsyncPut(context, request_, queue()), &response_);
  }

 private:
  const BenchOptions& options_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  etcdserverpb::PutRequest request_;
  etcdserverpb::PutResponse response_;
};

}  // namespace

RunResult run_watch_latency(const BenchOptions& options,
                            const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                            const ProgressFn& progress) {
  RunResult result;
  result.workload = options.workload;
  result.latency_meaning = "put sent to event received, per watcher";

  std::vector<std::unique_ptr<etcdserverpb::Watch::Stub>> watch_stubs;
  for (const auto& channel : channels) watch_stubs.push_back(etcdserverpb::Watch::NewStub(channel));
  std::atomic<int> created{0};
  std::atomic<uint64_t> events{0};
  std::vector<std::unique_ptr<Watcher>> watchers;
  const std::string key = key_for_index(0, options.key_size);
  for (int i = 0; i < options.watchers; ++i) {
    watchers.push_back(std::make_unique<Watcher>(*watch_stubs[static_cast<size_t>(i) % watch_stubs.size()],
                                                 key, created, events));
  }
  const auto create_deadline = Clock::now() + kWatchCreateTimeout;
  while (created.load() < options.watchers && Clock::now() < create_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  RunControl control(options, options.clients);
  CompletionQueueThreads queues(1);  // the writers are few: their puts are paced by --rate
  ClientStats writer_stats;
  std::vector<std::unique_ptr<UnaryClient>> writers;
  if (created.load() == options.watchers) {
    for (int i = 0; i < options.clients; ++i) {
      writers.push_back(std::make_unique<TimestampPutClient>(
          options, channels[static_cast<size_t>(i) % channels.size()], queues.queue(0), writer_stats,
          control, i + 1));
    }
  } else {
    result.stats.record_error("watch not created within 10 s");
  }
  control.start();
  for (auto& writer : writers) writer->start();
  queues.start();
  if (writers.empty()) {
    for (int i = 0; i < options.clients; ++i) control.client_finished();
  }
  control.wait_for_clients(progress);
  queues.stop();

  const uint64_t expected_events = writer_stats.succeeded * static_cast<uint64_t>(options.watchers);
  const auto drain_deadline = Clock::now() + kEventDrainTimeout;
  while (events.load() < expected_events && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& watcher : watchers) {
    watcher->close();
    result.stats.merge(watcher->stats());
  }
  // The latency samples are events; the operations and their errors are the puts'.
  for (const auto& [kind, count] : writer_stats.errors) result.stats.errors[kind] += count;
  if (events.load() < expected_events) {
    result.stats.errors["watch events missing"] += expected_events - events.load();
  }
  result.stats.succeeded = writer_stats.succeeded;
  result.operations = control.completed();
  result.elapsed_seconds = control.elapsed_seconds();
  return result;
}

}  // namespace synod::bench
