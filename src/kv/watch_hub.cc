#include "kv/watch_hub.h"

#include <algorithm>
#include <utility>

#include "core/check.h"

namespace synod::kv {

WatchHub::WatchHub(const MvccStore& store, WatchHubOptions options)
    : store_(store), options_(options) {
  SYNOD_CHECK(options_.catch_up_max_events > 0, "catch_up_max_events must be positive");
  SYNOD_CHECK(options_.progress_notify_interval_ms > 0, "the progress interval must be positive");
}

WatchHub::StreamId WatchHub::open_stream(std::shared_ptr<WatchSink> sink) {
  StreamId id = next_stream_id_++;
  streams_[id].sink = std::move(sink);
  return id;
}

void WatchHub::close_stream(StreamId stream) { streams_.erase(stream); }

void WatchHub::create(StreamId stream_id, WatchCreate request) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  Stream& stream = found->second;
  WatchResponse response;
  response.header_revision = store_.current_revision();
  response.created = true;
  // As etcd's recvLoop: an empty key is "\0", the smallest key.
  if (request.key.empty()) request.key.assign(1, '\0');
  bool from_key = request.range_end == std::string(1, '\0');
  if (!request.range_end.empty() && !from_key && request.key >= request.range_end) {
    response.watch_id = kInvalidWatchId;
    response.canceled = true;
    response.cancel_reason = std::string(kErrWatcherRangeEmpty);
    stream.sink->send(std::move(response));
    return;
  }
  int64_t id = request.watch_id;
  if (id == 0) {
    while (stream.watchers.count(stream.next_auto_id) != 0) ++stream.next_auto_id;
    id = stream.next_auto_id++;
  } else if (stream.watchers.count(id) != 0) {
    response.watch_id = kInvalidWatchId;
    response.canceled = true;
    response.cancel_reason = std::string(kErrWatcherDuplicateId);
    stream.sink->send(std::move(response));
    return;
  }
  Watcher watcher;
  watcher.id = id;
  watcher.key = request.key;
  watcher.range_end = request.range_end;
  watcher.range = KeyRange(watcher.key, watcher.range_end);
  watcher.no_put = request.no_put;
  watcher.no_delete = request.no_delete;
  watcher.prev_kv = request.prev_kv;
  watcher.progress_notify = request.progress_notify;
  watcher.fragment = request.fragment;
  int64_t current = store_.current_revision();
  // 0: the next revision; a negative start is the first revision (there is nothing before it).
  watcher.next_revision = request.start_revision == 0 ? current + 1
                          : std::max<int64_t>(request.start_revision, MvccStore::kInitialRevision);
  watcher.synced = watcher.next_revision > current;
  response.watch_id = id;
  stream.sink->send(std::move(response));
  Watcher& placed = stream.watchers.emplace(id, std::move(watcher)).first->second;
  if (!placed.synced) stream.unsynced.insert(id);
  pump();
}

void WatchHub::cancel(StreamId stream_id, int64_t watch_id) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  Stream& stream = found->second;
  if (stream.watchers.erase(watch_id) == 0) return;
  stream.unsynced.erase(watch_id);
  WatchResponse response;
  response.header_revision = store_.current_revision();
  response.watch_id = watch_id;
  response.canceled = true;
  stream.sink->send(std::move(response));
}

void WatchHub::request_progress(StreamId stream_id) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  WatchResponse response;
  response.header_revision = store_.current_revision();
  response.watch_id = kInvalidWatchId;
  found->second.sink->send(std::move(response));
}

std::vector<Event> WatchHub::matching(const Watcher& watcher,
                                      const std::vector<Event>& events) const {
  std::vector<Event> out;
  for (const Event& event : events) {
    if (event.kv.mod_revision < watcher.next_revision) continue;
    if (event.type == Event::Type::kPut ? watcher.no_put : watcher.no_delete) continue;
    if (!watcher.range.contains(event.kv.key)) continue;
    out.push_back(event);
    if (!watcher.prev_kv) out.back().prev_kv.reset();
  }
  return out;
}

void WatchHub::send_events(Stream& stream, Watcher& watcher, int64_t header_revision,
                           std::vector<Event> events) {
  WatchResponse response;
  response.header_revision = header_revision;
  response.watch_id = watcher.id;
  response.fragment_allowed = watcher.fragment;
  response.events = std::move(events);
  watcher.sent_events_since_progress = true;
  stream.sink->send(std::move(response));
}

void WatchHub::mark_unsynced(Stream& stream, Watcher& watcher) {
  watcher.synced = false;
  stream.unsynced.insert(watcher.id);
}

void WatchHub::on_applied(int64_t revision, const std::vector<Event>& events) {
  for (auto& [stream_id, stream] : streams_) {
    for (auto& [id, watcher] : stream.watchers) {
      if (!watcher.synced || revision < watcher.next_revision) continue;
      std::vector<Event> mine = matching(watcher, events);
      if (mine.empty()) {
        watcher.next_revision = revision + 1;
        continue;
      }
      if (!stream.sink->has_room()) {
        mark_unsynced(stream, watcher);  // next_revision stays: history has the rest
        continue;
      }
      watcher.next_revision = revision + 1;
      send_events(stream, watcher, revision, std::move(mine));
    }
  }
}

void WatchHub::on_restored() {
  for (auto& [stream_id, stream] : streams_)
    for (auto& [id, watcher] : stream.watchers)
      if (watcher.next_revision <= store_.current_revision()) mark_unsynced(stream, watcher);
  pump();
}

bool WatchHub::catch_up(Stream& stream, Watcher& watcher) {
  int64_t current = store_.current_revision();
  if (watcher.next_revision < store_.compacted_revision()) {
    // As etcd's watcherGroup.choose: the header carries no revision.
    WatchResponse response;
    response.watch_id = watcher.id;
    response.canceled = true;
    response.compact_revision = store_.compacted_revision();
    stream.sink->send(std::move(response));
    stream.unsynced.erase(watcher.id);
    stream.watchers.erase(watcher.id);
    return false;
  }
  std::vector<Event> events;
  Status read = store_.events_between(watcher.key, watcher.range_end, watcher.next_revision,
                                      current, events);
  SYNOD_CHECK(read.ok(), "history above the compacted revision is readable");
  std::vector<Event> mine = matching(watcher, events);
  // Cut at a revision boundary after catch_up_max_events.
  int64_t through = current;
  if (static_cast<int64_t>(mine.size()) > options_.catch_up_max_events) {
    size_t cut = static_cast<size_t>(options_.catch_up_max_events);
    int64_t last = mine[cut - 1].kv.mod_revision;
    while (cut < mine.size() && mine[cut].kv.mod_revision == last) ++cut;
    mine.resize(cut);
    through = last;
  }
  watcher.next_revision = through + 1;
  if (!mine.empty()) send_events(stream, watcher, through, std::move(mine));
  if (watcher.next_revision > current) {
    watcher.synced = true;
    stream.unsynced.erase(watcher.id);
  }
  return true;
}

void WatchHub::pump() {
  for (auto& [stream_id, stream] : streams_) {
    // Round-robin over the stream's unsynced watchers, one chunk each, while the sink has room.
    bool progressed = true;
    while (progressed && !stream.unsynced.empty() && stream.sink->has_room()) {
      progressed = false;
      std::vector<int64_t> ids(stream.unsynced.begin(), stream.unsynced.end());
      for (int64_t id : ids) {
        if (!stream.sink->has_room()) break;
        auto watcher = stream.watchers.find(id);
        if (watcher == stream.watchers.end()) continue;
        catch_up(stream, watcher->second);
        progressed = true;
      }
    }
  }
}

void WatchHub::tick(int64_t now_ms) {
  if (next_progress_ms_ < 0) next_progress_ms_ = now_ms + options_.progress_notify_interval_ms;
  if (now_ms < next_progress_ms_) return;
  next_progress_ms_ = now_ms + options_.progress_notify_interval_ms;
  int64_t current = store_.current_revision();
  // As etcd's sendLoop: a watcher that got events during the interval needs no notification,
  // and only a synced watcher's progress is known.
  for (auto& [stream_id, stream] : streams_) {
    for (auto& [id, watcher] : stream.watchers) {
      if (!watcher.progress_notify) continue;
      bool due = !watcher.sent_events_since_progress;
      watcher.sent_events_since_progress = false;
      if (!due || !watcher.synced) continue;
      WatchResponse response;
      response.header_revision = current;
      response.watch_id = id;
      stream.sink->send(std::move(response));
    }
  }
}

size_t WatchHub::watcher_count() const {
  size_t count = 0;
  for (const auto& [id, stream] : streams_) count += stream.watchers.size();
  return count;
}

size_t WatchHub::unsynced_count() const {
  size_t count = 0;
  for (const auto& [id, stream] : streams_) count += stream.unsynced.size();
  return count;
}

}  // namespace synod::kv
