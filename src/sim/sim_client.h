#pragma once
// A simulated client: one Jepsen process at a time, issuing read / write / cas on a small key
// space, one operation at a time, each written value unique. It sends to the node it believes
// leads; a redirect re-sends the same operation elsewhere and records nothing (only an
// operation's final outcome is history). Once a node has accepted the operation, no answer within
// the timeout records `info` and the client goes on as a new process, as Jepsen does: a process
// with an operation of unknown outcome can issue nothing more.
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
  Tick timeout_ticks = 60;       // from acceptance by a node to the answer
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
  virtual uint64_t next_request_id() = 0;
  // An operation ended: ok/fail/info; `timed_out` for an info after a timeout or at the end.
  virtual void on_operation_end(Tick invoked, bool timed_out, const std::string& what) = 0;
};

class SimClient {
 public:
  SimClient(ClientHost& host, uint32_t index, const ClientOptions& options, Random random)
      : host_(host), index_(index), options_(options), random_(random), process_(index) {}

  void start();
  // No new operation after this; the one in flight still completes or times out.
  void stop() { stopped_ = true; }
  void on_reply(const ClientReply& reply);
  // The run is over: an operation still outstanding is recorded as info.
  void finish();

  uint64_t operations_completed() const { return completed_; }

 private:
  struct Operation {
    RegisterCommand command;
    Tick invoked = 0;
    consensus::NodeId target = consensus::kNoNode;
    bool accepted = false;
  };

  void issue();
  void send();
  void end(check::EventType type, std::optional<std::string> read_value = std::nullopt, bool timed_out = false);
  void on_timeout(uint64_t request_id);
  check::Event event(check::EventType type) const;
  consensus::NodeId pick_other_node(consensus::NodeId avoid);
  std::string describe() const;

  ClientHost& host_;
  uint32_t index_;
  ClientOptions options_;
  Random random_;
  int64_t process_;
  uint64_t generation_ = 0;  // how many processes this client has been
  uint64_t value_counter_ = 0;
  bool stopped_ = false;
  uint64_t completed_ = 0;
  consensus::NodeId leader_guess_ = consensus::kNoNode;
  std::optional<Operation> current_;
  std::vector<std::optional<std::string>> last_seen_;  // per key: the value last read or written
};

}  // namespace synod::sim
