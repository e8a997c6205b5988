#pragma once
// Terse construction of test histories: one call per operation, with its interval.
#include <algorithm>
#include <optional>
#include <string>

#include "check/history.h"

namespace synod::check::testing {

class HistoryBuilder {
 public:
  // `outcome` kOk, kFail or kInfo; end_ns is the time of the completion event.
  HistoryBuilder& read(int64_t process, std::string key, std::optional<std::string> value, int64_t start_ns,
                       int64_t end_ns, EventType outcome = EventType::kOk) {
    add(process, outcome, Function::kRead, key, std::nullopt, std::nullopt, start_ns);
    if (outcome != EventType::kOk) value.reset();
    return add(process, outcome, Function::kRead, key, value, std::nullopt, end_ns, true);
  }
  HistoryBuilder& write(int64_t process, std::string key, std::string value, int64_t start_ns, int64_t end_ns,
                        EventType outcome = EventType::kOk) {
    add(process, outcome, Function::kWrite, key, value, std::nullopt, start_ns);
    return add(process, outcome, Function::kWrite, key, value, std::nullopt, end_ns, true);
  }
  HistoryBuilder& cas(int64_t process, std::string key, std::string expected, std::string value, int64_t start_ns,
                      int64_t end_ns, EventType outcome = EventType::kOk) {
    add(process, outcome, Function::kCas, key, value, expected, start_ns);
    return add(process, outcome, Function::kCas, key, value, expected, end_ns, true);
  }
  // An invocation that never completes.
  HistoryBuilder& pending_write(int64_t process, std::string key, std::string value, int64_t start_ns) {
    return add(process, EventType::kInvoke, Function::kWrite, key, value, std::nullopt, start_ns);
  }

  // The events in time order (stable, so an invocation stays before its own completion).
  History build() const {
    History sorted = history_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Event& a, const Event& b) { return a.time_ns < b.time_ns; });
    return sorted;
  }

 private:
  HistoryBuilder& add(int64_t process, EventType outcome, Function function, const std::string& key,
                      std::optional<std::string> value, std::optional<std::string> expected, int64_t time_ns,
                      bool completion = false) {
    EventType type = completion ? outcome : EventType::kInvoke;
    history_.push_back({process, type, function, key, std::move(value), std::move(expected), time_ns});
    return *this;
  }

  History history_;
};

}  // namespace synod::check::testing
