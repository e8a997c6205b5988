#pragma once
// A deliberately naive reference checker for tiny, well-formed histories: it tries every order of
// every subset of unknown-outcome operations, straight from the definition of linearizability.
// It shares no code with the real checker, so the two can be compared on random histories.
#include "check/history.h"

namespace synod::check::testing {

bool brute_force_linearizable(const History& history);

}  // namespace synod::check::testing
