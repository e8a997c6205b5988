#pragma once
// gRPC completion queues, each drained by one thread of its own: a completion is handled on the
// thread that polled it, with no hand-off to another thread (gRPC 1.51's callback API passes
// every completion between two internal threads, a wake-up per call).
#include <grpcpp/completion_queue.h>

#include <memory>
#include <thread>
#include <vector>

namespace synod::bench {

// What a tag given to gRPC points to: the queue's thread calls on_completion(ok) for it.
class CompletionHandler {
 public:
  virtual void on_completion(bool ok) = 0;

 protected:
  ~CompletionHandler() = default;
};

class CompletionQueueThreads {
 public:
  explicit CompletionQueueThreads(int count);
  // Shuts the queues down and joins the threads if stop() was not called.
  ~CompletionQueueThreads();

  size_t size() const { return queues_.size(); }
  grpc::CompletionQueue* queue(size_t index) { return queues_[index].get(); }

  // Starts the threads. Operations may be started on the queues before: their completions wait.
  void start();
  // Shuts the queues down and waits for the threads to drain them: every tag still pending is
  // delivered first. Call it once nothing will be started on the queues again.
  void stop();

 private:
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace synod::bench
