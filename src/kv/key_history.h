#pragma once
// The history of one key: every put and delete still readable, oldest first (etcd's keyIndex).
//
// A generation is a run of puts from a creation (version 1) to the tombstone that ends it; here
// the generations are implicit in the record list: a tombstone closes one, the next put opens the
// next. Invariants (checked by validate(), relied on everywhere):
//   - records are strictly increasing by (main, sub) revision;
//   - a tombstone is never first and never follows a tombstone;
//   - a put after a tombstone has version 1 and create_revision == its main revision;
//   - a put after a put has the previous version + 1 and the same create_revision;
//   - the first record, if a put, has version >= 1 and create_revision <= its main revision
//     (older records of its generation may have been compacted away).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "kv/stored_value.h"
#include "kv/types.h"

namespace synod::kv {

// A write's position: the main revision of its write transaction, then its order inside it.
struct Revision {
  int64_t main = 0;
  int64_t sub = 0;
  friend auto operator<=>(const Revision&, const Revision&) = default;
};

// One per revision of a key: laid out small (56 bytes), the value in one allocation.
struct KeyRecord {
  Revision modified;
  // Puts only (zero for a tombstone):
  int64_t create_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
  StoredValue value;
  bool tombstone = false;
  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};
static_assert(sizeof(KeyRecord) <= 56, "a record per revision: keep it small");

class KeyHistory {
 public:
  // The key's value as of `revision`, or nothing if it did not exist then.
  std::optional<KeyValue> live_at(const std::string& key, int64_t revision) const;

  // Appends a put at `at`, continuing the current generation or opening a new one.
  void put(Revision at, std::string_view value, int64_t lease);
  // Appends a tombstone; the key must be live.
  void remove(Revision at);
  bool is_live() const { return !records_.empty() && !records_.back().tombstone; }

  // Drops what no read at revision >= at_revision can see: every record older than the latest
  // one at or below at_revision, and that one too if it is a tombstone.
  void compact(int64_t at_revision);

  bool empty() const { return records_.empty(); }
  const std::vector<KeyRecord>& records() const { return records_; }

  // Checks the invariants above, that every revision lies in [2, current_revision], and, when
  // compacted_revision >= 0, that compaction left at most one put at or below it.
  static Status validate(const std::vector<KeyRecord>& records, int64_t current_revision,
                         int64_t compacted_revision);
  static KeyHistory from_records(std::vector<KeyRecord> records);

 private:
  // Index of the latest record with main revision <= revision, or -1.
  int64_t latest_index_at(int64_t revision) const;

  std::vector<KeyRecord> records_;
};

}  // namespace synod::kv
