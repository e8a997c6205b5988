#pragma once
// The World class behind run_world(): it is the host of the nodes, the clients and the nemesis,
// and the only place that sees everything, so it feeds the checkers. Internal to src/sim.
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "check/history.h"
#include "consensus/registry.h"
#include "core/random.h"
#include "sim/checkers/at_most_once.h"
#include "sim/checkers/durable_vote.h"
#include "sim/checkers/election_safety.h"
#include "sim/checkers/leader_completeness.h"
#include "sim/checkers/liveness.h"
#include "sim/checkers/log_matching.h"
#include "sim/checkers/persisted_logs.h"
#include "sim/checkers/state_machine_safety.h"
#include "sim/event_queue.h"
#include "sim/fingerprint.h"
#include "sim/nemesis.h"
#include "sim/sim_client.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"
#include "sim/world.h"

namespace synod::sim {

class World final : public NodeHost, public ClientHost, public NemesisTarget {
 public:
  World(const WorldOptions& options, uint64_t seed);
  WorldResult run();

  // NodeHost
  void schedule_after(Tick delay_ticks, std::function<void()> action) override {
    queue_.schedule_after(delay_ticks, std::move(action));
  }
  void send(consensus::Message message) override { network_.send(std::move(message)); }
  void reply(uint32_t client, ClientReply reply) override;
  Tick sync_latency_ticks(consensus::NodeId node) override;
  void on_recovered(consensus::NodeId node, const consensus::DurableState& state,
                    const std::vector<std::string>& repairs) override;
  void on_durable(consensus::NodeId node, const consensus::Ready& ready) override;
  void on_snapshot_applied(consensus::NodeId node, const consensus::SnapshotMeta& meta) override;
  void on_applied(consensus::NodeId node, const consensus::Entry& entry) override;
  void on_node_fault(consensus::NodeId node, const char* checker, std::string message) override;

  // ClientHost
  Tick now() const override { return queue_.now(); }
  void submit(consensus::NodeId node, ClientRequest request) override;
  void record(check::Event event) override;
  const std::vector<consensus::NodeId>& contact_points() const override { return contact_points_; }
  void on_operation_end(Tick invoked, bool timed_out, const std::string& what) override;

  // NemesisTarget
  Random& random() override { return random_; }
  SimNetwork& network() override { return network_; }
  std::vector<consensus::NodeId> live_members() const override;
  bool is_up(consensus::NodeId node) const override;
  std::optional<consensus::NodeId> leader() const override;
  consensus::Membership membership() const override { return membership_; }
  uint64_t applied_index(consensus::NodeId node) const override;
  uint64_t commit_index(consensus::NodeId node) const override;
  uint64_t term(consensus::NodeId node) const override;
  uint64_t first_index_of_term(consensus::NodeId node) const override {
    return nodes_.at(node).first_index_of_term;
  }
  bool in_sync_window(consensus::NodeId node) const override;
  void crash(consensus::NodeId node, bool torn) override;
  void restart(consensus::NodeId node) override;
  void set_sync_latency(consensus::NodeId node, Tick min_ticks, Tick max_ticks) override;
  consensus::NodeId add_fresh_node() override;
  void retire(consensus::NodeId node) override;
  consensus::ProposeResult change_membership(consensus::NodeId via,
                                             const consensus::MembershipChange& change) override;
  Status transfer_leadership(consensus::NodeId via, consensus::NodeId target) override;
  void on_fault(const std::string& description, const std::vector<consensus::NodeId>& affected) override;

 private:
  struct Slot {
    std::unique_ptr<SimNode> node;
    bool retired = false;
    bool dirty = false;           // touched by the current action: observe it afterwards
    Tick min_sync_ticks = 1;
    Tick max_sync_ticks = 3;
    consensus::Role role = consensus::Role::kFollower;
    uint64_t term = 0;
    uint64_t led_term = 0;        // the last term in which it was seen leading
    uint64_t first_index_of_term = 0;  // its log's last index when first seen leading led_term
    uint64_t store_checked_index = 0;  // applied index at the last check of its store's invariants
  };
  struct Failover {
    bool active = false;
    Tick started = 0;
    consensus::NodeId old_leader = consensus::kNoNode;
    uint64_t old_term = 0;
  };

  consensus::NodeId create_node(consensus::NodeId id, consensus::Membership initial_membership);
  void start_node(consensus::NodeId id);
  void deliver(const consensus::Message& message);
  void tick_all();
  void observe_dirty();
  void observe(consensus::NodeId id, Slot& slot);
  void check_store(consensus::NodeId id, Slot& slot);
  void check_stores_agree();
  void on_committing_leader(consensus::NodeId id, uint64_t term);
  void trace(const std::string& line);
  void digest(uint64_t value) { digest_ = fnv1a_u64(value, digest_); }
  Slot& slot(consensus::NodeId id) { return nodes_.at(id); }

  WorldOptions options_;
  uint64_t seed_;
  Random random_;
  Random network_random_;
  EventQueue queue_;
  SimNetwork network_;
  const consensus::EngineEntry* engine_ = nullptr;
  std::map<consensus::NodeId, Slot> nodes_;  // ordered: ticks and observations in id order
  std::vector<consensus::NodeId> contact_points_;
  consensus::NodeId next_node_id_ = 1;
  consensus::Membership membership_;  // as the latest observed leader sees it
  std::vector<std::unique_ptr<SimClient>> clients_;
  check::History history_;
  Tick history_tick_ = 0;
  int64_t events_in_tick_ = 0;
  int64_t operations_in_flight_ = 0;  // invoked, not yet completed
  std::unique_ptr<Nemesis> nemesis_;

  Violations violations_;
  ElectionSafetyChecker election_safety_{violations_};
  DurableVoteChecker durable_vote_{violations_};
  PersistedLogs persisted_logs_;
  LogMatchingChecker log_matching_{violations_};
  StateMachineSafetyChecker state_machine_safety_{violations_};
  LeaderCompletenessChecker leader_completeness_{violations_};
  AtMostOnceChecker at_most_once_{violations_};
  LivenessChecker liveness_;
  uint64_t highest_term_ = 0;
  std::optional<std::pair<consensus::NodeId, uint64_t>> committing_leader_;  // (node, term)
  Failover failover_;
  Tick max_failover_ticks_ = 0;
  uint64_t failovers_ = 0;
  uint64_t digest_ = 0;
};

}  // namespace synod::sim
