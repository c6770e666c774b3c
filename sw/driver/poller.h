#pragma once
// Linux's queue_poll: with WFE (the SMMU has IDR0.SEV) sleep until an event; otherwise re-poll
// a few times with cpu_relax(), then back off with delays that double, until a timeout. The
// waiting costs CPU time the way it does in the kernel, so a sync that completes just after a
// poll is seen up to one back-off delay late.

#include <cstdint>

#include "sw/driver/config.h"
#include "sw/hal/bus.h"

namespace smmusim::sw::driver {

class Poller {
public:
    Poller(hal::Bus& bus, const DriverConfig& cfg, bool wfe = false)
        : bus_(bus), cfg_(cfg), deadline_(bus.now() + cfg.poll_timeout), delay_(cfg.poll_delay), wfe_(wfe) {}

    // Starts over (a new timeout period, the first back-off delay again).
    void restart() {
        deadline_ = bus_.now() + cfg_.poll_timeout;
        delay_ = cfg_.poll_delay;
        spins_ = 0;
    }

    // Waits before the next poll; false once the timeout has passed.
    bool wait() {
        if (bus_.now() >= deadline_) return false;
        if (wfe_) {
            bus_.wfe(0);  // woken by the SMMU's SEV (CMD_SYNC CS=SEV), another CPU's, or the event stream
        } else if (++spins_ < cfg_.poll_spins) {
            bus_.work(cfg_.poll_relax);
        } else {
            bus_.work(delay_);
            delay_ *= 2;
            spins_ = 0;
        }
        return true;
    }

private:
    hal::Bus& bus_;
    const DriverConfig& cfg_;
    uint64_t deadline_;
    uint64_t delay_;
    uint64_t spins_ = 0;
    bool wfe_;
};

}  // namespace smmusim::sw::driver
