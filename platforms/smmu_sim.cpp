// smmu-sim: builds a platform from its parameters, runs it, writes stats.json and
// config.json (and optionally a VCD, a transaction trace and the JSON-lines logs), and prints
// a summary.
// Bad user input ends the program with one message and exit status 2.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <systemc>

#include "models/core/errors.h"
#include "models/core/json_log.h"
#include "models/core/leak_check.h"
#include "models/core/param_registry.h"
#include "models/core/params.h"
#include "models/core/run_control.h"
#include "models/core/stats.h"
#include "models/core/txn_trace.h"
#include "models/core/value_parse.h"
#include "models/core/vcd.h"
#include "models/core/watchdog.h"
#include "platforms/cli_options.h"
#include "platforms/platform.h"
#include "platforms/run_loop.h"
#include "platforms/run_record.h"
#include "platforms/run_summary.h"
#include "platforms/version.h"

namespace core = smmusim::core;
using smmusim::InputError;
namespace sw = smmusim::sw;
using namespace smmusim::platforms;

namespace {

void write_json(const std::string& path, const nlohmann::json& j) {
    std::ofstream out(path);
    if (!out) throw InputError(path + ": cannot write");
    out << j.dump(1) << "\n";
}

int run(int argc, char** argv) {
    CliOptions cli = parse_cli(argc, argv);
    if (cli.help) {
        std::cout << cli.usage;
        return 0;
    }
    if (cli.version) {
        std::cout << "smmu-sim " << smmusim::version() << " (git " << smmusim::git_commit() << ")\n";
        return 0;
    }
    if (cli.list_platforms) {
        for (const PlatformInfo& p : platform_list()) std::cout << p.name << "  " << p.description << "\n";
        return 0;
    }

    core::ParamRegistry& params = core::ParamRegistry::instance();
    for (const std::string& file : cli.configs) params.load_config_file(file);
    // The platform and the scenario are parameters too, so that config.json names them and
    // `--config out/config.json` alone reruns the run; the flags override a config file.
    if (!cli.platform.empty()) params.set_override("sim.platform", cli.platform, "--platform");
    if (!cli.scenario.empty()) params.set_override("sim.scenario", cli.scenario, "--scenario");
    core::Param<std::string> platform_name("sim.platform", "base", "", "platform to run (--platform; --list-platforms)");
    core::Param<std::string> scenario_path("sim.scenario", "", "",
                                           "JSON scenario the software runs (--scenario; empty: the platform's workload)");
    const PlatformInfo* info = find_platform(platform_name);
    if (!info)
        throw InputError(platform_name.source() + ": unknown platform '" + platform_name.value() +
                         "' (--list-platforms)");
    check_run_record(scenario_path);
    // A scenario's "set" comes after --config and before --set. A scenario named by a recorded
    // config.json (not by --scenario) adds no "set": the config holds its effect already, and
    // any --set that overrode it.
    PlatformOptions popts;
    if (!scenario_path.value().empty()) {
        const std::string path = scenario_path;
        try {
            auto sc = std::make_shared<sw::workloads::Scenario>(sw::workloads::load_scenario(path));
            if (!cli.scenario.empty())
                for (const auto& [key, value] : sc->set) params.set_override(key, value, path + ": set." + key);
            popts.scenario = std::move(sc);
        } catch (const sw::workloads::ScenarioError& e) {
            throw InputError(e.what());
        }
    }
    for (const std::string& s : cli.sets) params.apply_set(s);
    if (cli.strict) params.set_override("sw.strict", true, "--strict");
    if (cli.seed) params.set_override("sim.seed", *cli.seed, "--seed");
    if (cli.duration) params.set_override("sim.duration", *cli.duration, "--duration");
    if (cli.max_transactions)
        params.set_override("sim.max_transactions", *cli.max_transactions, "--max-transactions");
    if (cli.warmup) params.set_override("sim.warmup", *cli.warmup, "--warmup");

    core::Param<uint64_t> seed("sim.seed", 1, "", "seed of all randomness");
    core::Param<sc_core::sc_time> duration("sim.duration", sc_core::SC_ZERO_TIME, "",
                                           "stop after this simulated time (0: when the workload ends)");
    core::Param<uint64_t> max_tx("sim.max_transactions", 0, "",
                                 "stop after this many device (DMA) transactions; background CPU traffic stops with them (0: no limit)");
    core::Param<double> watchdog_host("sim.watchdog_host", 300, "s",
                                      "stop a run whose simulated time stays the same for this many seconds of host "
                                      "time (0: never); see also sw.watchdog",
                                      {0.0, 1e9});
    core::Param<sc_core::sc_time> warmup("sim.warmup", sc_core::SC_ZERO_TIME, "",
                                         "reset every stat at this simulated time: stats cover the rest of the run (0: none)");
    core::RunControl::instance().configure(seed, max_tx);
    enum class Mode { At, Lt };
    core::EnumParam<Mode> mode("sim.mode", Mode::At, {{"at", Mode::At}, {"lt", Mode::Lt}},
                               "timing mode: 'at', approximately timed (every queue, slot and port timed); 'lt', "
                               "loosely timed device traffic (b_transport with the same latencies, no contention "
                               "or queueing: for count sweeps; docs/design.md, Timing modes)");
    // 1 us: 1000 cycles of the 1 GHz clocks, about ten uncontended DRAM reads (dram.read_latency
    // 100), so a TLB-hit stream syncs once per some hundred transactions, while the
    // software's shortest waits (a CMD_SYNC, a few us) still see the devices within one
    // quantum of their time (the TLM-2.0 LRM 16.2.2 trade: speed against the error a late sync
    // adds to cross-process timing).
    core::Param<sc_core::sc_time> quantum("sim.quantum", sc_core::sc_time(1, sc_core::SC_US), "",
                                          "sim.mode=lt: the global quantum, how far a device may run ahead of "
                                          "simulated time before it yields");
    if (quantum.value() == sc_core::SC_ZERO_TIME) quantum.fail("must be above zero");
    core::RunControl::instance().set_loosely_timed(mode == Mode::Lt, quantum);
    sc_core::sc_time stats_interval = sc_core::SC_ZERO_TIME;
    if (cli.stats_interval) {
        std::string err;
        if (!core::parse_time(*cli.stats_interval, stats_interval, err) || stats_interval == sc_core::SC_ZERO_TIME)
            throw InputError("--stats-interval '" + *cli.stats_interval + "': " +
                             (err.empty() ? "expected a time above zero, e.g. 10us" : err));
    }

    std::unique_ptr<Platform> platform;
    try {
        platform = info->make(popts);
    } catch (const sw::workloads::ScenarioError& e) {
        throw InputError(e.what());
    }
    params.check_overrides_used();

    if (cli.list_params) {
        params.print_list(std::cout, cli.list_pattern);
        return 0;
    }
    RunTotals totals(*platform);
    if (cli.list_stats) {
        core::StatsRegistry::instance().print_list(std::cout, cli.list_pattern);
        return 0;
    }
    if (duration.value() == sc_core::SC_ZERO_TIME && max_tx == 0 && !platform->ends_itself()) {
        for (const auto* g : platform->generators())
            if (g->unbounded())
                throw InputError(std::string(g->name()) +
                                 ".count is 0 (unlimited): bound the run with --duration or "
                                 "--max-transactions");
    }

    std::error_code ec;
    std::filesystem::create_directories(cli.out_dir, ec);
    if (ec) throw InputError("--out " + cli.out_dir + ": cannot create directory: " + ec.message());
    nlohmann::json config = params.effective_config();
    config.update(run_record(scenario_path));
    write_json(cli.out_dir + "/config.json", config);
    if (!cli.vcd.empty()) core::VcdWriter::instance().open(cli.vcd, cli.vcd_signals);
    if (!cli.trace.empty() && mode == Mode::Lt)
        throw InputError("--trace: the transaction trace is AT only (sim.mode=lt has no per-phase times to show)");
    if (!cli.trace.empty()) core::TxnTraceWriter::instance().open(cli.trace);
    const struct {
        core::LogId id;
        const std::string& path;
        const char* flag;
    } logs[] = {{core::LogId::Xlate, cli.xlate_log, "--xlate-log"},
                {core::LogId::Cmd, cli.cmd_log, "--cmd-log"},
                {core::LogId::Event, cli.event_log, "--event-log"}};
    for (const auto& l : logs)
        if (!l.path.empty()) core::JsonLog::open(l.id, l.path, l.flag);

    std::cout << "smmu-sim: platform " << info->name << ", seed " << seed.value() << "\n";
    platform->print_address_map(std::cout);
    std::cout.flush();

    RunLoopOptions loop;
    loop.duration = duration;
    loop.warmup = warmup;
    loop.stats_interval = stats_interval;
    loop.stats_interval_path = cli.out_dir + "/stats_intervals.jsonl";
    loop.progress = !cli.quiet && (cli.progress || isatty(STDERR_FILENO));
    if (cli.progress) loop.progress_after_s = 0;  // asked for: from the first slice
    loop.transactions = [&totals] { return totals.transactions(); };
    auto t0 = std::chrono::steady_clock::now();
    {
        core::HostWatchdog watchdog(watchdog_host);
        run_simulation(loop);
    }
    double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (std::exception_ptr failure = platform->failure()) {
        // The software stopped: a scenario step that cannot be done is the user's input (2),
        // anything else a failure of the software (1). Reported and returned rather than
        // thrown: the simulation is complete, so the usual teardown is safe (and a throw or a
        // no-return exit here trips AddressSanitizer's view of SystemC's coroutine stacks).
        int status = 1;
        std::string what;
        try {
            std::rethrow_exception(failure);
        } catch (const sw::workloads::ScenarioError& e) {
            status = 2;
            what = e.what();
        } catch (const std::exception& e) {
            what = std::string("software failed: ") + e.what();
        }
        std::cout.flush();
        std::cerr << "smmu-sim: " << (status == 2 ? "error: " : "internal error: ") << what << std::endl;
        return status;
    }
    if (duration.value() == sc_core::SC_ZERO_TIME && max_tx == 0 && platform->software_unfinished()) {
        std::cout.flush();
        std::cerr << "smmu-sim: internal error: the simulation ran out of events with the software's workload "
                     "unfinished (it waits for something that never happens)"
                  << std::endl;
        return 1;
    }

    core::VcdWriter::instance().close();
    core::TxnTraceWriter::instance().close();
    for (const auto& l : logs)
        if (!core::JsonLog::close(l.id)) throw InputError(std::string(l.flag) + " " + l.path + ": write failed");
    // "_kinds": each stat's kind and unit, beside the values (docs/outputs.md).
    nlohmann::json stats = core::StatsRegistry::instance().dump();
    stats["_kinds"] = core::StatsRegistry::instance().kinds();
    write_json(cli.out_dir + "/stats.json", stats);

    std::vector<std::string> outputs{cli.out_dir + "/stats.json", cli.out_dir + "/config.json"};
    if (stats_interval > sc_core::SC_ZERO_TIME) outputs.push_back(loop.stats_interval_path);
    if (!cli.vcd.empty()) outputs.push_back(cli.vcd);
    if (!cli.trace.empty()) outputs.push_back(cli.trace);
    for (const auto& l : logs)
        if (!l.path.empty()) outputs.push_back(l.path);
    totals.print(std::cout, host_s, outputs);
    return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const InputError& e) {
        std::cout.flush();
        std::cerr << "smmu-sim: error: " << e.what() << std::endl;
        // Elaboration may have stopped half way; leave without SystemC's teardown.
        std::_Exit(2);
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "smmu-sim: internal error: " << e.what() << std::endl;
        std::_Exit(1);
    }
}

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    // SystemC prints its banner before sc_main unless told not to.
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
