#include "platforms/cli_options.h"

#include <sstream>

#include <boost/program_options.hpp>

#include "models/core/errors.h"

namespace po = boost::program_options;

namespace smmusim::platforms {

CliOptions parse_cli(int argc, char** argv) {
    CliOptions o;
    po::options_description desc("smmu-sim options");
    // clang-format off
    desc.add_options()
        ("help,h", po::bool_switch(&o.help), "this help")
        ("version", po::bool_switch(&o.version), "print the version and git commit, then exit")
        ("platform", po::value(&o.platform), "platform to run (sim.platform; default: base)")
        ("list-platforms", po::bool_switch(&o.list_platforms), "list the platforms")
        ("config", po::value(&o.configs)->composing(), "JSON file of parameter values (repeatable)")
        ("set", po::value(&o.sets)->composing(), "one parameter: name=value (repeatable, after --config)")
        ("list-params", po::bool_switch(&o.list_params), "list every parameter with its value, default and unit "
                                                         "(--list-params PATTERN: names containing PATTERN, or a glob)")
        ("list-stats", po::bool_switch(&o.list_stats), "list every statistic with its kind, unit and description "
                                                       "(--list-stats PATTERN filters)")
        ("seed", po::value<std::string>(), "seed of all randomness (sim.seed)")
        ("duration", po::value<std::string>(), "stop after this simulated time, e.g. 100us (sim.duration)")
        ("max-transactions", po::value<std::string>(), "stop after this many device transactions (sim.max_transactions)")
        ("strict", po::bool_switch(&o.strict), "scenario steps the hardware absorbs silently are errors (sw.strict)")
        ("out", po::value(&o.out_dir), "output directory for stats.json and config.json (default: out)")
        ("vcd", po::value(&o.vcd), "write a VCD of model signals to this file (FILE.fst: FST), and a GTKWave "
                                   "save file beside it (FILE without extension + .gtkw)")
        ("vcd-signals", po::value<std::string>(), "dump only these modules' signals: comma-separated paths "
                                                  "or globs (smmu.tbu0,dma0,noc)")
        ("warmup", po::value<std::string>(), "reset every stat at this simulated time, e.g. 20us")
        ("stats-interval", po::value<std::string>(), "append every stat as a JSON line to OUT/stats_intervals.jsonl "
                                                     "at each multiple of this simulated time")
        ("quiet,q", po::bool_switch(&o.quiet), "no progress line on stderr")
        ("progress", po::bool_switch(&o.progress), "a progress line on stderr even when it is not a terminal")
        ("trace", po::value(&o.trace), "write every transaction's spans to this file: Chrome trace-event JSON, or "
                                       "a Perfetto protobuf trace if it ends in .pftrace or .perfetto-trace")
        ("xlate-log", po::value(&o.xlate_log), "write one JSON line per completed device transaction to this file")
        ("cmd-log", po::value(&o.cmd_log), "write one JSON line per command the SMMU consumed to this file")
        ("event-log", po::value(&o.event_log), "write one JSON line per event record the driver read to this file")
        ("scenario", po::value(&o.scenario), "JSON scenario: what the software does (default: the platform's workload)");
    // clang-format on
    std::ostringstream usage;
    usage << "usage: smmu-sim [options]\n" << desc;
    o.usage = usage.str();

    po::variables_map vm;
    try {
        // Positional words are collected only to be rejected by name, never dropped.
        po::options_description all;
        all.add(desc).add_options()("stray", po::value<std::vector<std::string>>());
        po::positional_options_description stray;
        stray.add("stray", -1);
        po::store(po::command_line_parser(argc, argv).options(all).positional(stray).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw InputError(std::string("command line: ") + e.what() + " (see --help)");
    }
    // --list-params PATTERN: the one word after a listing flag is its filter.
    if (vm.count("stray") && (o.list_params || o.list_stats) &&
        vm["stray"].as<std::vector<std::string>>().size() == 1)
        o.list_pattern = vm["stray"].as<std::vector<std::string>>().front();
    else if (vm.count("stray"))
        throw InputError("command line: unexpected argument '" +
                         vm["stray"].as<std::vector<std::string>>().front() + "' (see --help)");
    if (vm.count("seed")) o.seed = vm["seed"].as<std::string>();
    if (vm.count("duration")) o.duration = vm["duration"].as<std::string>();
    if (vm.count("warmup")) o.warmup = vm["warmup"].as<std::string>();
    if (vm.count("stats-interval")) o.stats_interval = vm["stats-interval"].as<std::string>();
    if (vm.count("vcd-signals")) {
        const std::string list = vm["vcd-signals"].as<std::string>();
        for (size_t start = 0; start <= list.size();) {
            size_t comma = list.find(',', start);
            if (comma == std::string::npos) comma = list.size();
            if (comma > start) o.vcd_signals.push_back(list.substr(start, comma - start));
            start = comma + 1;
        }
        if (o.vcd_signals.empty()) throw InputError("--vcd-signals: expected module paths, e.g. smmu.tbu0,dma0");
    }
    if (vm.count("max-transactions")) o.max_transactions = vm["max-transactions"].as<std::string>();
    return o;
}

}  // namespace smmusim::platforms
