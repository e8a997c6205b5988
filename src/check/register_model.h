#pragma once
// The cas-register model (Jepsen's cas-register) over interned values: the one place that says
// what each kind of operation requires of, and does to, a single key's register.
#include <cstdint>
#include <optional>

namespace synod::check {

// Values are interned per key; kAbsent is the register's initial state and a read of null.
using ValueId = int32_t;
inline constexpr ValueId kAbsent = -1;
// Every value that no operation can tell apart from another: no read returns it and no cas (ok or
// failed) expects it. Any two such values behave identically in the model, so they share one id,
// which lets the search merge states that differ only in an unobservable value.
inline constexpr ValueId kUnobservable = 0;

enum class StepKind : uint8_t {
  kRead,     // requires current == value
  kWrite,    // sets value
  kCas,      // requires current == expected, then sets value
  kCasFail,  // the compare was made and failed: requires current != expected, changes nothing
};

struct RegisterStep {
  StepKind kind = StepKind::kRead;
  ValueId value = kAbsent;
  ValueId expected = kAbsent;
};

// The state after `step` from `current`, or nothing if the step is impossible there.
inline std::optional<ValueId> apply_step(const RegisterStep& step, ValueId current) {
  switch (step.kind) {
    case StepKind::kRead: return current == step.value ? std::optional(current) : std::nullopt;
    case StepKind::kWrite: return step.value;
    case StepKind::kCas: return current == step.expected ? std::optional(step.value) : std::nullopt;
    case StepKind::kCasFail: return current != step.expected ? std::optional(current) : std::nullopt;
  }
  return std::nullopt;
}

inline bool changes_state(StepKind kind) { return kind == StepKind::kWrite || kind == StepKind::kCas; }

}  // namespace synod::check
