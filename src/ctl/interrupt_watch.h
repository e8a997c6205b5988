#pragma once
// InterruptWatch: SIGINT and SIGTERM as events for commands that hold something until
// interrupted (lock, elect). Construct it before any other thread starts (before connecting):
// it blocks both signals in the calling thread, so every thread created later inherits the
// mask, and one thread of its own takes them with sigwait. Also the place where a lost lease
// (LeaseKeeper) is reported, so that a holder waits for either with one call.
#include <signal.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ctl/lease_client.h"

namespace synod::ctl {

class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // Runs `cancel` (e.g. ClientContext::TryCancel) at the interrupt, or now if it came already;
  // cleared by passing nullptr.
  void on_interrupt(std::function<void()> cancel);
  bool interrupted() const;
  void report_session_lost();
  bool session_lost() const;
  // Blocks until interrupted or the session is lost.
  void wait() const;
  // Blocks up to `period`; true when interrupted or the session is lost meanwhile.
  bool wait_for(std::chrono::milliseconds period) const;
  // The signal mask before construction, for a child process to restore.
  const sigset_t& original_mask() const { return original_mask_; }

 private:
  void take_signals();

  sigset_t original_mask_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool interrupted_ = false;    // guarded by mutex_
  bool session_lost_ = false;   // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::function<void()> cancel_;  // guarded by mutex_
  std::thread signal_thread_;
};

// Keeps a lease alive with a renewal every TTL/3 (clientv3's rhythm) until destroyed. It reports
// the session lost when the server no longer knows the lease, or when no renewal succeeded for a
// whole TTL (the cluster unreachable).
class LeaseKeeper {
 public:
  LeaseKeeper(LeaseClient& client, int64_t lease, int64_t ttl_seconds, InterruptWatch& watch);
  ~LeaseKeeper();

 private:
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace synod::ctl
