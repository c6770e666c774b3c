#include "models/traffic/address_pattern.h"

namespace smmusim::traffic {

uint64_t AddressPattern::next() {
    const uint64_t slots = slots_;
    switch (cfg_.kind) {
    case Pattern::Sequential:
    case Pattern::Strided: {
        uint64_t off = offset_;
        uint64_t step = cfg_.kind == Pattern::Sequential ? cfg_.size : cfg_.stride;
        offset_ += step;
        if (offset_ >= cfg_.region) offset_ %= cfg_.region;  // the division only on a wrap
        return cfg_.base + off;
    }
    case Pattern::Random:
        return cfg_.base + rng_.below(slots) * cfg_.size;
    case Pattern::HotSet: {
        bool hot = rng_.uniform() < cfg_.hot_fraction;
        uint64_t n = hot ? cfg_.hot_size / cfg_.size : slots;
        return cfg_.base + rng_.below(n) * cfg_.size;
    }
    case Pattern::Trace:
        break;
    }
    return cfg_.base;
}

}  // namespace smmusim::traffic
