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
        ("platform", po::value(&o.platform), "platform to run (default: base)")
        ("list-platforms", po::bool_switch(&o.list_platforms), "list the platforms")
        ("config", po::value(&o.configs)->composing(), "JSON file of parameter values (repeatable)")
        ("set", po::value(&o.sets)->composing(), "one parameter: name=value (repeatable, after --config)")
        ("list-params", po::bool_switch(&o.list_params), "list every parameter with its value, default and unit")
        ("list-stats", po::bool_switch(&o.list_stats), "list every statistic with its description")
        ("seed", po::value<std::string>(), "seed of all randomness (sim.seed)")
        ("duration", po::value<std::string>(), "stop after this simulated time, e.g. 100us (sim.duration)")
        ("max-transactions", po::value<std::string>(), "stop after this many device transactions (sim.max_transactions)")
        ("strict", po::bool_switch(&o.strict), "scenario steps the hardware absorbs silently are errors (sw.strict)")
        ("out", po::value(&o.out_dir), "output directory for stats.json and config.json (default: out)")
        ("vcd", po::value(&o.vcd), "write a VCD of model signals to this file")
        ("trace", po::value(&o.trace), "write a Chrome trace-event JSON of every transaction to this file")
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
    if (vm.count("stray"))
        throw InputError("command line: unexpected argument '" +
                         vm["stray"].as<std::vector<std::string>>().front() + "' (see --help)");
    if (vm.count("seed")) o.seed = vm["seed"].as<std::string>();
    if (vm.count("duration")) o.duration = vm["duration"].as<std::string>();
    if (vm.count("max-transactions")) o.max_transactions = vm["max-transactions"].as<std::string>();
    return o;
}

}  // namespace smmusim::platforms
