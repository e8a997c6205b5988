// Observe: a server stream of the election's leader, as etcd's Election.Observe sends it: the
// leader's key-value when the stream starts (if there is one), then again whenever the leader
// key changes (a Proclaim) or another key becomes the leader. The node thread compares the
// first-created key under `<name>/` with the last one sent on every turn of its loop.
//
// The stream never ends by itself; the client cancels it (or the server's shutdown does).
// At most kMaxQueuedResponses wait behind a slow client: older ones are dropped first, since
// only the latest leader matters to an observer.
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "api/etcd/concurrency_keys.h"
#include "api/etcd/convert.h"
#include "api/etcd/election_service.h"
#include "replica/replica.h"

namespace synod::api::etcd {
namespace {

constexpr size_t kMaxQueuedResponses = 64;

class ObserveStream;

// Shared by the gRPC call and the node thread's poll; outlives whichever ends first.
struct ObserveOutbox {
  std::mutex mutex;
  ObserveStream* call = nullptr;  // guarded by mutex; null once done
  std::deque<v3electionpb::LeaderResponse> queue;  // guarded by mutex
  bool writing = false;           // guarded by mutex
  bool finish_requested = false;  // guarded by mutex
  bool finish_sent = false;       // guarded by mutex
  grpc::Status finish_status;     // guarded by mutex
};

class ObserveStream final : public grpc::ServerWriteReactor<v3electionpb::LeaderResponse> {
 public:
  ObserveStream(server::Node& node, std::string name)
      : outbox_(std::make_shared<ObserveOutbox>()) {
    outbox_->call = this;
    node.run_on_node_thread(
        [outbox = outbox_, prefix = contender_prefix(name), &node,
         last_sent = std::optional<kv::KeyValue>()](replica::Replica* replica) mutable {
          if (replica == nullptr) {
            finish(outbox, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "etcdserver: server stopped"));
            return true;
          }
          {
            std::lock_guard lock(outbox->mutex);
            if (outbox->call == nullptr || outbox->finish_requested) return true;
          }
          const kv::MvccStore& store = replica->store();
          std::optional<kv::KeyValue> leader = first_created_in(store, prefix);
          if (!leader) {
            last_sent.reset();
            return false;
          }
          if (last_sent && last_sent->key == leader->key &&
              last_sent->mod_revision == leader->mod_revision) {
            return false;
          }
          v3electionpb::LeaderResponse response;
          fill_header(store.current_revision(), node.header(), *response.mutable_header());
          to_proto(*leader, *response.mutable_kv());
          last_sent = std::move(leader);
          send(outbox, std::move(response));
          return false;
        });
  }

  void OnWriteDone(bool ok) override {
    ObserveStream* finish_target = nullptr;
    grpc::Status status;
    {
      std::lock_guard lock(outbox_->mutex);
      outbox_->writing = false;
      if (!ok) outbox_->queue.clear();
      if (outbox_->finish_requested && !outbox_->finish_sent) {
        outbox_->finish_sent = true;
        finish_target = this;
        status = outbox_->finish_status;
      }
    }
    if (finish_target != nullptr) {
      Finish(status);
      return;
    }
    if (ok) write_next(outbox_);
  }

  void OnCancel() override {
    finish(outbox_, grpc::Status(grpc::StatusCode::CANCELLED, "context canceled"));
  }

  void OnDone() override {
    {
      std::lock_guard lock(outbox_->mutex);
      outbox_->call = nullptr;
    }
    delete this;
  }

  static void send(const std::shared_ptr<ObserveOutbox>& outbox,
                   v3electionpb::LeaderResponse response) {
    {
      std::lock_guard lock(outbox->mutex);
      if (outbox->call == nullptr || outbox->finish_requested) return;
      if (outbox->queue.size() >= kMaxQueuedResponses) outbox->queue.pop_front();
      outbox->queue.push_back(std::move(response));
    }
    write_next(outbox);
  }

  static void finish(const std::shared_ptr<ObserveOutbox>& outbox, grpc::Status status) {
    ObserveStream* target = nullptr;
    {
      std::lock_guard lock(outbox->mutex);
      if (outbox->call == nullptr || outbox->finish_requested) return;
      outbox->finish_requested = true;
      outbox->finish_status = status;
      outbox->queue.clear();
      if (!outbox->writing) {
        outbox->finish_sent = true;
        target = outbox->call;
      }
    }
    if (target != nullptr) target->Finish(status);
  }

 private:
  static void write_next(const std::shared_ptr<ObserveOutbox>& outbox) {
    std::lock_guard lock(outbox->mutex);
    if (outbox->call == nullptr || outbox->writing || outbox->finish_requested ||
        outbox->queue.empty()) {
      return;
    }
    outbox->writing = true;
    outbox->call->in_flight_ = std::move(outbox->queue.front());
    outbox->queue.pop_front();
    outbox->call->StartWrite(&outbox->call->in_flight_);
  }

  std::shared_ptr<ObserveOutbox> outbox_;
  v3electionpb::LeaderResponse in_flight_;  // owned by the outstanding write
};

}  // namespace

grpc::ServerWriteReactor<v3electionpb::LeaderResponse>* start_observe(server::Node& node,
                                                                      std::string name) {
  return new ObserveStream(node, std::move(name));  // deletes itself in OnDone
}

}  // namespace synod::api::etcd
