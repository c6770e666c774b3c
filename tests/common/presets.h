#pragma once
// Parameter values for a test, applied before the models are built: declare a Presets member
// ahead of the models in a bench struct.

#include <initializer_list>
#include <string>
#include <vector>

#include "models/core/param_registry.h"

namespace smmusim::test {

struct Presets {
    Presets(std::initializer_list<std::string> sets) {
        for (const std::string& s : sets) core::ParamRegistry::instance().apply_set(s);
    }
    explicit Presets(const std::vector<std::string>& sets) {
        for (const std::string& s : sets) core::ParamRegistry::instance().apply_set(s);
    }
};

}  // namespace smmusim::test
