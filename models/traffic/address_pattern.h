#pragma once
// Address sequences over a region for the traffic generators. Every address is aligned to the
// transaction size, so no transaction crosses a size-aligned boundary.

#include <cstdint>

#include "models/core/rng.h"

namespace smmusim::traffic {

enum class Pattern { Sequential, Strided, Random, HotSet, Trace };

struct PatternConfig {
    Pattern kind = Pattern::Sequential;
    uint64_t base = 0;
    uint64_t region = 0;  // bytes, a multiple of size
    uint64_t size = 64;   // transaction size, a power of two
    uint64_t stride = 0;  // Strided: step, a multiple of size
    uint64_t hot_size = 0;      // HotSet: the hot window at the start of the region
    double hot_fraction = 0.0;  // HotSet: probability an access falls in the hot window
};

class AddressPattern {
public:
    AddressPattern(const PatternConfig& cfg, core::Rng& rng)
        : cfg_(cfg), rng_(rng), slots_(cfg.size ? cfg.region / cfg.size : 0) {}
    uint64_t next();

private:
    PatternConfig cfg_;
    core::Rng& rng_;
    uint64_t slots_;  // region / size, once (a division per transaction otherwise)
    uint64_t offset_ = 0;
};

}  // namespace smmusim::traffic
