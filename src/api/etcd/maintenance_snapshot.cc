// Snapshot: the store's snapshot is taken on the node thread (a consistent state: the node thread
// alone applies entries), then streamed off it by gRPC in chunks of kSnapshotChunkBytes, each
// with the bytes still to come after it, and a last message holding the SHA-256 of all the data
// with remaining_bytes 0 — the stream etcd 3.4's maintenance server sends. The data is laid out
// in whole 512-byte blocks (kv/snapshot_blob.h), which etcdctl's `snapshot save` insists on.
#include <algorithm>
#include <memory>
#include <string>

#include "api/etcd/grpc_errors.h"
#include "api/etcd/maintenance_service.h"
#include "kv/snapshot_blob.h"
#include "replica/replica.h"
#include "replica/request_errors.h"

namespace synod::api::etcd {
namespace {

// etcd's chunk size.
constexpr size_t kSnapshotChunkBytes = 32 * 1024;

// Lives until Finish; it finishes only once the node thread handed it the snapshot (the node
// always calls a task, with nullptr when stopping) or a write failed, so the node task never
// outlives it.
class SnapshotWriter final : public grpc::ServerWriteReactor<etcdserverpb::SnapshotResponse> {
 public:
  explicit SnapshotWriter(server::Node& node) {
    node.run_on_node_thread([this](replica::Replica* replica) {
      if (replica == nullptr) {
        Finish(to_grpc_status(replica::error_stopped()));
      } else {
        data_ = kv::snapshot_stream_data(replica->store().snapshot());
        digest_ = kv::sha256(data_);
        write_next();
      }
      return true;
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {  // the client went away or the call was cancelled
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "context canceled"));
      return;
    }
    if (digest_sent_) {
      Finish(grpc::Status::OK);
      return;
    }
    write_next();
  }
  void OnDone() override { delete this; }

 private:
  void write_next() {
    response_.Clear();  // no header, as etcd sends none
    if (sent_ < data_.size()) {
      const size_t length = std::min(kSnapshotChunkBytes, data_.size() - sent_);
      response_.set_blob(data_.substr(sent_, length));
      sent_ += length;
      response_.set_remaining_bytes(data_.size() - sent_);
    } else {
      response_.set_blob(digest_);
      response_.set_remaining_bytes(0);
      digest_sent_ = true;
    }
    StartWrite(&response_);
  }

  std::string data_;
  std::string digest_;
  size_t sent_ = 0;
  bool digest_sent_ = false;
  etcdserverpb::SnapshotResponse response_;
};

}  // namespace

grpc::ServerWriteReactor<etcdserverpb::SnapshotResponse>* MaintenanceService::Snapshot(
    grpc::CallbackServerContext* /*context*/, const etcdserverpb::SnapshotRequest* /*request*/) {
  return new SnapshotWriter(node_);
}

}  // namespace synod::api::etcd
