// Raft engine: the CPU cost of one proposal through three engines in memory (propose, the
// leader's Ready, each follower's step and Ready, the leader's step of the acknowledgements,
// commit), with messages delivered at once and no I/O: the engine's own share of a write. The
// counters say how many messages and synced Readies (fdatasyncs in a server) one commit costs.
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {
namespace {

class ThreeEngines {
 public:
  explicit ThreeEngines(uint64_t seed) {
    for (NodeId id = 1; id <= 3; ++id) {
      EngineConfig config;
      config.id = id;
      config.initial_membership.voters = {1, 2, 3};
      config.seed = seed + id;
      engines_.push_back(std::make_unique<RaftEngine>(config, DurableState{}));
    }
    while (engines_[0]->status().role != Role::kLeader) {
      engines_[0]->tick();
      deliver_all();
    }
  }

  RaftEngine& leader() { return *engines_[0]; }
  uint64_t syncs() const { return syncs_; }

  // Drains every engine's Ready and delivers its messages until nothing moves.
  // Returns the number of messages delivered.
  uint64_t deliver_all() {
    uint64_t delivered = 0;
    std::deque<Message> in_flight;
    bool progressed = true;
    while (progressed) {
      progressed = false;
      for (auto& engine : engines_) {
        if (!engine->has_ready()) continue;
        Ready ready = engine->ready();
        for (Message& message : ready.early_messages) in_flight.push_back(std::move(message));
        for (Message& message : ready.messages) in_flight.push_back(std::move(message));
        if (ready.needs_persist() && ready.must_sync) ++syncs_;
        engine->advance();
        progressed = true;
      }
      while (!in_flight.empty()) {
        const Message message = std::move(in_flight.front());
        in_flight.pop_front();
        if (!engines_[message.to - 1]->step(message).ok()) std::abort();
        ++delivered;
        progressed = true;
      }
    }
    return delivered;
  }

 private:
  std::vector<std::unique_ptr<RaftEngine>> engines_;
  uint64_t syncs_ = 0;  // Readies that needed a sync, all engines
};

void BM_RaftThreeNodeCommit(benchmark::State& state) {
  ThreeEngines cluster(7);
  const std::string command(static_cast<size_t>(state.range(0)), 'c');
  uint64_t messages = 0;
  const uint64_t syncs_before = cluster.syncs();
  for (auto _ : state) {
    const ProposeResult result = cluster.leader().propose(command);
    if (!result.status.ok()) state.SkipWithError("proposal refused");
    messages += cluster.deliver_all();
    if (cluster.leader().status().commit < result.index) state.SkipWithError("not committed");
  }
  state.counters["messages_per_commit"] =
      static_cast<double>(messages) / static_cast<double>(state.iterations());
  state.counters["syncs_per_commit"] =
      static_cast<double>(cluster.syncs() - syncs_before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RaftThreeNodeCommit)->Arg(100)->Arg(4096);

// 64 proposals of 100 bytes between two Readies (one turn of a busy server's loop), then commit:
// the cost per write when the proposals share one append per follower.
void BM_RaftThreeNodeBatchCommit(benchmark::State& state) {
  ThreeEngines cluster(7);
  const std::string command(100, 'c');
  const auto batch = static_cast<uint64_t>(state.range(0));
  uint64_t messages = 0;
  const uint64_t syncs_before = cluster.syncs();
  for (auto _ : state) {
    ProposeResult result;
    for (uint64_t i = 0; i < batch; ++i) result = cluster.leader().propose(command);
    if (!result.status.ok()) state.SkipWithError("proposal refused");
    messages += cluster.deliver_all();
    if (cluster.leader().status().commit < result.index) state.SkipWithError("not committed");
  }
  const auto writes = static_cast<double>(state.iterations() * batch);
  state.counters["messages_per_write"] = static_cast<double>(messages) / writes;
  state.counters["syncs_per_write"] = static_cast<double>(cluster.syncs() - syncs_before) / writes;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_RaftThreeNodeBatchCommit)->Arg(64);

}  // namespace
}  // namespace synod::consensus::raft
