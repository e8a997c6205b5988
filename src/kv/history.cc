// MvccStore::events_between: the events of past writes, rebuilt from the key histories. A record
// and the one before it in the same history give an event and its prev_kv: compaction keeps the
// latest record at or below the compacted revision, so every record above it still has its
// predecessor when the key was live.
#include <algorithm>

#include "kv/errors.h"
#include "kv/key_range.h"
#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

KeyValue value_of(const std::string& key, const KeyRecord& record) {
  return KeyValue{key, record.create_revision, record.modified.main, record.version,
                  record.value.str(), record.lease};
}

Event event_of(const std::string& key, const KeyRecord* previous, const KeyRecord& record) {
  Event event;
  if (record.tombstone) {
    event.type = Event::Type::kDelete;
    event.kv.key = key;
    event.kv.mod_revision = record.modified.main;
  } else {
    event.type = Event::Type::kPut;
    event.kv = value_of(key, record);
  }
  if (previous != nullptr && !previous->tombstone) event.prev_kv = value_of(key, *previous);
  return event;
}

}  // namespace

Status MvccStore::events_between(std::string_view key, std::string_view range_end,
                                 int64_t from_revision, int64_t to_revision,
                                 std::vector<Event>& events) const {
  events.clear();
  from_revision = std::max(from_revision, kInitialRevision);
  if (from_revision < compacted_revision_) return error_compacted();
  std::vector<std::pair<Revision, Event>> found;
  KeyRange range(key, range_end);
  for (auto it = keys_.lower_bound(range.begin()); it != keys_.end(); ++it) {
    if (range.is_past_end(it->first)) break;
    if (!range.contains(it->first)) continue;
    const std::vector<KeyRecord>& records = it->second.records();
    auto first = std::lower_bound(records.begin(), records.end(), from_revision,
                                  [](const KeyRecord& r, int64_t rev) { return r.modified.main < rev; });
    for (auto record = first; record != records.end() && record->modified.main <= to_revision; ++record) {
      const KeyRecord* previous = record == records.begin() ? nullptr : &*(record - 1);
      found.emplace_back(record->modified, event_of(it->first, previous, *record));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  events.reserve(found.size());
  for (auto& [revision, event] : found) events.push_back(std::move(event));
  return Status::Ok();
}

}  // namespace synod::kv
