#pragma once
// Log matching (Raft §5.3, Figure 3): if two logs contain an entry with the same index and term,
// the logs are identical up to that index. Checked inductively on persisted disks: every durable
// entry with a given (index, term) must carry the same data and follow an entry of the same term.
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "consensus/engine.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

class LogMatchingChecker {
 public:
  static constexpr const char* kName = "log-matching";

  explicit LogMatchingChecker(Violations& violations) : violations_(violations) {}
  // `previous_term`: the term of the entry before it on the same disk, when known.
  void on_durable_entry(consensus::NodeId node, const consensus::Entry& entry,
                        std::optional<uint64_t> previous_term, Tick now);

 private:
  struct Seen {
    uint64_t fingerprint;
    std::optional<uint64_t> previous_term;
    consensus::NodeId node;
  };
  Violations& violations_;
  std::map<std::pair<uint64_t, uint64_t>, Seen> seen_;  // (index, term) → first durable copy
};

}  // namespace synod::sim
