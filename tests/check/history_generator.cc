#include "history_generator.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/random.h"

namespace synod::check::testing {
namespace {

struct Client {
  int64_t process = 0;
  int64_t last_return_ns = -1;
};

Event make_event(int64_t process, EventType type, Function function, std::string key, int64_t time_ns) {
  Event event;
  event.process = process;
  event.type = type;
  event.function = function;
  event.key = std::move(key);
  event.time_ns = time_ns;
  return event;
}

class RegisterRun {
 public:
  explicit RegisterRun(const RegisterHistoryOptions& options)
      : options_(options), random_(options.seed), clients_(static_cast<size_t>(options.client_count)) {
    for (int64_t c = 0; c < options.client_count; ++c) clients_[c].process = c;
    next_process_ = options.client_count;
  }

  History run() {
    for (int64_t i = 0; i < options_.operation_count; ++i) one_operation(i);
    std::stable_sort(history_.begin(), history_.end(),
                     [](const Event& a, const Event& b) { return a.time_ns < b.time_ns; });
    return std::move(history_);
  }

 private:
  // Advances time to the next linearization point and picks a client free at that time.
  Client& pick_client() {
    now_ns_ += static_cast<int64_t>(random_.between(1, 10));
    size_t start = random_.uniform(clients_.size());
    for (size_t k = 0; k < clients_.size(); ++k) {
      Client& client = clients_[(start + k) % clients_.size()];
      if (client.last_return_ns < now_ns_) return client;
    }
    auto earliest = std::min_element(clients_.begin(), clients_.end(), [](const Client& a, const Client& b) {
      return a.last_return_ns < b.last_return_ns;
    });
    now_ns_ = earliest->last_return_ns + 1;
    return *earliest;
  }

  std::string new_value(int64_t index) {
    if (options_.value_domain == 0) return "v" + std::to_string(index);
    return "v" + std::to_string(random_.uniform(options_.value_domain));
  }

  // Executes the operation at now_ns_ (if `applies`), filling in the invocation and completion.
  void execute(Event& invoke, Event& completion, bool applies, int64_t index) {
    std::optional<std::string>& current = registers_[invoke.key];
    uint64_t roll = random_.uniform(100);
    if (roll < options_.read_percent) {
      invoke.function = completion.function = Function::kRead;
      if (completion.type == EventType::kOk) completion.value = current;
      return;
    }
    if (roll < options_.read_percent + options_.write_percent) {
      invoke.function = completion.function = Function::kWrite;
      invoke.value = completion.value = new_value(index);
      if (applies) set(invoke.key, invoke.value);
      return;
    }
    invoke.function = completion.function = Function::kCas;
    invoke.expected = completion.expected = cas_expectation(invoke.key, index);
    invoke.value = completion.value = new_value(index);
    bool swaps = current == invoke.expected;
    if (completion.type != EventType::kInfo) {
      completion.type = swaps ? EventType::kOk : EventType::kFail;  // the register decides, not the roll
      applies = true;
    }
    if (swaps && applies) set(invoke.key, invoke.value);
  }

  // Like a client's: mostly the current value, sometimes a stale one, sometimes one never written.
  std::string cas_expectation(const std::string& key, int64_t index) {
    uint64_t roll = random_.uniform(4);
    if (roll < 2 && registers_[key]) return *registers_[key];
    if (roll == 2 && previous_[key]) return *previous_[key];
    return new_value(index + 1000000000);
  }

  void set(const std::string& key, const std::optional<std::string>& value) {
    previous_[key] = registers_[key];
    registers_[key] = value;
  }

  void one_operation(int64_t index) {
    Client& client = pick_client();
    int64_t invoke_ns = static_cast<int64_t>(
        random_.between(static_cast<uint64_t>(client.last_return_ns + 1), static_cast<uint64_t>(now_ns_)));
    int64_t return_ns = now_ns_ + static_cast<int64_t>(random_.uniform(options_.max_stretch_ns + 1));
    std::string key = "k" + std::to_string(random_.uniform(options_.key_count));
    Event invoke = make_event(client.process, EventType::kInvoke, Function::kRead, key, invoke_ns);
    Event completion = make_event(client.process, EventType::kOk, Function::kRead, key, return_ns);
    bool applies = true;
    uint64_t roll = random_.uniform(1000);
    if (roll < options_.info_per_mille) {
      completion.type = EventType::kInfo;
      applies = random_.chance(1, 2);
    } else if (roll < options_.info_per_mille + options_.fail_per_mille) {
      completion.type = EventType::kFail;  // a read or write that did not happen; a cas decides below
      applies = false;
    }
    execute(invoke, completion, applies, index);
    finish(client, invoke, completion);
  }

  void finish(Client& client, const Event& invoke, Event& completion) {
    client.last_return_ns = completion.time_ns;
    history_.push_back(invoke);
    if (completion.type == EventType::kInfo) {
      if (completion.function == Function::kRead) completion.value.reset();
      client.process = next_process_++;
      if (random_.chance(1, 4)) return;  // sometimes the completion is simply missing
    }
    history_.push_back(completion);
  }

  const RegisterHistoryOptions& options_;
  Random random_;
  std::vector<Client> clients_;
  int64_t next_process_ = 0;
  int64_t now_ns_ = 0;
  std::map<std::string, std::optional<std::string>> registers_;
  std::map<std::string, std::optional<std::string>> previous_;  // the value before the current one
  History history_;
};

}  // namespace

History generate_register_history(const RegisterHistoryOptions& options) { return RegisterRun(options).run(); }

}  // namespace synod::check::testing

namespace synod::check::testing {
namespace {

std::optional<std::string> random_value(Random& random, uint64_t domain, bool allow_null) {
  uint64_t pick = random.uniform(domain + (allow_null ? 1 : 0));
  if (pick == domain) return std::nullopt;
  return std::string(1, static_cast<char>('a' + pick));
}

// One random operation of `process`; returns false when the process ended with an info.
bool random_operation(Random& random, const RandomHistoryOptions& options, int64_t process, int64_t& now_ns,
                      History& history) {
  std::string key = "k" + std::to_string(random.uniform(options.key_count));
  auto function = static_cast<Function>(random.uniform(3));
  int64_t invoke_ns = now_ns + static_cast<int64_t>(random.uniform(4));
  int64_t return_ns = invoke_ns + static_cast<int64_t>(random.uniform(7));
  now_ns = return_ns + 1;
  Event invoke = make_event(process, EventType::kInvoke, function, key, invoke_ns);
  if (function == Function::kWrite) invoke.value = random_value(random, options.value_domain, false);
  if (function == Function::kCas) {
    invoke.expected = random_value(random, options.value_domain, false);
    invoke.value = random_value(random, options.value_domain, false);
  }
  Event completion = invoke;
  completion.time_ns = return_ns;
  uint64_t roll = random.uniform(20);
  completion.type = roll < 14 ? EventType::kOk : roll < 17 ? EventType::kFail : EventType::kInfo;
  if (function == Function::kRead && completion.type == EventType::kOk) {
    completion.value = random_value(random, options.value_domain, true);
  }
  history.push_back(invoke);
  if (completion.type == EventType::kInfo && random.chance(1, 3)) return false;  // never completed
  history.push_back(completion);
  return completion.type != EventType::kInfo;
}

}  // namespace

History generate_random_history(const RandomHistoryOptions& options) {
  Random random(options.seed);
  History history;
  for (int64_t process = 0; process < options.process_count; ++process) {
    int64_t now_ns = static_cast<int64_t>(random.uniform(6));
    for (int64_t i = 0; i < options.operations_per_process; ++i) {
      if (!random_operation(random, options, process, now_ns, history)) break;
    }
  }
  std::stable_sort(history.begin(), history.end(),
                   [](const Event& a, const Event& b) { return a.time_ns < b.time_ns; });
  return history;
}

}  // namespace synod::check::testing
