#include "ctl/interrupt_watch.h"

#include <pthread.h>

#include <algorithm>

#include <string>
#include <string_view>
#include <utility>

namespace synod::ctl {
namespace {

constexpr std::string_view kLeaseNotFound = "requested lease not found";

sigset_t interrupt_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

InterruptWatch::InterruptWatch() {
  const sigset_t signals = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &signals, &original_mask_);
  signal_thread_ = std::thread([this] { take_signals(); });
}

InterruptWatch::~InterruptWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  // The signal is blocked everywhere, so it stays pending for the watching thread's sigwait.
  pthread_kill(signal_thread_.native_handle(), SIGTERM);
  signal_thread_.join();
}

void InterruptWatch::take_signals() {
  const sigset_t signals = interrupt_signals();
  int received = 0;
  sigwait(&signals, &received);
  std::function<void()> cancel;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    interrupted_ = true;
    cancel = cancel_;
  }
  changed_.notify_all();
  if (cancel) cancel();
}

void InterruptWatch::on_interrupt(std::function<void()> cancel) {
  bool now = false;
  {
    std::lock_guard lock(mutex_);
    cancel_ = cancel;
    now = interrupted_;
  }
  if (now && cancel) cancel();
}

bool InterruptWatch::interrupted() const {
  std::lock_guard lock(mutex_);
  return interrupted_;
}

void InterruptWatch::report_session_lost() {
  {
    std::lock_guard lock(mutex_);
    session_lost_ = true;
  }
  changed_.notify_all();
}

bool InterruptWatch::session_lost() const {
  std::lock_guard lock(mutex_);
  return session_lost_;
}

void InterruptWatch::wait() const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return interrupted_ || session_lost_; });
}

bool InterruptWatch::wait_for(std::chrono::milliseconds period) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, period, [this] { return interrupted_ || session_lost_; });
}

LeaseKeeper::LeaseKeeper(LeaseClient& client, int64_t lease, int64_t ttl_seconds,
                         InterruptWatch& watch) {
  const auto ttl = std::chrono::seconds(std::max<int64_t>(ttl_seconds, 1));
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(ttl) / 3;
  thread_ = std::thread([this, &client, lease, ttl, period, &watch] {
    auto last_renewal = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stop_signal_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      const auto renewed = client.keep_alive_once(lease);
      lock.lock();
      if (stopping_) return;
      if (renewed.ok()) {
        last_renewal = std::chrono::steady_clock::now();
        continue;
      }
      // As clientv3: a lease the server no longer knows is lost at once; an unreachable server
      // is retried until a whole TTL has passed since the last renewal.
      const bool lease_gone = renewed.error().message.find(kLeaseNotFound) != std::string::npos;
      if (lease_gone || std::chrono::steady_clock::now() - last_renewal >= ttl) {
        watch.report_session_lost();
        return;
      }
    }
  });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
}

}  // namespace synod::ctl
