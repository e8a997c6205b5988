#pragma once
// The leader's view of one follower (or learner): how much of the log it has, and how much may
// still be sent to it (etcd-io/raft's Progress and Inflights).
//
//   probe      one append at a time until the follower's position is known;
//   replicate  appends are pipelined (next advances optimistically), bounded by the in-flight
//              limits, freed as acknowledgements arrive;
//   snapshot   an InstallSnapshot is on its way; nothing else is sent until it is acknowledged
//              or a retry timeout sends the follower back to probing.
#include <cstdint>
#include <cstddef>
#include <deque>

namespace synod::consensus::raft {

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };
const char* progress_state_name(ProgressState state);

struct FlowLimits {
  uint32_t max_inflight_messages = 0;
  uint64_t max_inflight_bytes = 0;
};

class Progress {
 public:
  explicit Progress(uint64_t next_index) : next(next_index) {}

  // Invariant: match < next (match entries are known to agree with the leader's log).
  uint64_t match = 0;
  uint64_t next = 1;
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;      // probe: an append is out, wait for its answer or a heartbeat
  bool recent_active = true;    // heard from within the current CheckQuorum window
  uint64_t pending_snapshot_index = 0;
  uint32_t snapshot_elapsed_ticks = 0;

  bool is_paused(const FlowLimits& limits) const;
  bool inflight_full(const FlowLimits& limits) const;
  // Bytes that may still be put in flight before the byte limit is reached.
  uint64_t inflight_budget_bytes(const FlowLimits& limits) const;
  size_t inflight_count() const { return inflights_.size(); }
  uint64_t inflight_bytes() const { return inflight_bytes_; }

  // An acknowledgement of `index`; false when it tells nothing new (stale or duplicated).
  bool maybe_update(uint64_t index);
  // A rejection of the append after `rejected`; false when stale. `probe_hint` is the highest
  // index that may match, derived from the follower's hint.
  bool maybe_decrease(uint64_t rejected, uint64_t probe_hint);
  void sent_entries(uint64_t last_index, uint64_t bytes);
  void sent_empty();
  void free_up_to(uint64_t index);
  void free_first();

  void become_probe();
  void become_replicate();
  void become_snapshot(uint64_t snapshot_index);

 private:
  void reset_flow();
  struct Inflight {
    uint64_t last_index;
    uint64_t bytes;
  };
  // Invariant: sorted by last_index; inflight_bytes_ is the sum of their bytes.
  std::deque<Inflight> inflights_;
  uint64_t inflight_bytes_ = 0;
};

}  // namespace synod::consensus::raft
