#pragma once
// Runs the `base` platform in-process with a scenario and collects what a user would read:
// the xlate, cmd and event logs (parsed), stats, and the software's failure, if any.

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/core/json_log.h"
#include "models/core/param_registry.h"
#include "platforms/platform.h"
#include "sw/workloads/scenario.h"
#include "tests/common/test_util.h"

namespace smmusim::test {

struct SoftwareRun {
    std::vector<nlohmann::json> xlate, cmd, event;
    std::exception_ptr failure;
    std::string failure_text;

    // `scenario`: JSON text, or "" for the platform's built-in workload; `sets`: parameter
    // values (background CPU traffic is off unless a set turns it on).
    explicit SoftwareRun(const std::string& scenario, std::vector<std::string> sets = {},
                         const char* platform_name = "base") {
        std::shared_ptr<sw::workloads::Scenario> sc;
        auto& params = core::ParamRegistry::instance();
        params.apply_set("cpu_traffic.enable=false");
        if (!scenario.empty()) {
            const std::string file = temp_file(scenario, ".json");
            sc = std::make_shared<sw::workloads::Scenario>(sw::workloads::load_scenario(file));
            std::remove(file.c_str());
            for (const auto& [k, v] : sc->set) params.set_override(k, v, "scenario");
        }
        for (const std::string& s : sets) params.apply_set(s);
        const std::string paths[3] = {temp_file("", ".x"), temp_file("", ".c"), temp_file("", ".e")};
        core::JsonLog::open(core::LogId::Xlate, paths[0], "xlate");
        core::JsonLog::open(core::LogId::Cmd, paths[1], "cmd");
        core::JsonLog::open(core::LogId::Event, paths[2], "event");
        platforms::PlatformOptions opts;
        opts.scenario = sc;
        platform = platforms::find_platform(platform_name)->make(opts);
        params.check_overrides_used();
        sc_core::sc_start();
        core::JsonLog::close_all();
        std::vector<nlohmann::json>* into[3] = {&xlate, &cmd, &event};
        for (int i = 0; i < 3; ++i) {
            std::ifstream in(paths[i]);
            for (std::string line; std::getline(in, line);) into[i]->push_back(nlohmann::json::parse(line));
            std::remove(paths[i].c_str());
        }
        failure = platform->failure();
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                failure_text = e.what();
            }
        }
    }

    // Commands of one opcode, in order.
    std::vector<nlohmann::json> commands(const std::string& op) const {
        std::vector<nlohmann::json> v;
        for (const auto& c : cmd)
            if (c.value("op", nlohmann::json()) == op) v.push_back(c);
        return v;
    }

    std::unique_ptr<platforms::Platform> platform;
};

// The number in a log's "0x..." string.
inline uint64_t num(const nlohmann::json& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

// "0x..." of a number.
inline std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

}  // namespace smmusim::test
