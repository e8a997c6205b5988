#pragma once
// LeaseKeepAliveStream: one LeaseKeepAlive call, a bidirectional stream. Like etcd's server, it
// handles one keep-alive at a time: read a request, renew through the node (the leader renews;
// a follower forwards), write the answer, read the next. A renewal error (no leader, timeout)
// ends the stream with that error, as etcd's recvLoop returns it.
//
// The node answers on its own thread, possibly after gRPC finished and freed the stream, so the
// node's callback reaches the stream only through Shared, which OnDone clears under its mutex.
// The mutex is recursive because gRPC may run a reaction inline inside a Start* call.
#include <grpcpp/support/server_callback.h>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "kv/mvcc_store.h"
#include "server/node.h"

namespace synod::api::etcd {

class LeaseKeepAliveStream final
    : public grpc::ServerBidiReactor<etcdserverpb::LeaseKeepAliveRequest,
                                     etcdserverpb::LeaseKeepAliveResponse> {
 public:
  // Starts reading; the stream deletes itself in OnDone.
  static LeaseKeepAliveStream* start(server::Node& node);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  struct Shared {
    std::recursive_mutex mutex;
    LeaseKeepAliveStream* stream = nullptr;  // null once gRPC is done with the stream
  };

  explicit LeaseKeepAliveStream(server::Node& node);
  // The rest run with shared_->mutex held.
  void deliver(const kv::ApplyResult& result, const server::HeaderInfo& header);
  void write_next();
  void finish_if_done();

  server::Node& node_;
  std::shared_ptr<Shared> shared_;
  etcdserverpb::LeaseKeepAliveRequest request_;
  std::deque<etcdserverpb::LeaseKeepAliveResponse> responses_;  // front: being written
  bool writing_ = false;
  bool reads_done_ = false;
  bool awaiting_node_ = false;  // a keep-alive is with the node
  std::optional<grpc::Status> error_;
  bool finished_ = false;
};

}  // namespace synod::api::etcd
