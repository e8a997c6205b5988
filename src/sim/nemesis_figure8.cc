// The Figure-8 partition schedule of the nemesis.
#include <algorithm>

#include "sim/nemesis.h"

namespace synod::sim {

using consensus::NodeId;

// Raft's Figure 8 as a partition schedule, the one history in which committing an entry of an
// earlier term by counting replicas loses it:
//   1. isolate the leader A; clients still hand it writes that reach nobody (divergent entries);
//   2. once B leads a later term, isolate B at once (its own entries reach nobody either) and let A
//      rejoin, so that A, with the longer log, can lead again in a third term and replicate its
//      old entries;
//   3. a few ticks into A's new term, isolate A again and let B rejoin: B's later last term wins
//      votes from nodes holding A's old entries but not yet A's new-term entries, and B overwrites
//      them. Correct Raft never counted them committed; the commit-old-term mutant did.
// Each wait gives up after a while and heals; the sequence never overlaps another partition.
void Nemesis::figure8_partition() {
  const std::optional<NodeId> first = target_.leader();
  if (!first) return;
  target_.network().isolate(*first, target_.live_members());
  target_.on_fault("figure-8: isolate leader n" + std::to_string(*first), {*first});
  ++partition_generation_;  // an earlier partition's pending heal must not cut this one short
  figure8_second_leader(*first, target_.term(*first), target_.now() + 150);
}

void Nemesis::figure8_second_leader(NodeId first, uint64_t first_term, Tick deadline) {
  if (stopped_) return;
  const std::optional<NodeId> second = target_.leader();
  if (second && *second != first && target_.term(*second) > first_term) {
    SimNetwork& network = target_.network();
    network.heal();
    network.isolate(*second, target_.live_members());
    target_.on_fault("figure-8: isolate new leader n" + std::to_string(*second) + ", n" +
                         std::to_string(first) + " rejoins",
                     {*second});
    figure8_first_again(first, *second, target_.now() + 150);
    return;
  }
  if (target_.now() >= deadline) return figure8_finish(first, consensus::kNoNode);
  target_.schedule_after(1, [this, first, first_term, deadline]() {
    figure8_second_leader(first, first_term, deadline);
  });
}

void Nemesis::figure8_first_again(NodeId first, NodeId second, Tick deadline) {
  if (stopped_) return;
  if (target_.leader() == first && target_.term(first) > target_.term(second)) {
    figure8_strike(first, second, target_.commit_index(first), target_.now() + duration(10, 40));
    return;
  }
  if (target_.now() >= deadline) return figure8_finish(first, second);
  target_.schedule_after(1, [this, first, second, deadline]() { figure8_first_again(first, second, deadline); });
}

// Isolates the re-elected leader again: at once if its commit index moved into entries of earlier
// terms before its own term's first entry (only a broken commit rule does that, and this is the
// moment that loses them), else at `deadline`.
void Nemesis::figure8_strike(NodeId first, NodeId second, uint64_t commit_at_election, Tick deadline) {
  if (stopped_) return;
  const uint64_t commit = target_.commit_index(first);
  const bool old_entries_only = commit > commit_at_election && commit < target_.first_index_of_term(first);
  if (old_entries_only || target_.now() >= deadline || !target_.is_up(first)) {
    SimNetwork& network = target_.network();
    network.heal();
    network.isolate(first, target_.live_members());
    target_.on_fault("figure-8: isolate n" + std::to_string(first) + " again (commit " +
                         std::to_string(commit) + "), n" + std::to_string(second) + " rejoins",
                     {first});
    target_.schedule_after(duration(60, 150), [this, first, second]() { figure8_finish(first, second); });
    return;
  }
  target_.schedule_after(1, [this, first, second, commit_at_election, deadline]() {
    figure8_strike(first, second, commit_at_election, deadline);
  });
}

void Nemesis::figure8_finish(NodeId first, NodeId second) {
  if (stopped_) return;
  target_.network().heal();
  target_.on_fault("figure-8 over: heal network (n" + std::to_string(first) +
                       (second == consensus::kNoNode ? std::string() : ", n" + std::to_string(second)) + ")",
                   {});
}

}  // namespace synod::sim
