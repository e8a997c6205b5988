#include "consensus/raft/progress.h"

#include <algorithm>

namespace synod::consensus::raft {

const char* progress_state_name(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe: return "probe";
    case ProgressState::kReplicate: return "replicate";
    case ProgressState::kSnapshot: return "snapshot";
  }
  return "unknown";
}

bool Progress::inflight_full(const FlowLimits& limits) const {
  return inflights_.size() >= limits.max_inflight_messages ||
         (!inflights_.empty() && inflight_bytes_ >= limits.max_inflight_bytes);
}

uint64_t Progress::inflight_budget_bytes(const FlowLimits& limits) const {
  return inflight_bytes_ >= limits.max_inflight_bytes ? 0
                                                      : limits.max_inflight_bytes - inflight_bytes_;
}

bool Progress::is_paused(const FlowLimits& limits) const {
  switch (state) {
    case ProgressState::kProbe: return probe_sent;
    case ProgressState::kReplicate: return inflight_full(limits);
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

bool Progress::maybe_update(uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::maybe_decrease(uint64_t rejected, uint64_t probe_hint) {
  if (state == ProgressState::kReplicate) {
    // Everything up to match is acknowledged: a rejection at or below it is stale.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe only the answer to the outstanding probe (prev = next - 1) means anything.
  if (next - 1 != rejected) return false;
  next = std::max(std::min(rejected, probe_hint + 1), match + 1);
  probe_sent = false;
  return true;
}

void Progress::sent_entries(uint64_t last_index, uint64_t bytes) {
  if (state == ProgressState::kReplicate) {
    next = last_index + 1;
    inflights_.push_back({last_index, bytes});
    inflight_bytes_ += bytes;
  } else {
    probe_sent = true;
  }
}

void Progress::sent_empty() {
  if (state == ProgressState::kProbe) probe_sent = true;
}

void Progress::free_up_to(uint64_t index) {
  while (!inflights_.empty() && inflights_.front().last_index <= index) free_first();
}

void Progress::free_first() {
  if (inflights_.empty()) return;
  inflight_bytes_ -= inflights_.front().bytes;
  inflights_.pop_front();
}

void Progress::reset_flow() {
  probe_sent = false;
  pending_snapshot_index = 0;
  snapshot_elapsed_ticks = 0;
  inflights_.clear();
  inflight_bytes_ = 0;
}

void Progress::become_probe() {
  // After a snapshot the follower has at least the snapshot, unless it was lost (then the
  // probe's rejection brings next back down).
  const uint64_t floor = state == ProgressState::kSnapshot ? pending_snapshot_index + 1 : 0;
  state = ProgressState::kProbe;
  reset_flow();
  next = std::max(match + 1, floor);
}

void Progress::become_replicate() {
  state = ProgressState::kReplicate;
  reset_flow();
  next = match + 1;
}

void Progress::become_snapshot(uint64_t snapshot_index) {
  state = ProgressState::kSnapshot;
  reset_flow();
  pending_snapshot_index = snapshot_index;
  next = snapshot_index + 1;
}

}  // namespace synod::consensus::raft
