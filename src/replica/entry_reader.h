#pragma once
// The engine's EntrySource over the replica's WAL: the engine keeps only recent entry payloads in
// memory, and a follower that has fallen further behind gets the older ones read back from the
// WAL segments (each record checked: checksum, index, term). Below the newest snapshot the WAL
// may be released: the read fails and the engine sends a snapshot instead.
#include <functional>
#include <utility>

#include "consensus/engine.h"
#include "storage/durable_storage.h"

namespace synod::replica {

class EntryReader final : public consensus::EntrySource {
 public:
  // `report` hears of every failed read but those of a released region (kCompacted).
  EntryReader(storage::DurableStorage& storage, std::function<void(const Status&)> report)
      : storage_(storage), report_(std::move(report)) {}

  Status load_entry(uint64_t index, consensus::Entry& entry) override {
    Status status = storage_.wal().read_entry(index, entry);
    if (!status.ok() && status.code() != StatusCode::kCompacted) report_(status);
    return status;
  }

 private:
  storage::DurableStorage& storage_;
  std::function<void(const Status&)> report_;
};

}  // namespace synod::replica
