#include "api/etcd/lease_keep_alive_stream.h"

#include <variant>

#include "api/etcd/grpc_errors.h"
#include "api/etcd/lease_convert.h"

namespace synod::api::etcd {

LeaseKeepAliveStream* LeaseKeepAliveStream::start(server::Node& node) {
  auto* stream = new LeaseKeepAliveStream(node);
  stream->StartRead(&stream->request_);
  return stream;
}

LeaseKeepAliveStream::LeaseKeepAliveStream(server::Node& node)
    : node_(node), shared_(std::make_shared<Shared>()) {
  shared_->stream = this;
}

void LeaseKeepAliveStream::OnReadDone(bool ok) {
  // A local owner: should gRPC run OnDone inline (deleting this), the mutex outlives the lock.
  const std::shared_ptr<Shared> shared = shared_;
  std::lock_guard lock(shared->mutex);
  if (!ok) {  // the client closed its side (or the call ended)
    reads_done_ = true;
    finish_if_done();
    return;
  }
  if (finished_) return;
  awaiting_node_ = true;
  node_.submit(kv::LeaseKeepAliveRequest{request_.id()},
               [shared = shared_](const kv::ApplyResult& result, const server::HeaderInfo& header) {
                 std::lock_guard lock(shared->mutex);
                 if (shared->stream != nullptr) shared->stream->deliver(result, header);
               });
}

void LeaseKeepAliveStream::deliver(const kv::ApplyResult& result, const server::HeaderInfo& header) {
  awaiting_node_ = false;
  if (finished_) return;
  const auto* answer = std::get_if<kv::LeaseKeepAliveResponse>(&result.response);
  if (!result.status.ok() || answer == nullptr) {
    error_ = result.status.ok() ? grpc::Status(grpc::StatusCode::INTERNAL, "unexpected response")
                                : to_grpc_status(result.status);
    finish_if_done();
    return;
  }
  to_proto(*answer, header, responses_.emplace_back());
  if (!writing_) write_next();
  StartRead(&request_);
}

void LeaseKeepAliveStream::write_next() {
  if (responses_.empty() || finished_) return;
  writing_ = true;
  StartWrite(&responses_.front());
}

void LeaseKeepAliveStream::OnWriteDone(bool ok) {
  // A local owner: should gRPC run OnDone inline (deleting this), the mutex outlives the lock.
  const std::shared_ptr<Shared> shared = shared_;
  std::lock_guard lock(shared->mutex);
  writing_ = false;
  if (!responses_.empty()) responses_.pop_front();
  if (!ok) {
    error_ = grpc::Status(grpc::StatusCode::CANCELLED, "context canceled");
  } else {
    write_next();
  }
  finish_if_done();
}

void LeaseKeepAliveStream::finish_if_done() {
  if (finished_ || writing_) return;
  const bool drained = reads_done_ && !awaiting_node_ && responses_.empty();
  if (!error_ && !drained) return;
  finished_ = true;
  Finish(error_ ? *error_ : grpc::Status::OK);
}

void LeaseKeepAliveStream::OnCancel() {
  // A local owner: should gRPC run OnDone inline (deleting this), the mutex outlives the lock.
  const std::shared_ptr<Shared> shared = shared_;
  std::lock_guard lock(shared->mutex);
  if (finished_) return;
  finished_ = true;
  // The text grpc-go gives a handler's context.Canceled.
  Finish(grpc::Status(grpc::StatusCode::CANCELLED, "context canceled"));
}

void LeaseKeepAliveStream::OnDone() {
  std::shared_ptr<Shared> shared = shared_;
  {
    std::lock_guard lock(shared->mutex);
    shared->stream = nullptr;
  }
  delete this;
}

}  // namespace synod::api::etcd
