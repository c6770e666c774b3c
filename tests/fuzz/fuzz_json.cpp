// Fuzz target (c): scenario and config JSON. The text goes through the parser every --config
// and --scenario file goes through (bounded depth, numbers out of range), then through the
// config flattening and the scenario parser. The only acceptable failure is the documented
// bad-input error (InputError, ScenarioError: exit 2 with a message); anything else, a
// nlohmann type error for one, would reach the user as "internal error".

#include <string>

#include "models/core/errors.h"
#include "models/core/json_file.h"
#include "models/core/param_registry.h"
#include "sw/workloads/scenario.h"
#include "tests/fuzz/fuzz_target.h"

using namespace smmusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    nlohmann::json j;
    try {
        j = core::parse_json_text(text, "fuzz.json");
    } catch (const InputError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::finding((std::string("parse: unexpected exception: ") + e.what()).c_str());
    }
    core::ParamRegistry& reg = core::ParamRegistry::instance();
    try {
        reg.load_config_json(j, "fuzz.json");
    } catch (const InputError&) {
    } catch (const std::exception& e) {
        fuzz::finding((std::string("config: unexpected exception: ") + e.what()).c_str());
    }
    reg.clear_overrides();
    try {
        const sw::workloads::Scenario sc = sw::workloads::parse_scenario(j, "fuzz.json");
        for (const auto& [key, value] : sc.set) reg.set_override(key, value, "fuzz.json: set." + key);
        reg.clear_overrides();
    } catch (const sw::workloads::ScenarioError&) {
    } catch (const InputError&) {
    } catch (const std::exception& e) {
        fuzz::finding((std::string("scenario: unexpected exception: ") + e.what()).c_str());
    }
    return 0;
}
