#pragma once
// The host-time watchdog (issue 19): while the simulation runs, a host thread checks every so
// often that SystemC's simulated time has moved. If it has not for `seconds` of host time the
// run is stuck (delta cycles at one instant for ever, or a process that never returns to the
// kernel) and the process ends, exit status 1, with one line naming the instant, whether
// delta cycles still run, and the process SystemC was running. The software's own lack of
// progress in simulated time is the platform's sw.watchdog.

#include <condition_variable>
#include <mutex>
#include <thread>

namespace smmusim::core {

class HostWatchdog {
public:
    // Watches until destroyed; seconds <= 0 watches nothing.
    explicit HostWatchdog(double seconds);
    ~HostWatchdog();
    HostWatchdog(const HostWatchdog&) = delete;
    HostWatchdog& operator=(const HostWatchdog&) = delete;

private:
    void watch(double seconds);

    std::mutex m_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace smmusim::core
