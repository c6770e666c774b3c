#include "models/core/watchdog.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

namespace smmusim::core {

HostWatchdog::HostWatchdog(double seconds) {
    if (seconds > 0) thread_ = std::thread([this, seconds] { watch(seconds); });
}

HostWatchdog::~HostWatchdog() {
    {
        std::lock_guard<std::mutex> l(m_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void HostWatchdog::watch(double seconds) {
    using clock = std::chrono::steady_clock;
    const auto limit = std::chrono::duration<double>(seconds);
    const auto step = std::chrono::duration<double>(std::min(1.0, std::max(0.01, seconds / 8)));
    // The simulation's clock and delta count, read from this thread while it runs: a racy read
    // of two integers that only ever grow, for a diagnostic (nothing acts on a torn value but
    // an exit that a real stall would cause anyway a moment later).
    uint64_t time = sc_core::sc_time_stamp().value(), deltas = sc_core::sc_delta_count();
    auto changed = clock::now();
    bool deltas_moved = false;
    std::unique_lock<std::mutex> l(m_);
    while (!cv_.wait_for(l, step, [this] { return stop_; })) {
        const uint64_t t = sc_core::sc_time_stamp().value(), d = sc_core::sc_delta_count();
        if (t != time) {
            time = t;
            deltas = d;
            deltas_moved = false;
            changed = clock::now();
            continue;
        }
        if (d != deltas) deltas_moved = true;
        deltas = d;
        if (clock::now() - changed < limit) continue;
        const sc_core::sc_process_handle p = sc_core::sc_get_current_process_handle();
        const std::string who = p.valid() ? p.name() : "none";
        std::fflush(stdout);
        std::fprintf(stderr,
                     "smmu-sim: error: watchdog (sim.watchdog_host): simulated time has stayed at %s for %.0f s of "
                     "host time: %s (process: %s)\n",
                     sc_core::sc_time_stamp().to_string().c_str(), seconds,
                     deltas_moved ? "delta cycles run at that instant for ever (a zero-time loop)"
                                  : "a process never returns to the SystemC kernel",
                     who.c_str());
        std::_Exit(1);
    }
}

}  // namespace smmusim::core
