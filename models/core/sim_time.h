#pragma once
// The current simulation time without a library call: sc_core::sc_time_stamp() is out of line
// in libsystemc (a call per use, ~30 per transaction on the TBU hit path); the simulation
// context's time_stamp() it forwards to is inline in the kernel's header. Same value.

#include <systemc>

namespace smmusim::core {

inline const sc_core::sc_time& now() { return sc_core::sc_get_curr_simcontext()->time_stamp(); }

}  // namespace smmusim::core
