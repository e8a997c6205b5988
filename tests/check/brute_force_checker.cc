#include "brute_force_checker.h"

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/check.h"

namespace synod::check::testing {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct NaiveOp {
  Event invoke;
  EventType outcome = EventType::kInfo;
  std::optional<std::string> read_value;
  int64_t return_ns = kNever;
};

bool required(const NaiveOp& op) { return op.outcome != EventType::kInfo; }

// Does `op` fit a register holding `state`? Updates `state` when it does.
bool apply(const NaiveOp& op, std::optional<std::string>& state) {
  switch (op.invoke.function) {
    case Function::kRead: return state == op.read_value;
    case Function::kWrite: state = op.invoke.value; return true;
    case Function::kCas:
      if (op.outcome == EventType::kFail) return state != op.invoke.expected;
      if (state != op.invoke.expected) return false;
      state = op.invoke.value;
      return true;
  }
  return false;
}

bool may_go_next(const std::vector<NaiveOp>& ops, uint32_t placed, size_t candidate) {
  for (size_t other = 0; other < ops.size(); ++other) {
    bool unplaced = (placed & (1u << other)) == 0;
    if (other != candidate && unplaced && required(ops[other]) && ops[other].return_ns < ops[candidate].invoke.time_ns) {
      return false;
    }
  }
  return true;
}

bool search(const std::vector<NaiveOp>& ops, uint32_t placed, const std::optional<std::string>& state,
            std::set<std::pair<uint32_t, std::optional<std::string>>>& dead) {
  bool done = true;
  for (size_t i = 0; i < ops.size(); ++i) done = done && (!required(ops[i]) || (placed & (1u << i)));
  if (done) return true;
  if (dead.contains({placed, state})) return false;
  for (size_t i = 0; i < ops.size(); ++i) {
    if ((placed & (1u << i)) || !may_go_next(ops, placed, i)) continue;
    std::optional<std::string> next = state;
    if (apply(ops[i], next) && search(ops, placed | (1u << i), next, dead)) return true;
  }
  dead.insert({placed, state});
  return false;
}

// Operations per key, leaving out those that did not happen (failed reads and writes) and reads
// whose result is unknown.
std::map<std::string, std::vector<NaiveOp>> collect(const History& history) {
  std::map<int64_t, NaiveOp> open;
  std::vector<NaiveOp> all;
  for (const Event& event : history) {
    if (event.type == EventType::kInvoke) {
      open[event.process] = NaiveOp{event, EventType::kInfo, std::nullopt, kNever};
      continue;
    }
    NaiveOp op = open.at(event.process);
    open.erase(event.process);
    op.outcome = event.type;
    op.read_value = event.value;
    if (event.type != EventType::kInfo) op.return_ns = event.time_ns;
    all.push_back(op);
  }
  for (auto& [process, op] : open) all.push_back(op);
  std::map<std::string, std::vector<NaiveOp>> by_key;
  for (const NaiveOp& op : all) {
    bool read = op.invoke.function == Function::kRead;
    bool vanished = op.outcome == EventType::kFail && op.invoke.function != Function::kCas;
    if ((read && op.outcome == EventType::kInfo) || vanished) continue;
    by_key[op.invoke.key].push_back(op);
  }
  return by_key;
}

}  // namespace

bool brute_force_linearizable(const History& history) {
  for (const auto& [key, ops] : collect(history)) {
    std::set<std::pair<uint32_t, std::optional<std::string>>> dead;
    SYNOD_CHECK(ops.size() <= 20, "brute force is for tiny histories");
    if (!search(ops, 0, std::nullopt, dead)) return false;
  }
  return true;
}

}  // namespace synod::check::testing
