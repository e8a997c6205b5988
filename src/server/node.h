#pragma once
// Node: the runtime of one Synod member. One thread (the node thread) owns the consensus engine,
// the durable storage and the MVCC store and drives the Ready loop of consensus/engine.h:
//   1. persist the Ready's snapshot, entries and hard state, then one fdatasync (all proposals
//      that arrived meanwhile share it: the group commit);
//   2. send its messages through the peer transport, only once step 1 is durable;
//   3. apply: restore the snapshot, apply committed entries in order, answer the requests waiting
//      on them, serve reads whose ReadState index is applied;
//   4. advance; then compact the log every `snapshot_count` applied entries.
//
// Requests (submit) come from any thread; their callbacks run ON THE NODE THREAD and must be
// quick (the gRPC layer only finishes a reactor). Routing:
//   - a RangeRequest, or a Txn without writes, is a read: serializable Ranges are served at once
//     from the local store ON THE CALLING THREAD, under a reader lock the node thread takes for
//     writing while it applies (no hop to the node thread); linearizable ones wait for a ReadIndex from the leader (a follower
//     asks the leader over the peer transport), then for the local applied index to reach it;
//   - everything else is proposed: on a follower the leader proposes it on its behalf and
//     answers with the (index, term) it got; the answer comes from the LOCAL store once the
//     entry at that index is applied with that term (a different term: the leader changed).
// A request not answered within `request_timeout` fails with etcd's "request timed out".
//
// Storage failure (disk full, I/O error): the WAL refuses everything after a failed write or
// sync, so the node stops its Ready loop, fails every waiting and new write with the storage
// error and keeps serving serializable reads; nothing acknowledged was lost (acknowledgements
// follow the fdatasync). A restart recovers from what is durable.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "consensus/engine.h"
#include "core/status.h"
#include "kv/command.h"
#include "kv/mvcc_store.h"
#include "replica/member_table.h"
#include "storage/file_system.h"
#include "transport/transport_config.h"

namespace synod::kv {
class WatchHub;
}
namespace synod::storage {
class DurableStorage;
}
namespace synod::transport {
class PeerTransport;
}
namespace synod::replica {
class Replica;
}

namespace synod::server {

struct Member {
  consensus::NodeId id = consensus::kNoNode;
  std::string name;
  std::vector<std::string> peer_urls;    // as given, e.g. "http://127.0.0.1:2380"
  std::vector<std::string> client_urls;  // known for this node only (advertised)
  transport::PeerAddress peer_address;   // where the transport dials it
  bool is_learner = false;
};

struct NodeConfig {
  std::string name = "default";
  std::string data_dir = "default.synod";
  consensus::NodeId id = consensus::kNoNode;
  uint64_t cluster_id = 0;
  std::vector<Member> initial_members;  // includes this node
  transport::PeerAddress listen_peer;   // single-node clusters may leave the port 0
  std::string engine = "raft";

  std::chrono::milliseconds heartbeat_interval{100};  // one engine tick
  std::chrono::milliseconds election_timeout{1000};   // rounded to whole ticks
  uint64_t snapshot_count = 100000;                   // applied entries between snapshots
  int64_t quota_backend_bytes = 2ll << 30;            // estimated store bytes; then NOSPACE
  uint64_t max_request_bytes = 1536 * 1024;           // an encoded command, like etcd's limit
  int64_t max_txn_ops = 128;
  std::chrono::milliseconds request_timeout{7000};
  uint64_t wal_segment_bytes = 64ull << 20;
  uint64_t snapshot_catch_up_entries = 5000;          // log kept below a snapshot, as etcd
  // Watches (kv/watch_hub.h): etcd's progress notification interval (10 minutes) and the events
  // of one catch-up response.
  std::chrono::milliseconds watch_progress_notify_interval{10 * 60 * 1000};
  int64_t watch_catch_up_max_events = 1000;

  // Joining a running cluster (an empty data directory with --initial-cluster-state existing): the
  // engine starts without members and waits for the leader's log or snapshot; the cluster id is
  // learnt from the first peer that accepts us (cluster_id 0).
  bool join_existing = false;
  // A peer URL of a member added at run time -> its canonical text and the address to dial;
  // nullopt when invalid. The default takes only http://IPv4:port.
  std::function<std::optional<std::pair<std::string, transport::PeerAddress>>(const std::string&)>
      parse_peer_url;
  // The id a member with these (canonical) peer URLs gets: the same recipe as at bootstrap.
  std::function<consensus::NodeId(const std::vector<std::string>&)> member_id_for_peer_urls;
  // Called once, on the node thread, when this member applies its own removal.
  std::function<void()> on_removed;

  // One structured line per event (start, leader change, failure); stderr when empty.
  std::function<void(const std::string&)> log;
};

// What a response header carries (etcdserverpb.ResponseHeader).
struct HeaderInfo {
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  int64_t revision = 0;
  uint64_t raft_term = 0;
};

struct NodeStatus {
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  consensus::NodeId leader = consensus::kNoNode;
  uint64_t raft_term = 0;
  uint64_t raft_index = 0;          // last log index
  uint64_t raft_applied_index = 0;
  int64_t revision = 0;
  int64_t compacted_revision = 0;
  int64_t db_size = 0;              // estimated store bytes (what the quota counts)
  bool is_learner = false;
  std::vector<Member> members;      // the membership in force, by id
  std::vector<std::string> errors;  // e.g. the storage failure
};

// The outcome of a Cluster request and the members as of its application (or now, on error).
using MemberDone = std::function<void(const Status& status, const std::vector<Member>& members,
                                      const HeaderInfo& header)>;

// The response or the error of one request. On error `result.status` carries etcd's message text
// (kv/errors.h, server/errors.h) and `result.response` is empty.
using RequestDone = std::function<void(const kv::ApplyResult& result, const HeaderInfo& header)>;

class Node {
 public:
  Node(NodeConfig config, storage::FileSystem& fs);
  ~Node();  // stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Recovers from the data directory (or bootstraps a new one), starts the transport and the node
  // thread. An error names what failed (a corrupt file, an address in use, a bad configuration).
  Status start();
  // Fails every waiting request, stops the thread and the transport. Idempotent.
  void stop();

  // Any thread. `done` runs exactly once, on the node thread (or inline when refused at once, or
  // for a serializable Range).
  void submit(kv::Command command, RequestDone done);

  // Any thread. `task` runs on the node thread with the replica, once per turn of the loop (at
  // least once a heartbeat) until it returns true; if the node stops first, once more with
  // nullptr. For maintenance calls that read the store or wait on the engine (docs/maintenance.md);
  // like request callbacks, it must be quick.
  using NodeTask = std::function<bool(replica::Replica* replica)>;
  void run_on_node_thread(NodeTask task);
  // Any thread: runs `task` on the node thread with the node's watch hub, which sees every
  // applied write; then the hub catches up slow watchers. False (the task dropped) when the node
  // is not running.
  bool with_watch_hub(std::function<void(kv::WatchHub&)> task);
  // Any thread. `done` runs exactly once, on the node thread (or inline when refused at once).
  // node_members.cc.
  void change_members(replica::MemberRequest request, MemberDone done);
  // The peer URLs of a MemberAdd or MemberUpdate made canonical, and (when `id` is given) the id
  // they derive; etcd's "given member URLs are invalid" when one is invalid, or there are none or
  // too many.
  Status resolve_new_member(std::vector<std::string>& peer_urls, consensus::NodeId* id) const;
  static constexpr size_t kMaxPeerUrls = 64;  // what a replicated MemberRequest holds

  // Any thread; a consistent copy.
  NodeStatus status() const;
  // Any thread, without copying the status: whether this member is a learner (per request).
  bool is_learner() const;
  HeaderInfo header() const;
  // The peer port actually bound (after start()).
  uint16_t peer_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace synod::server
