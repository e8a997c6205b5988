#include "server/node.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <random>
#include <set>
#include <shared_mutex>

#include <arpa/inet.h>
#include <pthread.h>

#include "consensus/registry.h"
#include "kv/watch_hub.h"
#include "replica/replica.h"
#include "replica/request_errors.h"
#include "server/write_path_counters.h"
#include "storage/durable_storage.h"
#include "transport/peer_transport.h"

namespace synod::server {

namespace {

using Clock = std::chrono::steady_clock;

uint64_t whole_ticks(std::chrono::milliseconds duration, std::chrono::milliseconds tick) {
  return std::max<uint64_t>(1, static_cast<uint64_t>(duration.count() / std::max<int64_t>(1, tick.count())));
}

}  // namespace

// The node thread's world: the transport sends, syncs run inline (the loop batches first). The
// node thread is also the transport's io thread (PeerTransport::start_on_caller_thread): peer
// messages are read and written by it, so none crosses a thread.
struct Node::Impl : replica::ReplicaEnv {
  Impl(NodeConfig config_in, storage::FileSystem& fs_in) : config(std::move(config_in)), fs(fs_in) {}

  // ReplicaEnv, called on the node thread.
  void send(consensus::Message message) override {
    if (transport == nullptr || message.to == config.id) return;
    counters.count_send(message);
    transport->send(std::move(message));
  }
  void on_durable(const consensus::Ready& ready) override { counters.count_sync(ready); }
  void schedule_sync(std::function<void()> sync) override { pending_syncs.push_back(std::move(sync)); }
  void on_fault(const std::string& what, const std::string& message) override {
    log("{\"level\":\"error\",\"msg\":\"node stopped serving writes\",\"cause\":\"" + what +
        "\",\"error\":\"" + json_escape(message) + "\"}");
  }
  void on_read_back_failed(const Status& why) override {
    // Each append to the lagging follower tries again: one line per distinct error.
    if (why.message() == last_read_back_error) return;
    last_read_back_error = why.message();
    log("{\"level\":\"error\",\"msg\":\"could not read back from storage for a lagging "
        "follower\",\"error\":\"" + json_escape(why.message()) + "\"}");
  }
  void on_store_changed(int64_t revision, const std::vector<kv::Event>& events) override {
    if (watch_hub) watch_hub->on_applied(revision, events);
  }
  void on_store_restored() override {
    if (watch_hub) watch_hub->on_restored();
  }
  void before_store_changes() override { store_mutex.lock(); }
  void after_store_changes() override { store_mutex.unlock(); }
  void on_members_changed() override {
    members_changed = true;
    status_members_stale = true;
  }
  void on_snapshot_applied(const consensus::SnapshotMeta& meta) override {
    log("{\"level\":\"info\",\"msg\":\"applied a snapshot from the leader\",\"index\":" +
        std::to_string(meta.index) + "}");
  }
  void on_leader_change(consensus::NodeId leader, uint64_t term) override {
    log("{\"level\":\"info\",\"msg\":\"leader changed\",\"leader\":\"" + hex(leader) +
        "\",\"term\":" + std::to_string(term) + "}");
  }

  void log(const std::string& line) {
    if (config.log) {
      config.log(line);
    } else {
      std::cerr << line << std::endl;
    }
  }
  static std::string hex(uint64_t value) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
    return buffer;
  }
  static std::string json_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (static_cast<unsigned char>(c) < 0x20) continue;
      out.push_back(c);
    }
    return out;
  }

  void run();
  void mark_node_thread();
  // Under inbox_mutex, after queueing into the inbox: whether the node thread needs a wake-up
  // (none is on its way yet). Then, outside the lock, wake_if() posts it into the transport,
  // whose run_until() the node thread waits in.
  bool note_inbox_push();
  void wake_if(bool needed);
  // Answers a serializable Range on the calling thread; false when it must take the queue (the
  // node is not serving, or this is the node thread, which may hold the writer lock).
  bool serve_serializable(const kv::RangeRequest& range, const RequestDone& done);
  void drain_inbox();
  void run_tasks();
  void pump_watch_hub();
  void run_syncs();
  void publish_status();
  HeaderInfo header_at(int64_t revision) const;
  // node_members.cc.
  void sync_members();
  void maybe_publish_attributes();
  std::vector<Member> current_members() const;
  std::optional<std::pair<std::string, transport::PeerAddress>> parse_peer_url(const std::string& url) const;

  NodeConfig config;
  storage::FileSystem& fs;
  std::unique_ptr<replica::Replica> replica;
  std::unique_ptr<transport::PeerTransport> transport;
  std::vector<std::function<void()>> pending_syncs;  // node thread only
  WritePathCounters counters;                         // node thread only
  std::string last_read_back_error;                   // node thread only
  std::thread thread;

  struct Request {
    kv::Command command;
    RequestDone done;
  };
  std::mutex inbox_mutex;
  bool wake_pending = false;  // guarded by inbox_mutex: a wake-up is on its way to the node thread
  std::vector<consensus::Message> arrived_messages;  // node thread only (the transport's handler)
  std::deque<Request> inbox_requests;              // guarded by inbox_mutex
  std::unique_ptr<kv::WatchHub> watch_hub;  // node thread only, after start()
  std::deque<NodeTask> inbox_tasks;                // guarded by inbox_mutex
  std::vector<NodeTask> running_tasks;             // node thread only

  // Node thread only (node_members.cc).
  bool members_changed = true;
  // publish_status rebuilds the member list only after a change (it runs every loop turn).
  bool status_members_stale = true;
  bool attributes_published = false;
  bool publish_in_flight = false;
  bool removed = false;
  uint64_t ticks = 0;
  std::map<consensus::NodeId, transport::PeerAddress> peer_addresses;  // what the transport dials
  std::map<consensus::NodeId, uint64_t> peer_removals;  // peer -> tick its link is dropped
  bool stopping = false;                           // guarded by inbox_mutex
  bool running = false;                            // guarded by inbox_mutex

  mutable std::mutex status_mutex;
  NodeStatus published;  // guarded by status_mutex
  std::atomic<uint64_t> term{0};
  std::atomic<bool> learner{false};
  // Held for writing by the node thread while it changes the store, for reading by the threads
  // that answer serializable reads (serve_serializable).
  std::shared_mutex store_mutex;
  std::atomic<bool> serving_reads{false};  // between start() and stop()
};

// Lease timing as etcd derives it: minimum TTL ceil(1.5 * election timeout) in seconds, revokes at
// 1000 a second, checkpoints every 5 minutes, a lost revoke retried after 3 s.
namespace {
void configure_leases(const NodeConfig& config, replica::ReplicaOptions& options) {
  const auto tick_ms = static_cast<uint64_t>(std::max<int64_t>(1, config.heartbeat_interval.count()));
  const auto election_ms = static_cast<int64_t>(config.election_timeout.count());
  options.store.min_lease_ttl_seconds = std::max<int64_t>(1, (3 * election_ms + 1999) / 2000);
  options.leases.tick_milliseconds = tick_ms;
  options.leases.checkpoint_interval_ticks = std::max<uint64_t>(1, 300000 / tick_ms);
  options.leases.revoke_retry_ticks = std::max<uint64_t>(1, 3000 / tick_ms);
  options.leases.max_revokes_per_tick = std::max<uint64_t>(1, tick_ms);
}
}  // namespace

Node::Node(NodeConfig config, storage::FileSystem& fs) : impl_(std::make_unique<Impl>(std::move(config), fs)) {}

Node::~Node() { stop(); }

Status Node::start() {
  Impl& impl = *impl_;
  const NodeConfig& config = impl.config;
  if (config.id == consensus::kNoNode) return {StatusCode::kInvalidArgument, "the node has no member id"};
  const consensus::EngineEntry* engine = consensus::find_engine(config.engine);
  if (engine == nullptr) return {StatusCode::kInvalidArgument, "unknown engine \"" + config.engine + "\""};
  if (config.heartbeat_interval.count() <= 0)
    return {StatusCode::kInvalidArgument, "the heartbeat interval must be positive"};

  replica::ReplicaOptions options;
  options.engine.id = config.id;
  for (const Member& member : config.initial_members) {
    if (!config.join_existing) options.engine.initial_membership.voters.push_back(member.id);
    options.initial_members.push_back({member.id, member.name, member.peer_urls, {}, false});
  }
  std::sort(options.engine.initial_membership.voters.begin(), options.engine.initial_membership.voters.end());
  options.engine.seed = std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32);
  options.engine.heartbeat_ticks = 1;
  options.engine.election_ticks =
      static_cast<uint32_t>(whole_ticks(config.election_timeout, config.heartbeat_interval));
  options.engine_entry = engine;
  options.data_dir = config.data_dir;
  options.storage.wal.segment_bytes = config.wal_segment_bytes;
  options.store.max_txn_ops = config.max_txn_ops;
  options.snapshot_count = config.snapshot_count;
  options.snapshot_catch_up_entries = config.snapshot_catch_up_entries;
  options.request_timeout_ticks = whole_ticks(config.request_timeout, config.heartbeat_interval);
  options.max_request_bytes = config.max_request_bytes;
  options.quota_backend_bytes = config.quota_backend_bytes;
  options.pump_on_input = false;
  configure_leases(config, options);

  transport::PeerTransportConfig transport_config;
  transport_config.id = config.id;
  transport_config.cluster_id = config.cluster_id;
  transport_config.listen = config.listen_peer;
  for (const Member& member : config.initial_members) {
    if (member.id == config.id) continue;
    transport_config.peers[member.id] = member.peer_address;
    impl.peer_addresses[member.id] = member.peer_address;
  }
  transport_config.seed = options.engine.seed;
  transport_config.log = [&impl](const std::string& line) {
    impl.log("{\"level\":\"debug\",\"msg\":\"transport\",\"event\":\"" + Impl::json_escape(line) + "\"}");
  };
  impl.transport = std::make_unique<transport::PeerTransport>(
      transport_config, [&impl](consensus::Message message) {
        impl.arrived_messages.push_back(std::move(message));  // on the node thread (run_until)
      });
  // The ports first, as etcd does: a node that cannot listen leaves no data directory behind.
  Status listening = impl.transport->start_on_caller_thread();
  if (!listening.ok()) return listening;

  impl.replica = std::make_unique<replica::Replica>(impl, impl.fs, options);
  std::vector<std::string> repairs;
  Status started = impl.replica->start(repairs);
  for (const std::string& repair : repairs)
    impl.log("{\"level\":\"warn\",\"msg\":\"repaired the data directory\",\"repair\":\"" +
             Impl::json_escape(repair) + "\"}");
  if (!started.ok()) {
    impl.transport->stop();
    return started;
  }
  impl.run_syncs();
  kv::WatchHubOptions watch_options;
  watch_options.catch_up_max_events = std::max<int64_t>(1, config.watch_catch_up_max_events);
  watch_options.progress_notify_interval_ms =
      std::max<int64_t>(1, config.watch_progress_notify_interval.count());
  impl.watch_hub = std::make_unique<kv::WatchHub>(impl.replica->store(), watch_options);

  impl.publish_status();
  {
    std::lock_guard lock(impl.inbox_mutex);
    impl.running = true;
  }
  impl.thread = std::thread([&impl] { impl.run(); });
  impl.serving_reads.store(true);
  return Status::Ok();
}

void Node::stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.inbox_mutex);
    if (impl.stopping) return;
    impl.stopping = true;
  }
  impl.serving_reads.store(false);
  if (impl.transport) impl.transport->wake();
  if (impl.thread.joinable()) impl.thread.join();
  if (impl.transport) {
    impl.transport->stop();
    impl.log("{\"level\":\"info\",\"msg\":\"write path totals\"" +
             impl.counters.log_fields(impl.transport->stats()) + "}");
  }
  // Requests that arrived after the loop's last look.
  std::deque<Impl::Request> leftover;
  {
    std::lock_guard lock(impl.inbox_mutex);
    leftover.swap(impl.inbox_requests);
    impl.running = false;
  }
  kv::ApplyResult stopped;
  stopped.status = replica::error_stopped();
  for (Impl::Request& request : leftover) request.done(stopped, header());
  std::deque<NodeTask> tasks;
  {
    std::lock_guard lock(impl.inbox_mutex);
    tasks.swap(impl.inbox_tasks);
  }
  for (NodeTask& task : impl.running_tasks) task(nullptr);
  impl.running_tasks.clear();
  for (NodeTask& task : tasks) task(nullptr);
}

void Node::run_on_node_thread(NodeTask task) {
  Impl& impl = *impl_;
  bool queued = false;
  bool wake = false;
  {
    std::lock_guard lock(impl.inbox_mutex);
    if (impl.running && !impl.stopping) {
      impl.inbox_tasks.push_back(std::move(task));
      queued = true;
      wake = impl.note_inbox_push();
    }
  }
  if (queued) return impl.wake_if(wake);
  task(nullptr);
}

void Node::submit(kv::Command command, RequestDone done) {
  Impl& impl = *impl_;
  if (const auto* range = std::get_if<kv::RangeRequest>(&command);
      range != nullptr && range->serializable && impl.serve_serializable(*range, done))
    return;
  bool queued = false;
  bool wake = false;
  {
    std::lock_guard lock(impl.inbox_mutex);
    if (impl.running && !impl.stopping) {
      impl.inbox_requests.push_back({std::move(command), std::move(done)});
      queued = true;
      wake = impl.note_inbox_push();
    }
  }
  if (queued) return impl.wake_if(wake);
  kv::ApplyResult stopped;
  stopped.status = replica::error_stopped();
  done(stopped, header());
}

bool Node::Impl::note_inbox_push() {
  if (wake_pending) return false;
  wake_pending = true;
  return true;
}

void Node::Impl::wake_if(bool needed) {
  if (needed) transport->wake();
}

void Node::Impl::run() {
  mark_node_thread();
  pthread_setname_np(pthread_self(), "synod-node");
  auto next_tick = Clock::now() + config.heartbeat_interval;
  for (;;) {
    // Waits for a peer frame, a wake-up (a request, a task, stop) or the tick, then runs every
    // ready socket handler: received messages land in arrived_messages, finished writes start the
    // next batch.
    transport->run_until(next_tick);
    ++counters.loop_turns;
    {
      std::lock_guard lock(inbox_mutex);
      if (stopping) break;
    }
    if (Clock::now() >= next_tick) {
      replica->tick();
      ++ticks;
      next_tick += config.heartbeat_interval;
      // After a stall (a long fsync), do not tick in a burst: that would fire elections.
      if (next_tick < Clock::now()) next_tick = Clock::now() + config.heartbeat_interval;
    }
    drain_inbox();
    replica->pump();
    run_syncs();
    run_tasks();
    pump_watch_hub();
    sync_members();
    maybe_publish_attributes();
    run_syncs();
    publish_status();
  }
  replica->fail_all(replica::error_stopped());
  publish_status();
}

namespace {
thread_local const void* node_thread_of = nullptr;  // the Node::Impl whose thread this is
}  // namespace

void Node::Impl::mark_node_thread() { node_thread_of = this; }

bool Node::Impl::serve_serializable(const kv::RangeRequest& range, const RequestDone& done) {
  if (node_thread_of == this || !serving_reads.load()) return false;
  kv::ApplyResult result;
  kv::RangeResponse response;
  {
    std::shared_lock lock(store_mutex);
    result.status = replica->store().range(range, response);
    result.revision = replica->store().current_revision();
  }
  result.response = std::move(response);
  done(result, header_at(result.revision));
  return true;
}

void Node::Impl::drain_inbox() {
  std::vector<consensus::Message> messages;
  messages.swap(arrived_messages);
  std::deque<Request> requests;
  {
    std::lock_guard lock(inbox_mutex);
    requests.swap(inbox_requests);
    wake_pending = false;  // whatever is pushed from now on posts a new wake-up
  }
  for (const consensus::Message& message : messages) replica->receive(message);
  for (Request& request : requests) {
    replica->submit(request.command, [this, done = std::move(request.done)](const kv::ApplyResult& result) {
      done(result, header_at(result.revision));
    });
  }
}

void Node::Impl::run_tasks() {
  {
    std::lock_guard lock(inbox_mutex);
    for (NodeTask& task : inbox_tasks) running_tasks.push_back(std::move(task));
    inbox_tasks.clear();
  }
  std::vector<NodeTask> unfinished;
  for (NodeTask& task : running_tasks) {
    if (!task(replica.get())) unfinished.push_back(std::move(task));
  }
  running_tasks.swap(unfinished);
  replica->pump();  // a task may have proposed (an alarm change, a leadership transfer)
  run_syncs();
}

// The hub's timers (progress notifications), then catch-up of slow watchers.
void Node::Impl::pump_watch_hub() {
  watch_hub->tick(std::chrono::duration_cast<std::chrono::milliseconds>(
                      Clock::now().time_since_epoch()).count());
  watch_hub->pump();
}

bool Node::with_watch_hub(std::function<void(kv::WatchHub&)> task) {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.inbox_mutex);
    if (!impl.running || impl.stopping) return false;
  }
  // A node that stops meanwhile runs the task with no replica: it is dropped, like the stream.
  run_on_node_thread([&impl, task = std::move(task)](replica::Replica* replica) {
    if (replica != nullptr) task(*impl.watch_hub);
    return true;
  });
  return true;
}

// Each sync makes the Ready durable, then sends, applies and takes the next Ready (which may
// schedule another sync): run until none is left.
void Node::Impl::run_syncs() {
  while (!pending_syncs.empty()) {
    std::vector<std::function<void()>> syncs;
    syncs.swap(pending_syncs);
    for (auto& sync : syncs) sync();
  }
}

void Node::Impl::publish_status() {
  const replica::ReplicaStatus replica_status = replica->status();
  NodeStatus status;
  status.cluster_id = config.cluster_id;
  status.member_id = config.id;
  status.leader = replica_status.engine.leader;
  status.raft_term = replica_status.engine.term;
  status.raft_index = replica_status.engine.last_index;
  status.raft_applied_index = replica_status.applied_index;
  status.revision = replica_status.revision;
  status.compacted_revision = replica_status.compacted_revision;
  status.db_size = replica_status.estimated_bytes;
  status.is_learner = replica_status.engine.membership.is_learner(config.id);
  if (status_members_stale) {
    status.members = current_members();
  } else {
    std::lock_guard lock(status_mutex);
    status.members = std::move(published.members);
  }
  status_members_stale = false;
  if (transport && transport->cluster_id() != 0) status.cluster_id = transport->cluster_id();
  if (replica_status.failure) status.errors.push_back(replica_status.failure->message());
  for (const replica::Alarm& alarm : replica->alarms())
    status.errors.push_back(replica::describe_alarm(alarm));  // etcd lists alarms in Status
  term.store(status.raft_term, std::memory_order_relaxed);
  learner.store(status.is_learner, std::memory_order_relaxed);
  std::lock_guard lock(status_mutex);
  published = std::move(status);
}

HeaderInfo Node::Impl::header_at(int64_t revision) const {
  HeaderInfo header;
  header.cluster_id = transport && transport->cluster_id() != 0 ? transport->cluster_id() : config.cluster_id;
  header.member_id = config.id;
  header.revision = revision;
  header.raft_term = term.load(std::memory_order_relaxed);
  return header;
}

NodeStatus Node::status() const {
  std::lock_guard lock(impl_->status_mutex);
  return impl_->published;
}

bool Node::is_learner() const { return impl_->learner.load(std::memory_order_relaxed); }

HeaderInfo Node::header() const {
  int64_t revision = 0;
  {
    std::lock_guard lock(impl_->status_mutex);
    revision = impl_->published.revision;
  }
  return impl_->header_at(revision);
}

uint16_t Node::peer_port() const { return impl_->transport ? impl_->transport->listen_port() : 0; }

// Membership: Cluster requests, the member list, publishing this member's name and client URLs
// (etcd's publish), keeping the transport's peers in step with the applied membership, and
// stopping once this member is removed.
namespace {

// A removed peer's link stays up this many election timeouts, so that the farewell heartbeat
// telling it of its removal (raft/membership.cc) still reaches it.
constexpr uint64_t kRemovalGraceElectionTimeouts = 2;

// http://IPv4:port, the one form the fallback parser takes (the synod binary passes its own).
std::optional<std::pair<std::string, transport::PeerAddress>> parse_ipv4_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  const std::string host_port = url.substr(kScheme.size());
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string host = host_port.substr(0, colon);
  const std::string port_text = host_port.substr(colon + 1);
  in_addr address{};
  if (inet_pton(AF_INET, host.c_str(), &address) != 1 || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const int port = std::stoi(port_text);
  if (port <= 0 || port > 65535) return std::nullopt;
  return std::make_pair(url, transport::PeerAddress{host, static_cast<uint16_t>(port)});
}

}  // namespace

std::optional<std::pair<std::string, transport::PeerAddress>> Node::Impl::parse_peer_url(
    const std::string& url) const {
  return config.parse_peer_url ? config.parse_peer_url(url) : parse_ipv4_url(url);
}

void Node::change_members(replica::MemberRequest request, MemberDone done) {
  Impl& impl = *impl_;
  run_on_node_thread([&impl, request = std::move(request),
                      done = std::move(done)](replica::Replica* replica) {
    if (replica == nullptr) {
      done(replica::error_stopped(), {}, impl.header_at(0));
      return true;
    }
    replica->submit_member_request(request, [&impl, done](const kv::ApplyResult& result) {
      // A MemberList right after this answer (etcdctl member add makes one) must see the change.
      impl.publish_status();
      done(result.status, impl.current_members(), impl.header_at(impl.replica->status().revision));
    });
    return true;
  });
}

Status Node::resolve_new_member(std::vector<std::string>& peer_urls, consensus::NodeId* id) const {
  const Status invalid{StatusCode::kInvalidArgument, "etcdserver: given member URLs are invalid"};
  if (peer_urls.empty() || peer_urls.size() > kMaxPeerUrls) return invalid;
  for (std::string& url : peer_urls) {
    auto parsed = impl_->parse_peer_url(url);
    if (!parsed) return invalid;
    url = parsed->first;
  }
  if (id == nullptr) return Status::Ok();
  *id = impl_->config.member_id_for_peer_urls ? impl_->config.member_id_for_peer_urls(peer_urls)
                                              : consensus::kNoNode;
  if (*id == consensus::kNoNode) return {StatusCode::kInvalidArgument, "cannot derive a member id"};
  return Status::Ok();
}

std::vector<Member> Node::Impl::current_members() const {
  std::vector<Member> members;
  for (const replica::MemberInfo& info : replica->members()) {
    Member member;
    member.id = info.id;
    member.name = info.name;
    member.peer_urls = info.peer_urls;
    member.client_urls = info.client_urls;
    member.is_learner = info.is_learner;
    if (!info.peer_urls.empty()) {
      if (auto parsed = parse_peer_url(info.peer_urls.front())) member.peer_address = parsed->second;
    }
    members.push_back(std::move(member));
  }
  return members;
}

// Dials the members the applied membership names, at their (possibly updated) first peer URL;
// drops the links of removed ones after a grace period.
void Node::Impl::sync_members() {
  const uint64_t grace = kRemovalGraceElectionTimeouts *
                         whole_ticks(config.election_timeout, config.heartbeat_interval);
  if (members_changed) {
    members_changed = false;
    std::set<consensus::NodeId> current;
    for (const Member& member : current_members()) {
      if (member.id == config.id || member.peer_urls.empty()) continue;
      current.insert(member.id);
      peer_removals.erase(member.id);
      auto known = peer_addresses.find(member.id);
      if (known != peer_addresses.end() && known->second == member.peer_address) continue;
      if (transport->add_peer(member.id, member.peer_address).ok()) {
        peer_addresses[member.id] = member.peer_address;
        log("{\"level\":\"info\",\"msg\":\"added peer\",\"peer-id\":\"" + hex(member.id) +
            "\",\"address\":\"" + member.peer_address.host + ":" +
            std::to_string(member.peer_address.port) + "\"}");
      }
    }
    // A joiner knows its peers from --initial-cluster before it has any membership: keep them.
    const bool has_membership = !replica->members().empty();
    for (const auto& [peer, address] : peer_addresses) {
      if (has_membership && !current.contains(peer) && replica->was_removed(peer))
        peer_removals.emplace(peer, ticks + grace);
    }
    if (!removed && replica->was_removed(config.id)) {
      removed = true;
      log("{\"level\":\"warn\",\"msg\":\"this member has been permanently removed from the cluster; "
          "stopping\",\"member-id\":\"" + hex(config.id) + "\"}");
      if (config.on_removed) config.on_removed();
    }
  }
  for (auto it = peer_removals.begin(); it != peer_removals.end();) {
    if (it->second > ticks) {
      ++it;
      continue;
    }
    transport->remove_peer(it->first);
    peer_addresses.erase(it->first);
    log("{\"level\":\"info\",\"msg\":\"removed peer\",\"peer-id\":\"" + hex(it->first) + "\"}");
    it = peer_removals.erase(it);
  }
}

// etcd's publish: once there is a leader, this member proposes its name and client URLs, retrying
// until they are applied.
void Node::Impl::maybe_publish_attributes() {
  if (attributes_published || publish_in_flight || removed || replica->failed()) return;
  const replica::ReplicaStatus status = replica->status();
  if (status.engine.leader == consensus::kNoNode || !status.engine.membership.contains(config.id))
    return;
  replica::MemberRequest request;
  request.kind = replica::MemberRequest::Kind::kPublish;
  request.id = config.id;
  request.name = config.name;
  for (const Member& member : config.initial_members)
    if (member.id == config.id) request.client_urls = member.client_urls;
  publish_in_flight = true;
  replica->submit_member_request(request, [this](const kv::ApplyResult& result) {
    publish_in_flight = false;
    attributes_published = result.status.ok();
  });
}

}  // namespace synod::server
