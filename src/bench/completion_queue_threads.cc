// One thread per completion queue, dispatching each tag to its CompletionHandler.
#include "bench/completion_queue_threads.h"

namespace synod::bench {
namespace {

void drain(grpc::CompletionQueue& queue) {
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) static_cast<CompletionHandler*>(tag)->on_completion(ok);
}

}  // namespace

CompletionQueueThreads::CompletionQueueThreads(int count) {
  for (int i = 0; i < count; ++i) queues_.push_back(std::make_unique<grpc::CompletionQueue>());
}

CompletionQueueThreads::~CompletionQueueThreads() { stop(); }

void CompletionQueueThreads::start() {
  for (auto& queue : queues_) threads_.emplace_back(drain, std::ref(*queue));
}

void CompletionQueueThreads::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& queue : queues_) queue->Shutdown();
  for (auto& thread : threads_) thread.join();
}

}  // namespace synod::bench
