#pragma once
// Runs the simulation, in slices when something must happen at simulated times the models do
// not know about: the stats reset after --warmup, the periodic stats rows of
// --stats-interval, the VCD's per-microsecond rates and the progress line. Each slice is
// sc_start(t, SC_EXIT_ON_STARVATION), so slicing never moves the end of a run that ends by
// itself, adds no event the models see, and leaves every output as an unsliced run's.

#include <cstdint>
#include <functional>
#include <string>

#include <systemc>

namespace smmusim::platforms {

struct RunLoopOptions {
    sc_core::sc_time duration = sc_core::SC_ZERO_TIME;        // 0: until the models stop
    sc_core::sc_time warmup = sc_core::SC_ZERO_TIME;          // 0: no reset
    sc_core::sc_time stats_interval = sc_core::SC_ZERO_TIME;  // 0: no periodic rows
    std::string stats_interval_path;                          // JSON lines, one row per interval
    bool progress = false;                                    // a line on stderr every second
    double progress_after_s = 2.0;                            // host seconds before the first
    std::function<uint64_t()> transactions;                   // for the progress line
};

// Throws InputError when the periodic stats file cannot be written.
void run_simulation(const RunLoopOptions& o);

}  // namespace smmusim::platforms
