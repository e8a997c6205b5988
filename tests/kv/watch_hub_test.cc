// WatchHub over a real MvccStore: every write goes through the store (which reports its events)
// and then the hub, as the node does. A FakeSink buffers responses up to a capacity; the test
// drains it to play a slow or a fast client.
#include "kv/watch_hub.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kv/errors.h"
#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

class FakeSink : public WatchSink {
 public:
  explicit FakeSink(size_t capacity = 1000000) : capacity_(capacity) {}
  bool has_room() const override { return buffered_.size() < capacity_; }
  void send(WatchResponse response) override { buffered_.push_back(std::move(response)); }
  std::vector<WatchResponse> drain() {
    std::vector<WatchResponse> out(buffered_.begin(), buffered_.end());
    buffered_.clear();
    return out;
  }
  size_t buffered() const { return buffered_.size(); }

 private:
  size_t capacity_;
  std::deque<WatchResponse> buffered_;
};

class WatchHubTest : public ::testing::Test {
 protected:
  void put(const std::string& key, const std::string& value) {
    PutRequest request{key, value};
    PutResponse response;
    std::vector<Event> events;
    ASSERT_TRUE(store.put(request, response, &events).ok());
    hub.on_applied(store.current_revision(), events);
  }
  void remove(const std::string& key, const std::string& range_end = "") {
    DeleteRangeRequest request{key, range_end};
    DeleteRangeResponse response;
    std::vector<Event> events;
    ASSERT_TRUE(store.delete_range(request, response, &events).ok());
    if (!events.empty()) hub.on_applied(store.current_revision(), events);
  }
  void compact(int64_t revision) {
    CompactionResponse response;
    ASSERT_TRUE(store.compact(CompactionRequest{revision}, response).ok());
  }
  static WatchCreate watch(std::string key, std::string range_end = "", int64_t start = 0) {
    WatchCreate create;
    create.key = std::move(key);
    create.range_end = std::move(range_end);
    create.start_revision = start;
    return create;
  }
  // "PUT key=value@rev" / "DELETE key@rev" for every event of every response, in order.
  static std::vector<std::string> describe_events(const std::vector<WatchResponse>& responses,
                                                  int64_t watch_id) {
    std::vector<std::string> out;
    for (const WatchResponse& response : responses) {
      if (response.watch_id != watch_id) continue;
      for (const Event& event : response.events) {
        std::string text = event.type == Event::Type::kPut
                               ? "PUT " + event.kv.key + "=" + event.kv.value
                               : "DELETE " + event.kv.key;
        text += "@" + std::to_string(event.kv.mod_revision);
        if (event.prev_kv) text += " prev=" + event.prev_kv->value;
        out.push_back(text);
      }
    }
    return out;
  }

  MvccStore store;
  WatchHub hub{store, WatchHubOptions{}};
};

TEST_F(WatchHubTest, CreatedResponseThenEventsOfTheRangeOnly) {
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  put("a", "0");
  hub.create(stream, watch("a", "c"));
  put("a", "1");
  put("b", "2");
  put("c", "3");  // outside [a, c)
  remove("a");
  auto responses = sink->drain();
  ASSERT_FALSE(responses.empty());
  EXPECT_TRUE(responses[0].created);
  EXPECT_EQ(responses[0].watch_id, 0);
  EXPECT_EQ(responses[0].header_revision, 2);
  EXPECT_EQ(describe_events(responses, 0),
            (std::vector<std::string>{"PUT a=1@3", "PUT b=2@4", "DELETE a@6"}));
  // One response per revision, its header at that revision.
  EXPECT_EQ(responses.back().header_revision, 6);
}

TEST_F(WatchHubTest, FiltersAndPrevKv) {
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  WatchCreate no_put = watch("k");
  no_put.no_put = true;
  no_put.prev_kv = true;
  WatchCreate no_delete = watch("k");
  no_delete.no_delete = true;
  hub.create(stream, no_put);     // id 0
  hub.create(stream, no_delete);  // id 1
  put("k", "v1");
  put("k", "v2");
  remove("k");
  auto responses = sink->drain();
  EXPECT_EQ(describe_events(responses, 0), (std::vector<std::string>{"DELETE k@4 prev=v2"}));
  EXPECT_EQ(describe_events(responses, 1), (std::vector<std::string>{"PUT k=v1@2", "PUT k=v2@3"}));
}

TEST_F(WatchHubTest, ReplayFromAPastRevisionThenLiveEvents) {
  put("a", "1");
  put("a", "2");
  remove("a");
  put("a", "3");
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  WatchCreate from_three = watch("a", "", 3);
  from_three.prev_kv = true;
  hub.create(stream, from_three);
  EXPECT_EQ(hub.unsynced_count(), 0u);
  put("a", "4");
  EXPECT_EQ(describe_events(sink->drain(), 0),
            (std::vector<std::string>{"PUT a=2@3 prev=1", "DELETE a@4 prev=2", "PUT a=3@5",
                                      "PUT a=4@6 prev=3"}));
}

TEST_F(WatchHubTest, StartBelowTheCompactedRevisionIsCanceledWithIt) {
  put("a", "1");
  put("a", "2");
  put("a", "3");
  compact(3);
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  hub.create(stream, watch("a", "", 2));
  auto responses = sink->drain();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_TRUE(responses[0].created);
  EXPECT_FALSE(responses[0].canceled);
  EXPECT_TRUE(responses[1].canceled);
  EXPECT_EQ(responses[1].compact_revision, 3);
  EXPECT_EQ(hub.watcher_count(), 0u);
  // At the compacted revision itself the watch goes on, as etcd's (minRev < compactRev).
  hub.create(stream, watch("a", "", 3));
  EXPECT_EQ(describe_events(sink->drain(), 1),
            (std::vector<std::string>{"PUT a=2@3", "PUT a=3@4"}));
}

TEST_F(WatchHubTest, NegativeStartReplaysFromTheFirstRevision) {
  put("a", "1");
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  hub.create(stream, watch("a", "", -5));
  EXPECT_EQ(describe_events(sink->drain(), 0), (std::vector<std::string>{"PUT a=1@2"}));
  compact(0);
  hub.create(stream, watch("a", "", -5));
  EXPECT_EQ(describe_events(sink->drain(), 1), (std::vector<std::string>{"PUT a=1@2"}));
}

TEST_F(WatchHubTest, ClientChosenIdsDuplicatesAndEmptyRange) {
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  WatchCreate chosen = watch("a");
  chosen.watch_id = 7;
  hub.create(stream, chosen);
  hub.create(stream, chosen);
  hub.create(stream, watch("b", "a"));
  auto responses = sink->drain();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].watch_id, 7);
  EXPECT_FALSE(responses[0].canceled);
  EXPECT_EQ(responses[1].watch_id, -1);
  EXPECT_TRUE(responses[1].created && responses[1].canceled);
  EXPECT_EQ(responses[1].cancel_reason, kErrWatcherDuplicateId);
  EXPECT_EQ(responses[2].cancel_reason, kErrWatcherRangeEmpty);
  // Auto ids skip the ones a client chose, as etcd's watchStream.
  for (int i = 0; i < 8; ++i) hub.create(stream, watch("x"));
  responses = sink->drain();
  EXPECT_EQ(responses.back().watch_id, 8);
}

TEST_F(WatchHubTest, CancelStopsEventsAndAnswersOnlyKnownIds) {
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  hub.create(stream, watch("a"));
  put("a", "1");
  hub.cancel(stream, 0);
  hub.cancel(stream, 42);
  put("a", "2");
  auto responses = sink->drain();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_TRUE(responses[2].canceled);
  EXPECT_EQ(responses[2].watch_id, 0);
  EXPECT_EQ(responses[2].header_revision, 2);
  EXPECT_EQ(describe_events(responses, 0), (std::vector<std::string>{"PUT a=1@2"}));
}

TEST_F(WatchHubTest, ProgressRequestAndProgressNotify) {
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  WatchCreate notify = watch("a");
  notify.progress_notify = true;
  hub.create(stream, notify);
  hub.create(stream, watch("b"));
  sink->drain();
  hub.request_progress(stream);
  auto responses = sink->drain();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].watch_id, -1);
  EXPECT_EQ(responses[0].header_revision, 1);

  const int64_t interval = WatchHubOptions{}.progress_notify_interval_ms;
  hub.tick(0);
  hub.tick(interval - 1);
  EXPECT_EQ(sink->buffered(), 0u);
  put("b", "1");  // not watcher 0's: it still needs a notification
  hub.tick(interval);
  responses = sink->drain();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[1].watch_id, 0);
  EXPECT_TRUE(responses[1].events.empty());
  EXPECT_EQ(responses[1].header_revision, 2);
  put("a", "1");  // an event in the interval replaces the notification
  hub.tick(2 * interval);
  responses = sink->drain();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].events.size(), 1u);
}

TEST_F(WatchHubTest, SlowStreamCatchesUpInOrderWithoutBlockingOthers) {
  auto slow = std::make_shared<FakeSink>(2);
  auto fast = std::make_shared<FakeSink>();
  auto slow_stream = hub.open_stream(slow);
  auto fast_stream = hub.open_stream(fast);
  hub.create(slow_stream, watch("k", "l"));
  hub.create(fast_stream, watch("k", "l"));
  std::vector<std::string> slow_seen, fast_seen, expected;
  size_t most_unsynced = 0;
  for (int i = 0; i < 50; ++i) {
    std::string key = "k" + std::to_string(i % 7);
    put(key, std::to_string(i));
    most_unsynced = std::max(most_unsynced, hub.unsynced_count());
    expected.push_back("PUT " + key + "=" + std::to_string(i) + "@" + std::to_string(i + 2));
    if (i % 10 == 9) {  // the slow client reads now and then
      for (auto& text : describe_events(slow->drain(), 0)) slow_seen.push_back(text);
      hub.pump();
    }
    for (auto& text : describe_events(fast->drain(), 0)) fast_seen.push_back(text);
  }
  EXPECT_EQ(fast_seen, expected);
  EXPECT_EQ(most_unsynced, 1u);  // the slow watcher only
  while (slow->buffered() > 0 || hub.unsynced_count() > 0) {
    for (auto& text : describe_events(slow->drain(), 0)) slow_seen.push_back(text);
    hub.pump();
  }
  EXPECT_EQ(slow_seen, expected);
}

TEST_F(WatchHubTest, CatchUpComesInChunksOfWholeRevisions) {
  WatchHub chunked(store, WatchHubOptions{3, 1000});
  for (int i = 0; i < 10; ++i) {
    TxnRequest txn;
    for (int j = 0; j < 2; ++j)
      txn.success.push_back(RequestOp{PutRequest{"k" + std::to_string(j), std::to_string(i)}});
    TxnResponse response;
    ASSERT_TRUE(store.txn(txn, response).ok());
  }
  auto sink = std::make_shared<FakeSink>();
  auto stream = chunked.open_stream(sink);
  chunked.create(stream, watch("k", "l", 1));
  auto responses = sink->drain();
  ASSERT_EQ(responses.size(), 1u + 5u);  // created, then 10 revisions of 2 events, 2 per chunk
  for (size_t i = 1; i < responses.size(); ++i) {
    ASSERT_EQ(responses[i].events.size(), 4u);
    EXPECT_EQ(responses[i].header_revision, responses[i].events.back().kv.mod_revision);
  }
  EXPECT_EQ(responses.back().header_revision, 11);
}

TEST_F(WatchHubTest, RestoreMakesWatchersCatchUpFromTheNewStore) {
  MvccStore ahead;
  auto sink = std::make_shared<FakeSink>();
  auto stream = hub.open_stream(sink);
  hub.create(stream, watch("a"));
  put("a", "1");
  for (const char* value : {"1", "2", "3"}) {
    PutResponse response;
    ASSERT_TRUE(ahead.put(PutRequest{"a", value}, response).ok());
  }
  ASSERT_TRUE(store.restore(ahead.snapshot()).ok());
  hub.on_restored();
  EXPECT_EQ(describe_events(sink->drain(), 0),
            (std::vector<std::string>{"PUT a=1@2", "PUT a=2@3", "PUT a=3@4"}));
}

// 1,000 watchers on one prefix on one stream whose buffer holds 64 responses: writes go on while
// the client reads in bursts; every watcher gets every event exactly once, in order.
TEST_F(WatchHubTest, ThousandWatchersOnOneStreamEachGetEveryEventOnce) {
  constexpr int kWatchers = 1000;
  constexpr int kWrites = 200;
  auto sink = std::make_shared<FakeSink>(64);
  auto stream = hub.open_stream(sink);
  for (int i = 0; i < kWatchers; ++i) hub.create(stream, watch("p/", "p0"));
  std::map<int64_t, std::vector<int64_t>> revisions_seen;
  auto read = [&] {
    for (const WatchResponse& response : sink->drain())
      for (const Event& event : response.events)
        revisions_seen[response.watch_id].push_back(event.kv.mod_revision);
    hub.pump();
  };
  for (int i = 0; i < kWrites; ++i) {
    put("p/" + std::to_string(i % 13), std::to_string(i));
    if (i % 3 == 0) read();
  }
  while (sink->buffered() > 0 || hub.unsynced_count() > 0) read();
  std::vector<int64_t> expected;
  for (int i = 0; i < kWrites; ++i) expected.push_back(i + 2);
  ASSERT_EQ(revisions_seen.size(), static_cast<size_t>(kWatchers));
  for (const auto& [id, seen] : revisions_seen) ASSERT_EQ(seen, expected) << "watcher " << id;
}

}  // namespace
}  // namespace synod::kv
