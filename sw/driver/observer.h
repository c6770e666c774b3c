#pragma once
// What the driver reports as it works, for stats and logs. The platform implements it; the
// driver never depends on how it is recorded. Cycles are CPU cycles.

#include <cstdint>
#include <string>

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/events.h"

namespace smmusim::sw::driver {

class Observer {
public:
    virtual ~Observer() = default;
    // Every command written to the command queue (CMD_SYNCs included).
    virtual void command(const smmu::arch::Command&) {}
    // A CMD_SYNC waited for, from the PROD write that published it to seeing it complete.
    virtual void sync_waited(uint64_t /*cycles*/, bool /*timed_out*/) {}
    // An event record read from the event queue.
    virtual void event(const smmu::arch::EventRecord&) {}
    // Global errors found active by the GERROR handler.
    virtual void gerror(uint32_t /*active*/) {}
    virtual void map_done(uint64_t /*cycles*/, uint64_t /*bytes*/) {}
    virtual void unmap_done(uint64_t /*cycles*/, uint64_t /*bytes*/, uint64_t /*commands*/, uint64_t /*syncs*/) {}
    // A lazy-mode flush-queue flush (whole-ASID / whole-VMID invalidation) and the queued
    // unmaps it freed at once; `timeout`: the queue's timer asked for it, else a full queue or
    // the end of the run.
    virtual void fq_flush(uint64_t /*entries*/, bool /*timeout*/) {}
    // Something a kernel would print (timeouts, overflows, command errors).
    virtual void warning(const std::string&) {}
};

}  // namespace smmusim::sw::driver
