#pragma once
// A DirectBus on which a test chooses how many CPUs there are and which one the calling
// software runs on (Bus::cpu / Bus::cpus), for per-CPU software in isolation.

#include "sw/hal/direct_bus.h"

namespace smmusim::test {

class CpuSelectBus : public sw::hal::DirectBus {
public:
    explicit CpuSelectBus(unsigned cpus) : cpus_(cpus) {}
    unsigned cpu() const override { return cpu_; }
    unsigned cpus() const override { return cpus_; }
    void run_on(unsigned cpu) { cpu_ = cpu; }

private:
    unsigned cpus_, cpu_ = 0;
};

}  // namespace smmusim::test
