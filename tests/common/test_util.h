#pragma once
// Small helpers shared by tests.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/core/errors.h"
#include "models/core/stats.h"

namespace smmusim::test {

// A new file under /tmp holding `text`; `suffix` is its ending (".json", ".trc").
inline std::string temp_file(const std::string& text, const std::string& suffix) {
    std::string name = "/tmp/smmusim_test_XXXXXX" + suffix;
    int fd = mkstemps(name.data(), int(suffix.size()));
    std::ofstream(name) << text;
    close(fd);
    return name;
}

// The message of the InputError `f` throws, or "(no error)".
inline std::string input_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

// The value of the stat `name` as stats.json would show it (null, and a test failure, if absent).
inline nlohmann::json stat(const std::string& name) {
    const core::StatBase* s = core::StatsRegistry::instance().find(name);
    EXPECT_NE(s, nullptr) << name;
    return s ? s->to_json() : nlohmann::json();
}

}  // namespace smmusim::test
