#pragma once
// A simulated node: the server's own Replica (replica/replica.h: engine, DurableStorage, MvccStore
// and the Ready loop) over a MemoryFileSystem, with the simulator as its ReplicaEnv:
//   send           -> the simulated network;
//   schedule_sync  -> runs the sync after the node's simulated sync latency, unless the node
//                     crashed meanwhile (the callback belongs to a dead incarnation then);
//   observations   -> the world's checkers (durable Readies, applied entries, snapshots, what a
//                     restart recovered, refused messages, faults).
//
// The MemoryFileSystem is the node's disk and outlives its incarnations: crash() is its power
// failure (unsynced bytes lost, or torn at byte granularity) plus the loss of the Replica with
// everything in memory (engine, store, waiting requests, which are never answered). start()
// builds a new Replica that recovers from the disk.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consensus/engine.h"
#include "core/random.h"
#include "replica/replica.h"
#include "sim/client_protocol.h"
#include "sim/sim_time.h"
#include "storage/memory_file_system.h"

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
  virtual void on_recovered(consensus::NodeId node, const consensus::DurableState& state,
                            const std::vector<std::string>& repairs) = 0;
  virtual void on_durable(consensus::NodeId node, const consensus::Ready& ready) = 0;
  virtual void on_snapshot_applied(consensus::NodeId node, const consensus::SnapshotMeta& meta) = 0;
  virtual void on_applied(consensus::NodeId node, const consensus::Entry& entry) = 0;
  // Something only a bug explains (in the engine, the driver, the storage or the data).
  virtual void on_node_fault(consensus::NodeId node, const char* checker, std::string message) = 0;
};

// The data directory inside each node's own file system, and its WAL segment size.
inline constexpr const char* kSimDataDir = "/data";
inline constexpr uint64_t kSimWalSegmentBytes = 16 << 10;

class SimNode final : public replica::ReplicaEnv {
 public:
  // `options.engine.seed` is replaced at each start; the data directory and WAL segment size
  // are the simulated disk's.
  SimNode(NodeHost& host, replica::ReplicaOptions options);
  ~SimNode() override;

  consensus::NodeId id() const { return options_.engine.id; }
  bool up() const { return replica_ != nullptr; }

  // Starts (or restarts) from what the disk holds. A refusal to recover is reported as a fault
  // ("disk-recovery") and leaves the node down.
  void start(uint64_t engine_seed);
  // Power loss: unsynced data is lost (or, with `torn`, a random prefix of it survives) and the
  // incarnation with everything in memory is gone.
  void crash(Random& random, bool torn);

  void tick();
  void deliver(const consensus::Message& message);
  void submit(const ClientRequest& request);
  // Requests through the engine for the nemesis; they return the engine's answer.
  consensus::ProposeResult change_membership(const consensus::MembershipChange& change);
  Status transfer_leadership(consensus::NodeId target);

  // Require up().
  replica::ReplicaStatus status() const { return replica_->status(); }
  const kv::MvccStore& store() const { return replica_->store(); }
  std::string describe(const consensus::Message& message) const;
  // A sync was requested and has not completed: a crash now loses what it covers.
  bool in_sync_window() const { return up() && sync_pending_; }
  // Bytes written to the data directory and not yet durable.
  uint64_t unsynced_bytes();
  // Messages refused as unexpected (not malformed): allowed by engine.h, counted for the report.
  uint64_t step_refusals() const { return step_refusals_; }
  // The node's disk, for tests that damage it.
  storage::MemoryFileSystem& disk() { return disk_; }

  // ReplicaEnv
  void send(consensus::Message message) override { host_.send(std::move(message)); }
  void schedule_sync(std::function<void()> sync) override;
  void on_fault(const std::string& what, const std::string& message) override;
  void on_durable(const consensus::Ready& ready) override { host_.on_durable(id(), ready); }
  void on_applied(const consensus::Entry& entry) override { host_.on_applied(id(), entry); }
  void on_snapshot_applied(const consensus::SnapshotMeta& meta) override {
    host_.on_snapshot_applied(id(), meta);
  }
  void on_recovered(const consensus::DurableState& state,
                    const std::vector<std::string>& repairs) override {
    host_.on_recovered(id(), state, repairs);
  }
  void on_message_refused(const consensus::Message& message, const Status& why) override;
  void on_read_back_failed(const Status& why) override;

 private:
  // The engine's own invariants, after every input (a kCorruption names the broken one).
  void check_engine();

  NodeHost& host_;
  replica::ReplicaOptions options_;
  storage::MemoryFileSystem disk_;              // kept across crashes
  std::unique_ptr<replica::Replica> replica_;  // null while crashed
  uint64_t incarnation_ = 0;  // bumped by crash(): a sync scheduled before it is void
  bool sync_pending_ = false;
  uint64_t step_refusals_ = 0;
};

}  // namespace synod::sim
