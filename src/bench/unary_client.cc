// The send loop of UnaryClient.
#include "bench/unary_client.h"

#include <chrono>

namespace synod::bench {
namespace {

// A request that takes longer than this counts as failed (DEADLINE_EXCEEDED) rather than hang
// the run.
constexpr auto kRequestDeadline = std::chrono::seconds(30);

std::chrono::system_clock::time_point wall_time_of(Clock::time_point when) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
}

}  // namespace

void UnaryClient::on_completion(bool /*ok: an alarm is never cancelled; a call's status says*/) {
  if (waiting_for_alarm_) {
    waiting_for_alarm_ = false;
    send_now();
    return;
  }
  finish();
}

void UnaryClient::send_next() {
  const std::optional<Claim> claim = control_.claim_next();
  if (!claim) {
    control_.client_finished();
    return;
  }
  operation_index_ = claim->index;
  if (claim->due > Clock::now()) {
    waiting_for_alarm_ = true;
    alarm_.Set(queue_, wall_time_of(claim->due), static_cast<CompletionHandler*>(this));
    return;
  }
  send_now();
}

void UnaryClient::send_now() {
  reader_.reset();  // before the context that holds its call
  context_ = std::make_unique<grpc::ClientContext>();
  context_->set_deadline(std::chrono::system_clock::now() + kRequestDeadline);
  outcome_ = nullptr;
  sent_at_ = Clock::now();
  send(context_.get());
}

void UnaryClient::finish() {
  const auto latency = Clock::now() - sent_at_;
  if (!status_.ok()) {
    stats_.record_error(status_);
  } else {
    on_success();
    if (outcome_ != nullptr) ++stats_.outcomes[outcome_];
    ++stats_.succeeded;
    stats_.latency_ns.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()));
  }
  control_.operation_done();
  send_next();
}

}  // namespace synod::bench
