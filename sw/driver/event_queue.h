#pragma once
// The driver's side of the event queue (Linux arm_smmu_evtq_thread): on the event-queue
// interrupt, read records from CONS up to PROD, writing CONS after each, re-read PROD until
// the queue is empty, report an overflow (PROD.OVFLG toggled) and acknowledge it through
// CONS.OVACKFLG.

#include <cstdint>

#include "sw/driver/observer.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::driver {

class EventQueue {
public:
    EventQueue(hal::Bus& bus, hal::PageAllocator& mem, Observer& obs, uint64_t regs, unsigned log2);

    uint64_t base_register() const;  // EVENTQ_BASE
    // Reads every pending record; returns how many.
    uint64_t drain();

    uint64_t events() const { return events_; }
    uint64_t overflows() const { return overflows_; }

private:
    hal::Bus& bus_;
    Observer& obs_;
    uint64_t regs_;
    unsigned log2_;
    uint64_t base_;
    uint32_t prod_ = 0, cons_ = 0;  // shadows, with the overflow flag in bit 31
    uint64_t events_ = 0, overflows_ = 0;
};

}  // namespace smmusim::sw::driver
