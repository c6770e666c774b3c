#pragma once
// What config.json records beyond parameter values, so that `--config out/config.json` alone
// reruns a run and says when it cannot be the same one: run.version, run.git_commit and
// run.scenario_hash (the platform and scenario are the parameters sim.platform and
// sim.scenario, the seed sim.seed).

#include <string>

#include <nlohmann/json.hpp>

namespace smmusim::platforms {

// FNV-1a 64 of the file's bytes as 16 hex digits ("" for no file).
std::string scenario_hash(const std::string& path);

// The run.* keys for config.json.
nlohmann::json run_record(const std::string& scenario_path);

// Takes the run.* keys a --config file recorded (so they are not unknown parameters) and
// notes on stderr what differs from this run (another build, a changed scenario file).
void check_run_record(const std::string& scenario_path);

}  // namespace smmusim::platforms
