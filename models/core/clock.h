#pragma once
// The `clock` parameter every timed module has: latencies are given in its cycles.

#include <systemc>

#include "models/core/params.h"

namespace smmusim::core {

class ClockParam : public Param<sc_core::sc_time> {
public:
    explicit ClockParam(const sc_core::sc_object* owner,
                        sc_core::sc_time period = sc_core::sc_time(1, sc_core::SC_NS))
        : Param(owner, "clock", period, "period",
                "clock period of this module (a time, or a frequency such as \"2 GHz\"); "
                "its latencies are counted in these cycles") {
        if (value() == sc_core::SC_ZERO_TIME) fail("the clock period must be positive");
    }
    sc_core::sc_time cycles(uint64_t n) const { return value() * double(n); }
    // Whole cycles needed to move `bytes` at `bytes_per_cycle` (at least one).
    static uint64_t beats(uint64_t bytes, uint64_t bytes_per_cycle) {
        return bytes == 0 ? 1 : (bytes + bytes_per_cycle - 1) / bytes_per_cycle;
    }
};

}  // namespace smmusim::core
