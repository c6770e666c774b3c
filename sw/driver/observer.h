#pragma once
// What the driver reports as it works, for stats and logs. The platform implements it; the
// driver never depends on how it is recorded. Cycles are CPU cycles.

#include <cstdint>
#include <string>

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/events.h"

namespace smmusim::sw::driver {

// Where one CPU's arm_smmu_cmdq_issue_cmdlist call spent its CPU cycles: in all, and the parts
// spent waiting for queue space, for the previous owner (owner_prod) and the valid map, and for
// its CMD_SYNC.
struct CmdqCpuTimes {
    uint64_t issue = 0, space = 0, owner = 0, sync = 0;
};

class Observer {
public:
    virtual ~Observer() = default;
    // Every command written to the command queue (CMD_SYNCs included).
    virtual void command(const smmu::arch::Command&) {}
    // A CMD_SYNC waited for, from the PROD write that published it to seeing it complete.
    virtual void sync_waited(uint64_t /*cycles*/, bool /*timed_out*/) {}
    // One command-list issue by CPU `cpu` (the bus's cpu()), with where its time went.
    virtual void cmdq_issued(unsigned /*cpu*/, const CmdqCpuTimes&) {}
    // A PROD write publishing `commands` commands (of one or several CPUs) on `queue`: 0 the
    // main command queue, 1 + i ECMDQ i.
    virtual void prod_published(unsigned /*queue*/, uint64_t /*commands*/) {}
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
