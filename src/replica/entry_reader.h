#pragma once
// The engine's EntrySource over the replica's WAL: the engine keeps only recent entry payloads in
// memory, and a follower that has fallen further behind gets the older ones read back from the
// WAL segments (each record checked: checksum, index, term). Below the newest snapshot the WAL
// may be released: the read fails and the engine sends a snapshot instead.
#include "consensus/engine.h"
#include "storage/durable_storage.h"

namespace synod::replica {

class EntryReader final : public consensus::EntrySource {
 public:
  explicit EntryReader(storage::DurableStorage& storage) : storage_(storage) {}

  Status load_entry(uint64_t index, consensus::Entry& entry) override {
    return storage_.wal().read_entry(index, entry);
  }

 private:
  storage::DurableStorage& storage_;
};

}  // namespace synod::replica
