#pragma once
// State machine safety (Raft §5.4.3, Figure 3): if a node has applied an entry at an index, no
// other node ever applies a different entry at that index. The global applied map is the record
// of what was committed; it never changes at an index, so an entry committed and then lost across
// crashes (a later node applying something else there) is caught here too. Each node must also
// apply indexes in order, without gaps, starting after its snapshot.
#include <cstdint>
#include <map>
#include <vector>

#include "consensus/engine.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

struct CommittedEntry {
  uint64_t term = 0;
  uint64_t fingerprint = 0;
  // An upper bound of the term in which the entry was committed: the highest term any node had
  // when the entry was first seen applied. Leaders of later terms must hold it.
  uint64_t commit_term_bound = 0;
};

class StateMachineSafetyChecker {
 public:
  static constexpr const char* kName = "state-machine-safety";

  explicit StateMachineSafetyChecker(Violations& violations) : violations_(violations) {}

  // The node (re)starts with its state machine restored to `snapshot_index` (0: empty).
  void on_start(consensus::NodeId node, uint64_t snapshot_index);
  void on_snapshot_applied(consensus::NodeId node, const consensus::SnapshotMeta& meta, Tick now);
  // `highest_term` is the highest term any node has reached so far.
  void on_applied(consensus::NodeId node, const consensus::Entry& entry, uint64_t highest_term, Tick now);

  // Index i is at committed()[i - 1]; a term of 0 marks an index known only through a snapshot.
  const std::vector<CommittedEntry>& committed() const { return committed_; }

 private:
  Violations& violations_;
  std::vector<CommittedEntry> committed_;
  std::map<consensus::NodeId, uint64_t> applied_;  // per node: last applied index
};

}  // namespace synod::sim
