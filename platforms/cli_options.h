#pragma once
// Command line of smmu-sim (DESIGN §5).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smmusim::platforms {

struct CliOptions {
    bool help = false;
    bool list_platforms = false;
    bool list_params = false;
    bool list_stats = false;
    bool version = false;
    bool quiet = false;     // no progress line
    bool progress = false;  // a progress line even when stderr is not a terminal
    std::string list_pattern;  // --list-params/--list-stats PATTERN
    std::string platform;      // empty: not given (sim.platform, default base)
    std::vector<std::string> configs;
    std::vector<std::string> sets;
    std::optional<std::string> seed;
    std::optional<std::string> duration;
    std::optional<std::string> max_transactions;
    bool strict = false;
    std::string out_dir = "out";
    std::string vcd;
    std::vector<std::string> vcd_signals;  // --vcd-signals a,b: modules to dump (empty: all)
    std::optional<std::string> warmup;          // --warmup TIME: reset stats then
    std::optional<std::string> stats_interval;  // --stats-interval TIME: periodic stats rows
    std::string trace;
    std::string xlate_log;  // JSON-lines logs (DESIGN §5 "Log lines"); empty: off
    std::string cmd_log;
    std::string event_log;
    std::string scenario;   // --scenario FILE.json; empty: the platform's built-in workload
    std::string usage;  // filled by parse_cli, for --help
};

// Throws InputError on an unknown flag, a missing value or a stray argument.
CliOptions parse_cli(int argc, char** argv);

}  // namespace smmusim::platforms
