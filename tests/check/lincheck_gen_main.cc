// synod-lincheck-gen: writes a large linearizable register history (JSON lines) to standard output,
// for timing synod-lincheck on realistic sizes. Optionally corrupts one read to make it fail.
#include <CLI/CLI.hpp>
#include <iostream>

#include "history_generator.h"

int main(int argc, char** argv) {
  CLI::App app{"Generates a linearizable cas-register history for timing synod-lincheck."};
  synod::check::testing::RegisterHistoryOptions options;
  bool corrupt_read = false;
  app.add_option("--ops", options.operation_count, "operations");
  app.add_option("--keys", options.key_count, "keys");
  app.add_option("--clients", options.client_count, "concurrent clients");
  app.add_option("--info-per-mille", options.info_per_mille, "operations whose outcome is unknown, per 1000");
  app.add_option("--fail-per-mille", options.fail_per_mille, "reads and writes that fail, per 1000");
  app.add_option("--max-stretch-ns", options.max_stretch_ns, "how far a return may lag its linearization point");
  app.add_option("--value-domain", options.value_domain, "0: unique written values; else values drawn from this many");
  app.add_option("--seed", options.seed, "random seed");
  app.add_flag("--corrupt-read", corrupt_read, "make the middle read return a value never written");
  CLI11_PARSE(app, argc, argv);
  synod::check::History history = synod::check::testing::generate_register_history(options);
  if (corrupt_read) {
    size_t middle = history.size() / 2;
    for (size_t i = middle; i < history.size(); ++i) {
      if (history[i].function == synod::check::Function::kRead && history[i].type == synod::check::EventType::kOk) {
        history[i].value = "never-written";
        break;
      }
    }
  }
  synod::check::write_history(std::cout, history);
  return 0;
}
