#include "platforms/run_record.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "models/core/param_registry.h"
#include "platforms/version.h"

namespace smmusim::platforms {

std::string scenario_hash(const std::string& path) {
    if (path.empty()) return "";
    std::ifstream in(path, std::ios::binary);
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis and prime
    for (char c; in.get(c);) {
        h ^= uint8_t(c);
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

nlohmann::json run_record(const std::string& scenario_path) {
    return {{"run.version", version()}, {"run.git_commit", git_commit()},
            {"run.scenario_hash", scenario_hash(scenario_path)}};
}

void check_run_record(const std::string& scenario_path) {
    core::ParamRegistry& reg = core::ParamRegistry::instance();
    const nlohmann::json now = run_record(scenario_path);
    for (const auto& [key, value] : now.items()) {
        const core::ParamRegistry::Override* o = reg.take(key);
        if (!o || o->value == value) continue;
        const std::string what = key == "run.scenario_hash" ? "the scenario file " + scenario_path + " has changed"
                                                            : "it was recorded by another build";
        std::cerr << "smmu-sim: note: " << o->source << ": " << key << " is " << o->value.dump() << ", this run "
                  << value.dump() << " (" << what << "; results may differ)\n";
    }
}

}  // namespace smmusim::platforms
