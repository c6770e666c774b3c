#pragma once
// The `clock` parameter every timed module has: latencies are given in its cycles.

#include <systemc>

#include "models/core/params.h"
#include "models/core/sim_time.h"

namespace smmusim::core {

class ClockParam : public Param<sc_core::sc_time> {
public:
    explicit ClockParam(const sc_core::sc_object* owner,
                        sc_core::sc_time period = sc_core::sc_time(1, sc_core::SC_NS))
        : Param(owner, "clock", period, "period",
                "clock period of this module (a time, or a frequency such as \"2 GHz\"); "
                "its latencies are counted in these cycles") {
        if (value() == sc_core::SC_ZERO_TIME) fail("the clock period must be positive");
        for (uint64_t n = 0; n < kTable; ++n) table_[n] = sc_core::sc_time::from_value(value().value() * n);
    }
    // In integer time units: what value() * double(n) gives while the product is below 2^53
    // (exact in a double), without SystemC's volatile double round trip per multiply; the
    // first cycle counts from a table (every transaction charges a few; the period is fixed
    // once the parameter is constructed).
    sc_core::sc_time cycles(uint64_t n) const {
        return n < kTable ? table_[n] : time_from_value(value().value() * n);
    }
    // Whole cycles needed to move `bytes` at `bytes_per_cycle` (at least one).
    // A power-of-two width (the usual) shifts instead of dividing: every transaction asks a few.
    static uint64_t beats(uint64_t bytes, uint64_t bytes_per_cycle) {
        if (bytes == 0) return 1;
        if (bytes_per_cycle && (bytes_per_cycle & (bytes_per_cycle - 1)) == 0)
            return (bytes + bytes_per_cycle - 1) >> __builtin_ctzll(bytes_per_cycle);
        return (bytes + bytes_per_cycle - 1) / bytes_per_cycle;
    }

private:
    static constexpr uint64_t kTable = 64;
    sc_core::sc_time table_[kTable];
};

}  // namespace smmusim::core
