#pragma once
// A latch for a gRPC callback stream: OnDone sets it, the owner waits on it before destroying the
// reactor (which must outlive its last reaction).
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <grpcpp/support/status.h>

namespace synod::bench {

class StreamDone {
 public:
  void set(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    done_ = true;
    changed_.notify_all();
  }
  // True once set; false if the timeout passed first.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done_; });
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return done_; });
  }
  grpc::Status status() {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace synod::bench
