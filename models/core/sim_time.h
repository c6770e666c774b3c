#pragma once
// The current simulation time without a library call: sc_core::sc_time_stamp() is out of line
// in libsystemc (a call per use, ~30 per transaction on the TBU hit path); the simulation
// context's time_stamp() it forwards to is inline in the kernel's header. Same value.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <systemc>

namespace smmusim::core {

inline const sc_core::sc_time& now() { return sc_core::sc_get_curr_simcontext()->time_stamp(); }

// sc_time::from_value(v) without its library call (out of line in libsystemc; the cycle
// conversions of every latency charged per transaction go through it): sc_time is the one
// integer value in the time resolution, as the static_assert checks.
inline sc_core::sc_time time_from_value(sc_core::sc_time::value_type v) {
    static_assert(sizeof(sc_core::sc_time) == sizeof(v) && std::is_standard_layout_v<sc_core::sc_time>,
                  "sc_time holds exactly its value");
    sc_core::sc_time t;
    std::memcpy(static_cast<void*>(&t), &v, sizeof v);
    return t;
}

// uint64_t(t.to_seconds() * 1e9 + 0.5), whole nanoseconds rounded to nearest, without the
// library call: the same double operations as to_seconds() (the value times the resolution in
// femtoseconds, times 1e-15), so the same result to the bit (the trace writes one per span end).
inline uint64_t to_whole_ns(const sc_core::sc_time& t) {
    static const double res_fs = std::round(sc_core::sc_get_time_resolution().to_seconds() * 1e15);
    return uint64_t(double(t.value()) * res_fs * 1e-15 * 1e9 + 0.5);
}

}  // namespace smmusim::core
