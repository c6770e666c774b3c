#pragma once
// Process CPU time in seconds: what the speed programs report (scripts/bench divides one by
// another), so that load from other processes does not count.

#include <ctime>

namespace smmusim::core {

inline double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

}  // namespace smmusim::core
