#pragma once
// A simulated client: one Jepsen process at a time, issuing read / write / cas on a small key
// space (workload.h), one operation at a time, each written value unique. It sends to one node at
// a time; any node serves (followers forward writes and ask the leader for read indexes).
//   - Clients of even index seek the leader: they move to the leader each answer names and stay
//     there until told otherwise, even through timeouts, so that leaders carry most of the load
//     and an isolated leader keeps receiving requests (what stale reads and Figure 8 need).
//   - Clients of odd index stay with their node, like an etcd client pinned to one endpoint, so
//     that forwarding is exercised; they move to another node after an answer of unknown outcome.
// Both move to another node when theirs refuses (nothing happened: the same operation is sent
// again, and nothing is recorded until its final outcome) or does not answer at all (it crashed:
// a live node answers "request timed out" by itself). An answer of unknown outcome, or none,
// records `info`, and the client goes on as a new process, as Jepsen does: a process with an
// operation of unknown outcome can issue nothing more.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "check/history.h"
#include "consensus/engine.h"
#include "core/random.h"
#include "sim/client_protocol.h"
#include "sim/sim_time.h"

namespace synod::sim {

struct ClientOptions {
  uint32_t clients = 5;
  uint32_t keys = 4;
  Tick timeout_ticks = 60;       // the node's request timeout; the client waits a little longer
  Tick hop_ticks = 1;            // client <-> node, each way
  Tick max_think_ticks = 10;     // idle time between two operations, drawn from [0, max]
  uint32_t read_percent = 50;
  uint32_t write_percent = 30;   // the rest are cas
};

// What a client needs from the world around it.
class ClientHost {
 public:
  virtual ~ClientHost() = default;
  virtual Tick now() const = 0;
  virtual void schedule_after(Tick delay_ticks, std::function<void()> action) = 0;
  virtual void submit(consensus::NodeId node, ClientRequest request) = 0;
  virtual void record(check::Event event) = 0;
  // The node ids a client may contact, ascending.
  virtual const std::vector<consensus::NodeId>& contact_points() const = 0;
  // An operation ended: ok/fail/info; `timed_out` for an info of unknown outcome.
  virtual void on_operation_end(Tick invoked, bool timed_out, const std::string& what) = 0;
};

class SimClient {
 public:
  SimClient(ClientHost& host, uint32_t index, const ClientOptions& options, Random random)
      : host_(host),
        index_(index),
        options_(options),
        random_(random),
        process_(index),
        seeks_leader_(index % 2 == 0) {}

  void start();
  // No new operation after this; the one in flight still completes or times out.
  void stop() { stopped_ = true; }
  void on_reply(const ClientReply& reply);
  // The run is over: an operation still outstanding is recorded as info.
  void finish();

  uint64_t operations_completed() const { return completed_; }

 private:
  struct Operation {
    RegisterOperation operation;
    Tick invoked = 0;
    uint64_t attempt = 0;  // of the latest send
  };

  void issue();
  void send();
  void end(check::EventType type, std::optional<std::string> read_value = std::nullopt, bool timed_out = false);
  void on_timeout(uint64_t attempt);
  // Where to send next: to `hint` (the leader an answer named, or kNoNode) when seeking the
  // leader, else to another node if `move_away`.
  void retarget(consensus::NodeId hint, bool move_away);
  check::Event event(check::EventType type) const;
  consensus::NodeId pick_other_node(consensus::NodeId avoid);
  std::string describe() const;

  ClientHost& host_;
  uint32_t index_;
  ClientOptions options_;
  Random random_;
  int64_t process_;
  bool seeks_leader_;
  uint64_t generation_ = 0;  // how many processes this client has been
  uint64_t value_counter_ = 0;
  uint64_t attempts_ = 0;
  bool stopped_ = false;
  uint64_t completed_ = 0;
  consensus::NodeId target_ = consensus::kNoNode;  // the node this client talks to
  std::optional<Operation> current_;
  std::vector<std::optional<std::string>> last_seen_;  // per key: the value last read or written
};

}  // namespace synod::sim
