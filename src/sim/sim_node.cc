#include "sim/sim_node.h"

#include "core/check.h"

namespace synod::sim {

SimNode::SimNode(NodeHost& host, replica::ReplicaOptions options)
    : host_(host), options_(std::move(options)) {
  options_.data_dir = kSimDataDir;
  // Small segments, so that a run rolls segments over and releases them (and the copy a simulated
  // fdatasync makes of a segment stays cheap); repairs go to the trace, not to stderr.
  options_.storage.wal.segment_bytes = kSimWalSegmentBytes;
  options_.storage.wal.print_repairs = false;
}

SimNode::~SimNode() = default;

void SimNode::start(uint64_t engine_seed) {
  SYNOD_CHECK(!up(), "start of a running node");
  replica::ReplicaOptions options = options_;
  options.engine.seed = engine_seed;
  replica_ = std::make_unique<replica::Replica>(*this, disk_, std::move(options));
  sync_pending_ = false;
  std::vector<std::string> repairs;
  Status started = replica_->start(repairs);
  if (!started.ok()) {
    replica_.reset();
    host_.on_node_fault(id(), "disk-recovery", "n" + std::to_string(id()) + ": " + started.message());
    return;
  }
  check_engine();
}

void SimNode::crash(Random& random, bool torn) {
  disk_.crash(random, torn);
  replica_.reset();
  ++incarnation_;
  sync_pending_ = false;
}

void SimNode::tick() {
  if (!up()) return;
  replica_->tick();
  check_engine();
}

void SimNode::deliver(const consensus::Message& message) {
  if (!up()) return;
  replica_->receive(message);
  check_engine();
}

void SimNode::submit(const ClientRequest& request) {
  SYNOD_CHECK(up(), "submit to a crashed node");
  const uint32_t client = request.client;
  const uint64_t attempt = request.attempt;
  replica_->submit(to_command(request.operation),
                   [this, client, attempt, operation = request.operation](const kv::ApplyResult& result) {
                     host_.reply(client, ClientReply{attempt, to_outcome(operation, result),
                                                     replica_->status().engine.leader});
                   });
  check_engine();
}

consensus::ProposeResult SimNode::change_membership(const consensus::MembershipChange& change) {
  SYNOD_CHECK(up(), "membership change on a crashed node");
  consensus::ProposeResult result = replica_->change_membership(change);
  check_engine();
  return result;
}

Status SimNode::transfer_leadership(consensus::NodeId target) {
  SYNOD_CHECK(up(), "transfer on a crashed node");
  Status status = replica_->transfer_leadership(target);
  check_engine();
  return status;
}

std::string SimNode::describe(const consensus::Message& message) const {
  return up() ? replica_->describe(message) : std::string("(payload of a crashed node)");
}

uint64_t SimNode::unsynced_bytes() {
  uint64_t bytes = 0;
  for (const char* directory : {"wal", "snap"}) {
    const std::string path = storage::join_path(kSimDataDir, directory);
    std::vector<std::string> names;
    if (!disk_.list_directory(path, names).ok()) continue;
    for (const std::string& name : names) bytes += disk_.unsynced_bytes(storage::join_path(path, name));
  }
  return bytes;
}

void SimNode::schedule_sync(std::function<void()> sync) {
  sync_pending_ = true;
  const uint64_t incarnation = incarnation_;
  host_.schedule_after(host_.sync_latency_ticks(id()), [this, incarnation, sync = std::move(sync)]() {
    if (incarnation != incarnation_) return;  // the node crashed meanwhile: the Replica is gone
    sync_pending_ = false;
    sync();
    check_engine();
  });
}

void SimNode::on_fault(const std::string& what, const std::string& message) {
  // Nothing in the simulation fails a write or a sync, and the data is never corrupted, so a
  // replica that stops has met a bug: in storage ("storage"), or in what it applies.
  const char* checker = what == "storage" ? "storage-failure" : "state-machine-safety";
  host_.on_node_fault(id(), checker, "n" + std::to_string(id()) + " stopped (" + what + "): " + message);
}

void SimNode::on_read_back_failed(const Status& why) {
  // The simulated disk loses only what was never synced, and what was never synced is not read
  // back: a record that does not read back is damage a test made, or a bug.
  host_.on_node_fault(id(), "storage-read-back",
                      "n" + std::to_string(id()) + " could not read back: " + why.message());
}

void SimNode::on_message_refused(const consensus::Message& message, const Status& why) {
  // The network never corrupts a message, so one that cannot be decoded (kCorruption, or the
  // engine's describe() says "malformed") or that breaks the engine's own invariants
  // (kCorruption) is a bug. Other refusals are the "unexpected input" engine.h allows: a response
  // from a node outside the membership, an answer to a read round long gone. Counted, not condemned.
  const std::string description = replica_->describe(message);
  if (why.code() == StatusCode::kCorruption || description.rfind("malformed", 0) == 0) {
    host_.on_node_fault(id(), "step-rejected-valid-message",
                        "n" + std::to_string(id()) + " refused " + description + ": " + why.message());
    return;
  }
  ++step_refusals_;
}

void SimNode::check_engine() {
  if (!up()) return;
  Status invariants = replica_->check_engine_invariants();
  if (!invariants.ok())
    host_.on_node_fault(id(), "engine-invariants", "n" + std::to_string(id()) + ": " + invariants.message());
}

}  // namespace synod::sim
