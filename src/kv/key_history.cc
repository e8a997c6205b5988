#include "kv/key_history.h"

#include <algorithm>

#include "core/check.h"

namespace synod::kv {

int64_t KeyHistory::latest_index_at(int64_t revision) const {
  // First record past `revision` (any sub), then one back.
  auto past = std::upper_bound(records_.begin(), records_.end(), revision,
                               [](int64_t rev, const KeyRecord& r) { return rev < r.modified.main; });
  return static_cast<int64_t>(past - records_.begin()) - 1;
}

std::optional<KeyValue> KeyHistory::live_at(const std::string& key, int64_t revision) const {
  int64_t index = latest_index_at(revision);
  if (index < 0 || records_[index].tombstone) return std::nullopt;
  const KeyRecord& record = records_[index];
  return KeyValue{key, record.create_revision, record.modified.main, record.version,
                  record.value.str(), record.lease};
}

void KeyHistory::put(Revision at, std::string_view value, int64_t lease) {
  SYNOD_CHECK(records_.empty() || records_.back().modified < at, "key history must grow");
  KeyRecord record{at, at.main, 1, lease, StoredValue(value), false};
  if (is_live()) {
    record.create_revision = records_.back().create_revision;
    record.version = records_.back().version + 1;
  }
  records_.push_back(std::move(record));
}

void KeyHistory::remove(Revision at) {
  SYNOD_CHECK(is_live(), "only a live key can be deleted");
  SYNOD_CHECK(records_.back().modified < at, "key history must grow");
  records_.push_back(KeyRecord{at, 0, 0, 0, {}, true});
}

void KeyHistory::compact(int64_t at_revision) {
  int64_t index = latest_index_at(at_revision);
  if (index < 0) return;
  int64_t keep_from = records_[index].tombstone ? index + 1 : index;
  records_.erase(records_.begin(), records_.begin() + keep_from);
}

KeyHistory KeyHistory::from_records(std::vector<KeyRecord> records) {
  KeyHistory history;
  history.records_ = std::move(records);
  return history;
}

namespace {

Status invalid(const std::string& why) { return Status(StatusCode::kCorruption, "kv: " + why); }

Status validate_successor(const KeyRecord& previous, const KeyRecord& record) {
  if (!(previous.modified < record.modified)) return invalid("key history out of order");
  if (record.tombstone) {
    if (previous.tombstone) return invalid("two tombstones in a row");
    return Status::Ok();
  }
  if (previous.tombstone) {
    if (record.version != 1 || record.create_revision != record.modified.main)
      return invalid("a recreated key must start at version 1");
    return Status::Ok();
  }
  if (record.version != previous.version + 1 || record.create_revision != previous.create_revision)
    return invalid("versions of a generation must count up from its creation");
  return Status::Ok();
}

}  // namespace

Status KeyHistory::validate(const std::vector<KeyRecord>& records, int64_t current_revision,
                            int64_t compacted_revision) {
  if (records.empty()) return invalid("empty key history");
  const KeyRecord& first = records.front();
  if (first.tombstone) return invalid("key history starts with a tombstone");
  if (first.version < 1 || first.create_revision < 2 || first.create_revision > first.modified.main)
    return invalid("bad first version");
  if (first.version == 1 && first.create_revision != first.modified.main)
    return invalid("version 1 must be the creation");
  // Each version of a generation took its own revision (a Txn puts a key at most once).
  if (first.version > first.modified.main - first.create_revision + 1)
    return invalid("more versions than revisions since the creation");
  int64_t at_or_below_compaction = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const KeyRecord& record = records[i];
    if (record.modified.main < 2 || record.modified.main > current_revision || record.modified.sub < 0)
      return invalid("revision out of range");
    if (record.tombstone && (record.version != 0 || record.create_revision != 0 ||
                             record.lease != 0 || !record.value.empty()))
      return invalid("a tombstone carries no data");
    if (record.modified.main <= compacted_revision) ++at_or_below_compaction;
    if (i > 0) {
      Status status = validate_successor(records[i - 1], record);
      if (!status.ok()) return status;
    }
  }
  if (at_or_below_compaction > 1) return invalid("history older than the compaction");
  return Status::Ok();
}

}  // namespace synod::kv
