// Which entry payloads stay in memory, and reading the others back for a lagging follower.
// With an EntrySource the log keeps index, term and kind of every entry but the data only of the
// entries the engine may still need: not yet durable or applied, still being replicated to a
// follower that keeps up (replicating and heard from lately), or among the newest `recent_payloads_` (a follower briefly behind).
// Older ones are read back through the driver; one that does not read back exactly as the log
// has it makes the leader send a snapshot instead, never a wrong or empty entry.
#include <algorithm>

#include "consensus/raft/raft_engine.h"

namespace synod::consensus::raft {

void RaftEngine::set_entry_source(EntrySource* source, uint64_t recent_entries) {
  entry_source_ = source;
  recent_payloads_ = recent_entries;
  drop_old_payloads();
}

void RaftEngine::drop_old_payloads() {
  if (entry_source_ == nullptr) return;
  uint64_t needed_from = std::min(applied_, persisted_index_) + 1;
  if (role_ == Role::kLeader) {
    for (const auto& [node, progress] : progress_)
      if (progress.state == ProgressState::kReplicate && progress.recent_active)  // not one down
        needed_from = std::min(needed_from, progress.match + 1);
  }
  if (needed_from <= recent_payloads_ + 1) return;
  const uint64_t through = needed_from - recent_payloads_ - 1;
  if (through >= log_.payloads_from()) log_.drop_payloads_through(through);
}

bool RaftEngine::entries_to_send(uint64_t from, uint64_t max_bytes, std::vector<Entry>& entries) {
  const uint64_t last = log_.last_index();
  if (from >= log_.payloads_from()) {
    entries = log_.slice(from, last, max_bytes);
    return true;
  }
  if (entry_source_ == nullptr) return false;
  // Only the dropped part: the next append continues from memory.
  const uint64_t to = std::min(last, log_.payloads_from() - 1);
  uint64_t bytes = 0;
  for (uint64_t index = from; index <= to; ++index) {
    const Entry& ours = log_.at(index);
    Entry entry;
    if (ours.kind != EntryKind::kCommand) {
      entry = ours;  // kept in memory
    } else if (!entry_source_->load_entry(index, entry).ok() || entry.index != index ||
               entry.term != ours.term || entry.kind != ours.kind) {
      return false;
    }
    if (!entries.empty() && bytes + entry.data.size() > max_bytes) break;
    bytes += entry.data.size();
    entries.push_back(std::move(entry));
  }
  return true;
}

}  // namespace synod::consensus::raft
