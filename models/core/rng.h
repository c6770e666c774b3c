#pragma once
// Deterministic random numbers: xoshiro256** seeded by SplitMix64. Each module derives its own
// stream from the run seed and its name, so adding a module does not change the others' draws,
// and results do not depend on the C++ library's distribution implementations.

#include <cstdint>
#include <string>

namespace smmusim::core {

class Rng {
public:
    explicit Rng(uint64_t seed = 1);
    uint64_t next();
    // Uniform in [0, n), unbiased; n > 0.
    uint64_t below(uint64_t n);
    // Uniform in [0, 1).
    double uniform();

private:
    uint64_t s_[4];
};

// Seed for the named module's stream.
uint64_t derive_seed(uint64_t run_seed, const std::string& name);

}  // namespace smmusim::core
