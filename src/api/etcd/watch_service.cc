#include "api/etcd/watch_service.h"

#include <atomic>
#include <deque>
#include <utility>
#include <vector>

#include "api/etcd/grpc_limits.h"
#include "api/etcd/watch_convert.h"
#include "kv/watch_hub.h"

namespace synod::api::etcd {
namespace {

using WatchReactor = grpc::ServerBidiReactor<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>;

// etcd's rpctypes.ErrGRPCStopped.
grpc::Status server_stopped() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: server stopped");
}

}  // namespace

// The stream's sink. The hub calls has_room/send on the node thread; the call's gRPC callbacks
// write, finish and detach. Invariant: at most one write is outstanding, and Finish is called
// once, never while a write is outstanding, and the reactor is never touched after it.
struct WatchOutbox final : kv::WatchSink {
  WatchOutbox(server::Node& node_in, WatchServiceOptions options_in)
      : node(node_in), options(options_in) {}

  bool has_room() const override {
    if (queued.load(std::memory_order_relaxed) < options.max_queued_responses) return true;
    refused.store(true, std::memory_order_relaxed);
    return false;
  }

  void send(kv::WatchResponse response) override {
    bool overflow = false;
    {
      std::lock_guard lock(mutex);
      if (finish_requested || call == nullptr) return;
      // Events wait for room (has_room), control responses do not: a client that sends requests
      // and never reads would grow the queue without end, so such a stream is ended.
      overflow = queue.size() >= options.max_queued_responses + kMaxControlBacklog;
      if (!overflow) {
        queue.push_back(std::move(response));
        queued.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (overflow) {
      finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "synod: the watch stream's client does not read its responses"));
      return;
    }
    write_next();
  }

  static constexpr size_t kMaxControlBacklog = 100000;

  void write_next() {
    WatchReactor* target = nullptr;
    {
      std::lock_guard lock(mutex);
      if (writing || finish_requested || call == nullptr) return;
      if (pieces.empty()) {
        if (queue.empty()) return;
        kv::WatchResponse next = std::move(queue.front());
        queue.pop_front();
        queued.fetch_sub(1, std::memory_order_relaxed);
        etcdserverpb::WatchResponse whole;
        to_proto(next, node.header(), whole);
        for (auto& piece : fragments(std::move(whole), next.fragment_allowed,
                                         options.max_request_bytes + kGrpcOverheadBytes))
          pieces.push_back(std::move(piece));
      }
      in_flight = std::move(pieces.front());
      pieces.pop_front();
      writing = true;
      target = call;
    }
    target->StartWrite(&in_flight);
  }

  void on_write_done(bool ok) {
    WatchReactor* finish_target = nullptr;
    bool wake_hub = false;
    {
      std::lock_guard lock(mutex);
      writing = false;
      if (!ok) drop_queue();
      if (finish_requested && !finish_sent && call != nullptr) {
        finish_sent = true;
        finish_target = call;
      }
      if (ok && queue.empty() && pieces.empty() && refused.exchange(false)) wake_hub = true;
    }
    if (finish_target != nullptr) {
      finish_target->Finish(finish_status);
      return;
    }
    if (!ok) return;  // the call is broken: the pending read fails too and finishes it
    // The hub left watchers behind while the queue was full: let it catch them up now.
    if (wake_hub) node.with_watch_hub([](kv::WatchHub&) {});
    write_next();
  }

  void finish(grpc::Status status) {
    WatchReactor* target = nullptr;
    {
      std::lock_guard lock(mutex);
      if (finish_requested || call == nullptr) return;
      finish_requested = true;
      finish_status = std::move(status);
      drop_queue();
      if (!writing) {
        finish_sent = true;
        target = call;
      }
    }
    if (target != nullptr) target->Finish(finish_status);
  }

  bool finishing() {
    std::lock_guard lock(mutex);
    return finish_requested;
  }

  void detach() {
    std::lock_guard lock(mutex);
    call = nullptr;
  }

  void drop_queue() {
    queue.clear();
    pieces.clear();
    queued.store(0, std::memory_order_relaxed);
  }

  server::Node& node;
  const WatchServiceOptions options;
  kv::WatchHub::StreamId stream_id = 0;  // node thread only

  std::mutex mutex;
  WatchReactor* call = nullptr;                  // guarded by mutex; null once done
  std::deque<kv::WatchResponse> queue;           // guarded by mutex
  std::deque<etcdserverpb::WatchResponse> pieces;  // guarded by mutex: fragments to write
  etcdserverpb::WatchResponse in_flight;         // owned by the outstanding write
  bool writing = false;                          // guarded by mutex
  bool finish_requested = false;                 // guarded by mutex
  bool finish_sent = false;                      // guarded by mutex
  grpc::Status finish_status;                    // guarded by mutex
  std::atomic<size_t> queued{0};
  mutable std::atomic<bool> refused{false};
};

namespace {

class WatchCall final : public WatchReactor {
 public:
  WatchCall(WatchService& service, server::Node& node, WatchServiceOptions options)
      : service_(service), node_(node), outbox_(std::make_shared<WatchOutbox>(node, options)) {
    outbox_->call = this;
    bool posted = service_.add(outbox_) &&
                  node_.with_watch_hub([outbox = outbox_](kv::WatchHub& hub) {
                    outbox->stream_id = hub.open_stream(outbox);
                  });
    if (!posted) {
      outbox_->finish(server_stopped());
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    // The client closed its side (or the call broke: OnCancel follows). As etcd's recvLoop at
    // io.EOF, the stream stays open and its watchers keep sending until the client cancels.
    if (!ok) return;
    if (!post_request()) {
      outbox_->finish(server_stopped());
      return;
    }
    if (outbox_->finishing()) return;  // stopped meanwhile: no read after Finish
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override { outbox_->on_write_done(ok); }

  // The client cancelled, its deadline passed or its connection broke.
  void OnCancel() override { outbox_->finish(grpc::Status::CANCELLED); }

  void OnDone() override {
    outbox_->detach();
    service_.remove(outbox_);
    node_.with_watch_hub(
        [outbox = outbox_](kv::WatchHub& hub) { hub.close_stream(outbox->stream_id); });
    delete this;
  }

 private:
  // False when the node no longer runs.
  bool post_request() {
    std::shared_ptr<WatchOutbox> outbox = outbox_;
    switch (request_.request_union_case()) {
      case etcdserverpb::WatchRequest::kCreateRequest:
        return node_.with_watch_hub([outbox, create = from_proto(request_.create_request())](
                                        kv::WatchHub& hub) { hub.create(outbox->stream_id, create); });
      case etcdserverpb::WatchRequest::kCancelRequest:
        return node_.with_watch_hub([outbox, id = request_.cancel_request().watch_id()](
                                        kv::WatchHub& hub) { hub.cancel(outbox->stream_id, id); });
      case etcdserverpb::WatchRequest::kProgressRequest:
        return node_.with_watch_hub(
            [outbox](kv::WatchHub& hub) { hub.request_progress(outbox->stream_id); });
      default:  // an empty request: etcd ignores it
        return true;
    }
  }

  WatchService& service_;
  server::Node& node_;
  std::shared_ptr<WatchOutbox> outbox_;
  etcdserverpb::WatchRequest request_;
};

}  // namespace

WatchReactor* WatchService::Watch(grpc::CallbackServerContext* /*context*/) {
  return new WatchCall(*this, node_, options_);
}

bool WatchService::add(const std::shared_ptr<WatchOutbox>& outbox) {
  std::lock_guard lock(mutex_);
  if (stopped_) return false;
  running_.insert(outbox);
  return true;
}

void WatchService::remove(const std::shared_ptr<WatchOutbox>& outbox) {
  std::lock_guard lock(mutex_);
  running_.erase(outbox);
}

void WatchService::stop() {
  std::set<std::shared_ptr<WatchOutbox>> running;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    running.swap(running_);
  }
  for (const auto& outbox : running) outbox->finish(server_stopped());
}

}  // namespace synod::api::etcd
