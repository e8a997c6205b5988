#pragma once
// At most once: a client operation takes effect at most once. Fed with applied entries, it checks
//   - every request travels through the log in a ProposalEnvelope naming its origin replica and
//     request id (replica/replica_messages.h) and is proposed once, so an envelope is applied at
//     one index only (a forwarded write delivered twice must not be proposed twice);
//   - the workload writes unique values and sends an operation again only after a refusal that
//     promises it was never proposed, so a value is written at one index only (a refusal of a
//     write that was proposed all the same shows up here).
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "consensus/log_types.h"
#include "sim/checkers/violations.h"

namespace synod::sim {

class AtMostOnceChecker {
 public:
  static constexpr const char* kName = "at-most-once";

  explicit AtMostOnceChecker(Violations& violations) : violations_(violations) {}
  void on_applied(consensus::NodeId node, const consensus::Entry& entry, Tick now);

 private:
  Violations& violations_;
  // (origin, request id) -> the index it was applied at.
  std::map<std::pair<consensus::NodeId, uint64_t>, uint64_t> applied_at_;
  std::map<std::string, uint64_t> value_written_at_;  // written value -> index
};

}  // namespace synod::sim
