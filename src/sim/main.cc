// synod-sim: runs the deterministic simulator over a range of seeds (see docs/simulator.md).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "sim/faults.h"
#include "sim/runner.h"

int main(int argc, char** argv) {
  using namespace synod::sim;
  CLI::App app{"Synod's deterministic simulator: faults, workload, checkers, by seed"};
  RunOptions options;
  WorldOptions& world = options.world;
  std::string seeds = "0-99";
  int64_t single_seed = -1;
  std::string faults = "all";
  std::string mutants = "none";
  bool trace = false;
  std::string history_path;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  app.add_option("--engine", world.engine, "engine name from the registry")->capture_default_str();
  app.add_option("--nodes", world.nodes, "initial voters")->capture_default_str();
  app.add_option("--seeds", seeds, "seed or inclusive range, e.g. 0-499")->capture_default_str();
  app.add_option("--seed", single_seed, "one seed (replay); overrides --seeds");
  app.add_option("--faults", faults,
                 "all, none, or a comma list of crash,partition,loss,dup,reorder,disk,torn,membership,transfer")
      ->capture_default_str();
  app.add_option("--mutant", mutants,
                 "none, or a comma list of commit-old-term,vote-ignores-log,ack-before-persist,"
                 "stale-read,count-unsynced-self")
      ->capture_default_str();
  app.add_option("--ticks", world.safety_ticks, "length of the safety phase in ticks (1 tick = 1 ms)")
      ->capture_default_str();
  app.add_option("--clients", world.clients.clients, "concurrent clients")->capture_default_str();
  app.add_option("--keys", world.clients.keys, "registers in the key space")->capture_default_str();
  app.add_option("--snapshot-interval", world.snapshot_interval, "applied entries between compactions")
      ->capture_default_str();
  app.add_option("--snapshot-catch-up", world.snapshot_catch_up_entries,
                 "entries the engine's log keeps below the newest snapshot")
      ->capture_default_str();
  app.add_option("--election-ticks", world.election_ticks,
                 "engine election timeout in ticks (randomised up to twice that)")
      ->capture_default_str();
  app.add_option("--heartbeat-ticks", world.heartbeat_ticks, "engine heartbeat interval in ticks")
      ->capture_default_str();
  app.add_option("--max-message-bytes", world.max_message_bytes, "entry bytes per engine append message")
      ->capture_default_str();
  app.add_option("--jobs", options.jobs, "seeds run in parallel (default: hardware threads)");
  app.add_flag("--stop-on-violation", options.stop_on_violation, "stop at the first failing seed");
  app.add_flag("--trace", trace, "print a readable trace (one seed)");
  app.add_option("--history", history_path, "write the client history of one seed to this file (JSON lines)");
  CLI11_PARSE(app, argc, argv);

  std::string error;
  if (!parse_faults(faults, world.faults, error)) {
    std::cerr << "--faults: " << error << "\n";
    return 2;
  }
  if (!parse_mutants(mutants, world.mutants, error)) {
    std::cerr << "--mutant: " << error << "\n";
    return 2;
  }
  if (single_seed >= 0) {
    options.first_seed = options.last_seed = static_cast<uint64_t>(single_seed);
  } else if (!parse_seed_range(seeds, options.first_seed, options.last_seed)) {
    std::cerr << "--seeds: expected N or FIRST-LAST, got '" << seeds << "'\n";
    return 2;
  }
  if (trace) {
    if (options.first_seed != options.last_seed) {
      std::cerr << "--trace replays one seed: use --seed N\n";
      return 2;
    }
    world.trace = &std::cout;
    options.jobs = 1;
  }
  std::ofstream history_file;
  if (!history_path.empty()) {
    if (options.first_seed != options.last_seed) {
      std::cerr << "--history records one seed: use --seed N\n";
      return 2;
    }
    history_file.open(history_path);
    if (!history_file) {
      std::cerr << "cannot write " << history_path << "\n";
      return 2;
    }
    world.history = &history_file;
  }
  error = validate(world);
  if (!error.empty()) {
    std::cerr << error << "\n";
    return 2;
  }
  options.progress = !trace && isatty(STDERR_FILENO);
  options.replay_command = "synod-sim --engine " + world.engine + " --nodes " + std::to_string(world.nodes) +
                           " --faults " + faults_name(world.faults) + " --ticks " +
                           std::to_string(world.safety_ticks) + " --clients " +
                           std::to_string(world.clients.clients) + " --keys " +
                           std::to_string(world.clients.keys) + " --snapshot-interval " +
                           std::to_string(world.snapshot_interval) + " --snapshot-catch-up " +
                           std::to_string(world.snapshot_catch_up_entries) + " --election-ticks " +
                           std::to_string(world.election_ticks) + " --heartbeat-ticks " +
                           std::to_string(world.heartbeat_ticks) + " --max-message-bytes " +
                           std::to_string(world.max_message_bytes);
  if (world.mutants != 0) options.replay_command += " --mutant " + mutants_name(world.mutants);
  return run_seeds(options, std::cout, std::cerr);
}
