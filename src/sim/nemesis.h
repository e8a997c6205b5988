#pragma once
// The nemesis: during the safety phase it injects the enabled faults at random times, each undone
// after a random duration (see docs/simulator.md for the ranges). Every choice comes from the
// world's generator, so a seed replays the same faults at the same ticks. At most a minority of
// the voters is crashed at once, so that the liveness phase can always recover; partitions,
// message faults and slow disks overlap freely.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/engine.h"
#include "core/random.h"
#include "sim/sim_network.h"
#include "sim/sim_time.h"

namespace synod::sim {

// What the nemesis acts on; the world implements it.
class NemesisTarget {
 public:
  virtual ~NemesisTarget() = default;
  virtual Tick now() const = 0;
  virtual void schedule_after(Tick delay_ticks, std::function<void()> action) = 0;
  virtual Random& random() = 0;
  virtual SimNetwork& network() = 0;
  // Nodes that are part of the world and not retired, ascending.
  virtual std::vector<consensus::NodeId> live_members() const = 0;
  virtual bool is_up(consensus::NodeId node) const = 0;
  // The up node that is leader in the highest term, if any.
  virtual std::optional<consensus::NodeId> leader() const = 0;
  // The membership in force as the leader sees it.
  virtual consensus::Membership membership() const = 0;
  virtual uint64_t applied_index(consensus::NodeId node) const = 0;
  virtual uint64_t commit_index(consensus::NodeId node) const = 0;
  // The node's current term as last observed (0 when down).
  virtual uint64_t term(consensus::NodeId node) const = 0;
  // For a leader: its log's last index when first seen leading its term (its no-op, for Raft).
  virtual uint64_t first_index_of_term(consensus::NodeId node) const = 0;
  // The node waits for a sync: a crash now loses (or tears) what it was to make durable.
  virtual bool in_sync_window(consensus::NodeId node) const = 0;
  virtual void crash(consensus::NodeId node, bool torn) = 0;
  virtual void restart(consensus::NodeId node) = 0;
  virtual void set_sync_latency(consensus::NodeId node, Tick min_ticks, Tick max_ticks) = 0;
  // A new node id with an empty disk and an empty initial membership, started.
  virtual consensus::NodeId add_fresh_node() = 0;
  // Shuts a removed node down for good.
  virtual void retire(consensus::NodeId node) = 0;
  virtual consensus::ProposeResult change_membership(consensus::NodeId via,
                                                     const consensus::MembershipChange& change) = 0;
  virtual Status transfer_leadership(consensus::NodeId via, consensus::NodeId target) = 0;
  // A fault took these nodes away from the others (crash, isolation, minority side, transfer
  // away): used to time failovers. Also traces the fault.
  virtual void on_fault(const std::string& description, const std::vector<consensus::NodeId>& affected) = 0;
};

struct NemesisOptions {
  uint32_t faults = 0;             // FaultKind bits
  Tick end_tick = 2000;            // no fault starts at or after this tick
  Tick min_gap_ticks = 15;         // between two faults
  Tick max_gap_ticks = 80;
  Tick normal_min_sync_ticks = 1;
  Tick normal_max_sync_ticks = 3;
};

class Nemesis {
 public:
  Nemesis(NemesisTarget& target, NemesisOptions options) : target_(target), options_(options) {}

  void start();
  // Undoes every fault: heals the network, resets message faults and disks, restarts crashed
  // nodes. No fault starts afterwards.
  void heal_all();

 private:
  enum class MembershipStep { kIdle, kRemove, kAddLearner, kPromote };

  void schedule_next();
  void inject();
  void crash_some();
  void partition();
  void lossy_network();
  void duplicating_network();
  void reordering_network();
  void slow_disk();
  void membership_change();
  void membership_step();
  void transfer();
  void figure8_partition();
  void figure8_second_leader(consensus::NodeId first, uint64_t first_term, Tick deadline);
  void figure8_first_again(consensus::NodeId first, consensus::NodeId second, Tick deadline);
  void figure8_strike(consensus::NodeId first, consensus::NodeId second, uint64_t commit_at_election,
                      Tick deadline);
  void figure8_finish(consensus::NodeId first, consensus::NodeId second);
  std::vector<consensus::NodeId> voters_up() const;
  consensus::NodeId pick(const std::vector<consensus::NodeId>& nodes);
  Tick duration(Tick low, Tick high) { return target_.random().between(low, high); }

  NemesisTarget& target_;
  NemesisOptions options_;
  bool stopped_ = false;
  std::vector<consensus::NodeId> crashed_;  // ascending
  uint64_t partition_generation_ = 0;
  uint64_t loss_generation_ = 0;       // a newer fault of the same kind owns the undo
  uint64_t duplicate_generation_ = 0;
  uint64_t reorder_generation_ = 0;
  std::map<consensus::NodeId, uint64_t> disk_generation_;
  // Membership workflow: one change at a time, retried until the leader shows it done.
  MembershipStep step_ = MembershipStep::kIdle;
  consensus::NodeId step_node_ = consensus::kNoNode;
  uint64_t step_index_ = 0;  // where the change of the current step was appended
  bool remove_after_add_ = false;
};

}  // namespace synod::sim
