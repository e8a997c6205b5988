#include "sim/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <iostream>
#include <ostream>
#include <thread>
#include <vector>

namespace synod::sim {

bool parse_seed_range(const std::string& text, uint64_t& first, uint64_t& last) {
  try {
    size_t used = 0;
    const size_t dash = text.find('-');
    first = std::stoull(text.substr(0, dash), &used);
    if (used != (dash == std::string::npos ? text.size() : dash)) return false;
    if (dash == std::string::npos) {
      last = first;
      return true;
    }
    const std::string rest = text.substr(dash + 1);
    last = std::stoull(rest, &used);
    return used == rest.size() && first <= last;
  } catch (const std::exception&) {
    return false;
  }
}

namespace {
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// An engine that hits an impossible state aborts (SYNOD_CHECK) and takes the process down. The
// handler still names the seed and prints a last line in the summary's format, so that a failing
// run says which seed to replay. Each worker formats its message before running a seed, because
// a signal handler may only write().
thread_local char abort_message[1024];
thread_local size_t abort_message_length = 0;

void on_abort(int) {
  if (abort_message_length > 0) {
    ssize_t ignored = write(STDOUT_FILENO, abort_message, abort_message_length);
    (void)ignored;
  }
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

void prepare_abort_message(const RunOptions& options, uint64_t seed) {
  const int length = std::snprintf(
      abort_message, sizeof abort_message,
      "\nseed=%llu checker=engine-abort: the process aborted in this seed (see the check failure above)\n"
      "first failing seed=%llu checker=engine-abort\nreplay: %s --seed %llu --trace\n"
      "engine=%s seeds=0 ops=0 violations=1 max_failover_ticks=0 sim_events_per_s=0\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
      options.replay_command.c_str(), static_cast<unsigned long long>(seed), options.world.engine.c_str());
  abort_message_length = length < 0 ? 0 : std::min<size_t>(static_cast<size_t>(length), sizeof abort_message - 1);
}
}  // namespace

int run_seeds(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const uint64_t count = options.last_seed - options.first_seed + 1;
  std::vector<WorldResult> results(count);
  std::vector<char> done(count, 0);
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> stop_at{count};  // no seed index above this one starts
  std::atomic<uint64_t> finished{0};
  std::mutex progress_mutex;
  const auto started = std::chrono::steady_clock::now();
  std::cout.flush();
  std::signal(SIGABRT, on_abort);

  auto worker = [&]() {
    for (;;) {
      const uint64_t index = next.fetch_add(1);
      if (index >= count || index > stop_at.load()) return;
      prepare_abort_message(options, options.first_seed + index);
      results[index] = run_world(options.world, options.first_seed + index);
      done[index] = 1;
      if (options.stop_on_violation && !results[index].violations.empty()) {
        uint64_t current = stop_at.load();
        while (index < current && !stop_at.compare_exchange_weak(current, index)) {
        }
      }
      const uint64_t total = finished.fetch_add(1) + 1;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        err << "\rseeds " << total << "/" << count << std::flush;
      }
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(count)));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads) thread.join();
  if (options.progress) err << "\r" << std::string(30, ' ') << "\r" << std::flush;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const uint64_t counted = std::min(count, stop_at.load() + 1);
  uint64_t seeds = 0, operations = 0, violations = 0, events = 0, inconclusive = 0, failovers = 0;
  uint64_t refusals = 0;
  Tick max_failover = 0;
  const WorldResult* first_failure = nullptr;
  constexpr uint64_t kMaxFailuresListed = 20;
  uint64_t listed = 0;
  for (uint64_t index = 0; index < counted; ++index) {
    if (!done[index]) continue;
    const WorldResult& result = results[index];
    ++seeds;
    operations += result.operations;
    violations += result.violations.size();
    events += result.events;
    inconclusive += result.linearizability_inconclusive ? 1 : 0;
    failovers += result.failovers;
    refusals += result.step_refusals;
    max_failover = std::max(max_failover, result.max_failover_ticks);
    if (result.violations.empty()) continue;
    if (!first_failure) first_failure = &result;
    if (listed++ < kMaxFailuresListed) {
      const Violation& violation = result.violations.front();
      out << "seed=" << result.seed << " checker=" << violation.checker << " tick=" << violation.tick
          << ": " << first_line(violation.message) << "\n";
    }
  }
  if (first_failure) {
    const Violation& violation = first_failure->violations.front();
    out << "first failing seed=" << first_failure->seed << " checker=" << violation.checker << "\n"
        << violation.message << "\n"
        << "replay: " << options.replay_command << " --seed " << first_failure->seed << " --trace\n";
  }
  if (inconclusive > 0)
    out << "linearizability inconclusive (search limit) on " << inconclusive << " seeds\n";
  out << "failovers=" << failovers << " step_refusals=" << refusals << " events=" << events << " seconds=" << static_cast<uint64_t>(seconds * 1000) / 1000.0 << "\n";
  out << "engine=" << options.world.engine << " seeds=" << seeds << " ops=" << operations
      << " violations=" << violations << " max_failover_ticks=" << max_failover
      << " sim_events_per_s=" << static_cast<uint64_t>(seconds > 0 ? events / seconds : 0) << std::endl;
  return violations > 0 ? 1 : 0;
}

}  // namespace synod::sim
