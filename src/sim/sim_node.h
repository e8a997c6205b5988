#pragma once
// The node driver: one engine, one simulated disk, one register store, and the Ready loop of
// consensus/engine.h, exactly in its order:
//   1. persist  the Ready's snapshot, entries and hard state are appended to the disk and a sync
//               is requested; it completes after a simulated latency (a Ready with nothing to
//               persist skips the sync);
//   2. send     the messages, once the sync is complete;
//   3. apply    restore the snapshot, apply the committed entries, release ReadStates whose index
//               is applied, answer the waiting clients;
//   4. advance  then compact when `snapshot_interval` entries were applied since the last
//               snapshot, and take the next Ready.
// The ack-before-persist mutant sends the messages when the Ready is taken, before step 1 is
// durable: a crash inside the sync window then loses state that a message already promised.
//
// A crash loses the engine, the store, the waiting clients and the records not yet durable;
// restart() rebuilds everything from the disk.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "consensus/engine.h"
#include "consensus/registry.h"
#include "core/random.h"
#include "sim/client_protocol.h"
#include "sim/register_store.h"
#include "sim/sim_disk.h"
#include "sim/sim_time.h"

namespace synod::sim {

// What a node needs from the world around it.
class NodeHost {
 public:
  virtual ~NodeHost() = default;
  virtual void schedule_after(Tick delay_ticks, std::function<void()> action) = 0;
  virtual void send(consensus::Message message) = 0;
  virtual void reply(uint32_t client, ClientReply reply) = 0;
  // How long the sync requested now by `node` takes.
  virtual Tick sync_latency_ticks(consensus::NodeId node) = 0;
  // Observations for the checkers.
  virtual void on_durable(consensus::NodeId node, const DiskRecord& record) = 0;
  virtual void on_snapshot_applied(consensus::NodeId node, const consensus::SnapshotMeta& meta) = 0;
  virtual void on_applied(consensus::NodeId node, const consensus::Entry& entry) = 0;
  // Something only a bug explains (in the engine or in the data it handed over).
  virtual void on_node_fault(consensus::NodeId node, const char* checker, std::string message) = 0;
};

struct NodeOptions {
  consensus::EngineConfig config;  // id, membership, timers, mutants; the seed is set per start
  const consensus::EngineEntry* engine = nullptr;
  uint64_t snapshot_interval = 64;  // applied entries between two compactions
  bool ack_before_persist = false;  // the driver-side mutant
};

class SimNode {
 public:
  SimNode(NodeHost& host, NodeOptions options) : host_(host), options_(std::move(options)) {}

  consensus::NodeId id() const { return options_.config.id; }
  bool up() const { return engine_ != nullptr; }

  // Starts (or restarts) from what the disk holds.
  void start(uint64_t engine_seed);
  // Power loss: pending records are lost (or torn), memory is gone. Returns how many of the
  // pending records survived.
  uint64_t crash(Random& random, bool torn);

  void tick();
  void deliver(const consensus::Message& message);
  void submit(const ClientRequest& request);
  // Requests through the engine for the nemesis; they return the engine's answer.
  consensus::ProposeResult change_membership(const consensus::MembershipChange& change);
  Status transfer_leadership(consensus::NodeId target);

  // Requires up().
  consensus::EngineStatus status() const { return engine_->status(); }
  std::string describe(const consensus::Message& message) const;
  const SimDisk& disk() const { return disk_; }
  const RegisterStore& store() const { return store_; }
  // Messages refused as unexpected (not malformed): allowed by engine.h, counted for the report.
  uint64_t step_refusals() const { return step_refusals_; }

 private:
  struct Proposal {
    uint64_t term;
    ClientRequest request;
  };

  void pump();
  void handle_ready(consensus::Ready ready);
  void complete_ready(consensus::Ready ready, bool messages_sent);
  void send_all(std::vector<consensus::Message>& messages);
  void apply_snapshot(const consensus::Snapshot& snapshot);
  bool apply_entry(const consensus::Entry& entry);
  void answer_proposal(const consensus::Entry& entry, const RegisterResult* result);
  void release_reads();
  void maybe_compact();
  void reply(const ClientRequest& request, ClientReply::Outcome outcome,
             std::optional<std::string> value = std::nullopt);

  NodeHost& host_;
  NodeOptions options_;
  SimDisk disk_;
  std::unique_ptr<consensus::Engine> engine_;  // null while crashed
  RegisterStore store_;
  consensus::Membership membership_;  // as of the applied index: what a snapshot records
  uint64_t applied_term_ = 0;
  uint64_t last_snapshot_index_ = 0;
  bool ready_outstanding_ = false;
  uint64_t step_refusals_ = 0;
  uint64_t incarnation_ = 0;  // bumped by crash(): a sync completing after a crash is void
  std::map<uint64_t, Proposal> proposals_;             // log index → waiting write or cas
  std::map<uint64_t, ClientRequest> reads_;            // request id → read awaiting its ReadState
  std::multimap<uint64_t, uint64_t> released_reads_;   // read index → request id
};

}  // namespace synod::sim
