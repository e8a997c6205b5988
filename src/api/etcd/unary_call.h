#pragma once
// UnaryCall: a unary gRPC call answered later from another thread (the node thread), which gRPC
// may also cancel first (the client gave up, or the server's shutdown deadline passed).
//
// Whoever finishes first wins; the other must not touch the call or its response, which gRPC frees
// after OnDone. So the node's callback keeps a Handle: it finishes through a flag it shares with
// the call, and owns nothing of the call beyond that flag. Without OnCancel finishing the call, a
// shutdown would wait for the node to answer every outstanding request (up to its timeout).
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <memory>
#include <utility>

namespace synod::api::etcd {

class UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  class Handle {
   public:
    // Unless the call is already finished: `respond()` fills the response and returns the status
    // the call finishes with. Any thread; at most one finish ever runs `respond`.
    template <typename Respond>
    void finish(Respond&& respond) const {
      if (finished_->exchange(true)) return;
      call_->Finish(std::forward<Respond>(respond)());
    }
    // Whether the call has finished (answered or cancelled). Any thread.
    bool finished() const { return finished_->load(); }

   private:
    friend class UnaryCall;
    Handle(std::shared_ptr<std::atomic<bool>> finished, UnaryCall* call)
        : finished_(std::move(finished)), call_(call) {}
    std::shared_ptr<std::atomic<bool>> finished_;
    UnaryCall* call_;  // alive until Finish is called, which only the winner of finished_ does
  };

  UnaryCall() : finished_(std::make_shared<std::atomic<bool>>(false)) {}

  Handle handle() { return Handle(finished_, this); }

  void OnCancel() override;
  void OnDone() override { delete this; }
  // Both reactions are short and take no lock of ours (OnCancel only finishes the call), so gRPC
  // may run them on the thread that saw the event. Otherwise gRPC 1.51 hands every OnDone to its
  // executor thread: a thread wake-up per call, the largest single cost of a serializable Range.
  bool InternalInlineable() override { return true; }

 private:
  std::shared_ptr<std::atomic<bool>> finished_;
};

}  // namespace synod::api::etcd
