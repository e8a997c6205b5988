#pragma once
// WatchHub: etcd's watchableStore over an MvccStore, for one owner thread (the node thread).
//
// Watchers live on streams (one per gRPC Watch call). Each watcher has `next_revision`, the first
// revision it has not been given yet. Invariant: a watcher has been sent every matching event with
// revision < next_revision, exactly once and in order, and nothing at or above it.
//   - synced   (next_revision > the store's revision): on_applied() hands it the new revision's
//              events at once, if its stream's sink has room; otherwise it becomes unsynced and
//              the write goes on: a slow stream never blocks writes or other streams;
//   - unsynced (behind): pump() catches it up from the store's history (events_between), one
//              chunk of at most `catch_up_max_events` events (whole revisions) per turn and only
//              while its sink has room, until it reaches the store's revision and is synced again.
// A watcher created with a past start revision starts unsynced (replay). One that falls below the
// compacted revision is sent compact_revision with canceled set and removed, as etcd does.
//
// Control responses (created, canceled, progress) are always sent: the client's own requests
// bound them. Events go only to a sink with room: the sink's buffer is the bound.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kv/key_range.h"
#include "kv/mvcc_store.h"
#include "kv/types.h"

namespace synod::kv {

// etcd's WatchResponse, without the server's header fields (header_revision is the store's).
struct WatchResponse {
  int64_t header_revision = 0;
  int64_t watch_id = 0;
  bool created = false;
  bool canceled = false;
  int64_t compact_revision = 0;
  std::string cancel_reason;
  bool fragment_allowed = false;  // the watcher asked for fragments: the sender may split this
  std::vector<Event> events;
};

// Where a stream's responses go. Called on the hub's thread only.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // False while the stream's buffer is full: events wait in the store's history instead.
  virtual bool has_room() const = 0;
  virtual void send(WatchResponse response) = 0;
};

// etcd's WatchCreateRequest, with the filters as flags.
struct WatchCreate {
  std::string key;
  std::string range_end;        // RangeRequest's convention ("\0": every key >= key)
  int64_t start_revision = 0;   // 0: the next revision
  int64_t watch_id = 0;         // 0: the hub picks the lowest unused id of the stream
  bool no_put = false;
  bool no_delete = false;
  bool prev_kv = false;
  bool progress_notify = false;
  bool fragment = false;
};

struct WatchHubOptions {
  int64_t catch_up_max_events = 1000;  // per catch-up response (whole revisions, at least one)
  int64_t progress_notify_interval_ms = 10 * 60 * 1000;  // etcd's default: 10 minutes
};

inline constexpr std::string_view kErrWatcherRangeEmpty = "mvcc: watcher range is empty";
inline constexpr std::string_view kErrWatcherDuplicateId =
    "mvcc: duplicate watch ID provided on the WatchStream";
inline constexpr int64_t kInvalidWatchId = -1;  // etcd's clientv3.InvalidWatchID

class WatchHub {
 public:
  using StreamId = uint64_t;

  // `store` must outlive the hub; the hub reads it on the owner thread only.
  explicit WatchHub(const MvccStore& store, WatchHubOptions options = {});

  StreamId open_stream(std::shared_ptr<WatchSink> sink);
  // Drops the stream and its watchers; unknown ids are ignored.
  void close_stream(StreamId stream);

  // Answers with a created response (canceled, with etcd's reason, when refused).
  void create(StreamId stream, WatchCreate request);
  // Answers with a canceled response if the watcher existed (etcd sends nothing otherwise).
  void cancel(StreamId stream, int64_t watch_id);
  // etcd 3.4's WatchProgressRequest: one response with watch_id -1 at the current revision.
  void request_progress(StreamId stream);

  // The store applied a write at `revision` with these events (in order).
  void on_applied(int64_t revision, const std::vector<Event>& events);
  // The store was replaced by a snapshot: every watcher catches up from the new store.
  void on_restored();
  // Catches up unsynced watchers whose sinks have room. Call after writes and when a sink
  // drained.
  void pump();
  // Sends progress notifications when the interval elapsed (`now_ms`: any monotonic clock).
  void tick(int64_t now_ms);

  size_t watcher_count() const;
  size_t unsynced_count() const;

 private:
  struct Watcher {
    int64_t id = 0;
    std::string key;
    std::string range_end;
    KeyRange range{"", ""};
    int64_t next_revision = 0;
    bool synced = false;
    bool no_put = false;
    bool no_delete = false;
    bool prev_kv = false;
    bool progress_notify = false;
    bool fragment = false;
    bool sent_events_since_progress = false;
  };
  struct Stream {
    std::shared_ptr<WatchSink> sink;
    std::map<int64_t, Watcher> watchers;  // by watch id
    std::set<int64_t> unsynced;           // ids of its unsynced watchers
    int64_t next_auto_id = 0;
  };

  std::vector<Event> matching(const Watcher& watcher, const std::vector<Event>& events) const;
  void send_events(Stream& stream, Watcher& watcher, int64_t header_revision,
                   std::vector<Event> events);
  void mark_unsynced(Stream& stream, Watcher& watcher);
  // One catch-up step; false when the watcher was removed (compacted).
  bool catch_up(Stream& stream, Watcher& watcher);

  const MvccStore& store_;
  WatchHubOptions options_;
  std::map<StreamId, Stream> streams_;
  StreamId next_stream_id_ = 1;
  int64_t next_progress_ms_ = -1;  // -1: not started
};

}  // namespace synod::kv
