#pragma once
// etcd's Watch service: one bidirectional stream per call, its watchers in the node's WatchHub
// (kv/watch_hub.h), which runs on the node thread.
//
// Each call has an Outbox, the stream's WatchSink: the hub queues responses in it (on the node
// thread) and the call writes them one at a time (on gRPC threads), converting and, for watchers
// that asked for it, fragmenting them as etcd's sendFragments does. The outbox holds at most
// `max_queued_responses` event responses before has_room() turns false; the hub then leaves the
// stream's watchers to catch up from the store's history, and the call wakes the hub once the
// queue is empty again. Requests read from the stream are posted to the node thread in order.
//
// A call ends with OK when the client closes its side or cancels; stop() ends every running call
// with etcd's "etcdserver: server stopped" (UNAVAILABLE), which clients retry elsewhere. A client
// that keeps sending requests but reads no responses is ended with RESOURCE_EXHAUSTED once
// 100,000 control responses (created, canceled, progress) wait beyond the event bound.
#include <grpcpp/support/server_callback.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <set>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

struct WatchOutbox;

struct WatchServiceOptions {
  uint64_t max_request_bytes = 1536 * 1024;  // fragments stay below this + 512 KiB, as etcd's
  size_t max_queued_responses = 1024;        // per stream
};

class WatchService final : public etcdserverpb::Watch::CallbackService {
 public:
  // `node` must outlive the service and every call it started.
  WatchService(server::Node& node, WatchServiceOptions options) : node_(node), options_(options) {}

  grpc::ServerBidiReactor<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>* Watch(
      grpc::CallbackServerContext* context) override;

  // Finishes every running call with "etcdserver: server stopped". Idempotent.
  void stop();

  // Calls register their outbox while they run; false once stopped.
  bool add(const std::shared_ptr<WatchOutbox>& outbox);
  void remove(const std::shared_ptr<WatchOutbox>& outbox);

 private:
  server::Node& node_;
  WatchServiceOptions options_;
  std::mutex mutex_;
  std::set<std::shared_ptr<WatchOutbox>> running_;  // guarded by mutex_
  bool stopped_ = false;                            // guarded by mutex_
};

}  // namespace synod::api::etcd
