#pragma once
// Linearizability of a client history against a cas-register per key (Jepsen's cas-register).
//
// Semantics of a completed operation, by type:
//   ok    it took effect once, between its invocation and its completion;
//   fail  read, write: it did not take effect (dropped);
//         cas: it took effect as a read that saw a value other than `expected`;
//   info  outcome unknown: it may take effect at any time after its invocation, or never. A read
//         with info constrains nothing and is dropped. An invocation never completed counts as info.
// Keys are independent registers (P-compositionality), so each key is searched on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/history.h"
#include "core/status.h"

namespace synod::check {

struct CheckOptions {
  // Search steps allowed per key before the verdict becomes unknown (complete=false). A step is one
  // attempt to place or take back an operation; linearizable real histories need about one per
  // operation, so this only stops pathological searches (it bounds the memo's memory too).
  uint64_t max_steps_per_key = 20'000'000;
};

// An operation of the counter-example: its events as they appear in the history.
struct ReportedOperation {
  std::string role;  // why it is shown, e.g. "cannot be placed"
  Event invoke;
  std::optional<Event> completion;  // absent: never completed
};

struct LinearizabilityReport {
  // Not ok: the history is malformed (the message names the event) and there is no verdict.
  Status status;
  bool linearizable = false;
  // False: the search ran out of steps on some key before a verdict (and found no violation on
  // the others); `linearizable` is then false too, meaning unknown rather than refuted.
  bool complete = false;
  std::string failed_key;
  // A few operations around the one that cannot be placed, in invocation order.
  std::vector<ReportedOperation> counter_example;
  std::string explanation;
  int64_t operation_count = 0;
  int64_t key_count = 0;
  uint64_t search_steps = 0;
};

LinearizabilityReport check_linearizability(const History& history, const CheckOptions& options = {});

}  // namespace synod::check
