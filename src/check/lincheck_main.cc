// synod-lincheck: checks a JSON-lines client history for linearizability (docs/history-format.md).
// Exit codes: 0 linearizable, 1 NOT linearizable, 2 unusable input (malformed history, unreadable
// file, bad arguments), 3 unknown (the search ran out of steps).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "check/history.h"
#include "check/linearizability.h"

namespace {

using synod::check::LinearizabilityReport;

constexpr int kExitLinearizable = 0;
constexpr int kExitNotLinearizable = 1;
constexpr int kExitUnusableInput = 2;
constexpr int kExitUnknown = 3;

struct Options {
  std::string path;
  uint64_t max_steps_per_key = synod::check::CheckOptions{}.max_steps_per_key;
  bool quiet = false;
  bool stats = false;
};

synod::Status load(const std::string& path, synod::check::History& history) {
  if (path == "-") return synod::check::read_history(std::cin, history);
  std::ifstream file(path);
  if (!file) return {synod::StatusCode::kInvalidArgument, "cannot open the file"};
  return synod::check::read_history(file, history);
}

void print_counter_example(const LinearizabilityReport& report) {
  std::cout << report.explanation << "\n";
  for (const auto& operation : report.counter_example) {
    std::printf("  %-30s %s\n", (operation.role + ":").c_str(), to_json_line(operation.invoke).c_str());
    if (operation.completion) std::printf("  %-30s %s\n", "", to_json_line(*operation.completion).c_str());
    else std::printf("  %-30s (never completed)\n", "");
  }
  std::fflush(stdout);
}

int verdict(const LinearizabilityReport& report, bool quiet) {
  if (report.linearizable) {
    if (!quiet) std::cout << "linearizable\n";
    return kExitLinearizable;
  }
  if (!report.complete) {
    if (!quiet) std::cout << "unknown\n" << report.explanation << "\n";
    return kExitUnknown;
  }
  if (!quiet) {
    std::cout << "NOT linearizable\n";
    print_counter_example(report);
  }
  return kExitNotLinearizable;
}

int run(const Options& options) {
  synod::check::History history;
  auto read_start = std::chrono::steady_clock::now();
  if (synod::Status status = load(options.path, history); !status.ok()) {
    std::cerr << "synod-lincheck: " << options.path << ": " << status.message() << "\n";
    return kExitUnusableInput;
  }
  auto check_start = std::chrono::steady_clock::now();
  LinearizabilityReport report = synod::check::check_linearizability(history, {options.max_steps_per_key});
  auto check_end = std::chrono::steady_clock::now();
  if (!report.status.ok()) {
    std::cerr << "synod-lincheck: " << options.path << ": malformed history: " << report.status.message() << "\n";
    return kExitUnusableInput;
  }
  int exit_code = verdict(report, options.quiet);
  if (options.stats) {
    using std::chrono::duration;
    std::printf("stats: events=%zu operations=%lld keys=%lld search_steps=%llu read_s=%.3f check_s=%.3f\n",
                history.size(), static_cast<long long>(report.operation_count),
                static_cast<long long>(report.key_count), static_cast<unsigned long long>(report.search_steps),
                duration<double>(check_start - read_start).count(), duration<double>(check_end - check_start).count());
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Checks a JSON-lines client history for linearizability (cas-register per key)."};
  Options options;
  app.add_option("file", options.path, "history file, or - for standard input")->required();
  app.add_option("--max-steps", options.max_steps_per_key, "search steps allowed per key before giving up (exit 3)")
      ->check(CLI::PositiveNumber);
  app.add_flag("-q,--quiet", options.quiet, "print nothing on standard output; the exit code is the verdict");
  app.add_flag("--stats", options.stats, "print the number of events, operations, keys and the time taken");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : kExitUnusableInput;
  }
  return run(options);
}
