#pragma once
// The driver's side of the command queue (Linux arm_smmu_cmdq_issue_cmdlist, single CPU):
// commands are written to their slots in memory, published with one CMDQ_PROD write, and a
// CMD_SYNC is waited for by polling CMDQ_CONS, by polling for its MSI write-back, or by the
// wired interrupt (DriverConfig::sync). A command-queue error is repaired by the GERROR
// handler (recover_error), as Linux does, never by the waiter.

#include <cstdint>
#include <vector>

#include "models/smmu/arch/commands.h"
#include "sw/driver/config.h"
#include "sw/driver/errors.h"
#include "sw/driver/observer.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::driver {

class CommandQueue {
public:
    CommandQueue(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs, unsigned log2);
    ~CommandQueue();

    // The CMDQ_BASE value (RA | address | LOG2SIZE).
    uint64_t base_register() const;
    unsigned log2size() const { return log2_; }

    // Writes `n` commands, plus a CMD_SYNC if `sync`, publishes them and, with `sync`, waits
    // for the CMD_SYNC. False if the wait for the sync timed out (logged; Linux carries on).
    // Throws DriverError when the queue never drains.
    bool issue(const smmu::arch::Command* cmds, size_t n, bool sync);
    bool issue(const smmu::arch::Command& c, bool sync) { return issue(&c, 1, sync); }

    // GERROR.CMDQ_ERR: CERROR_ILL replaces the bad command with a CMD_SYNC; CERROR_ABT and
    // CERROR_ATC_INV_SYNC retry as they are. The SMMU restarts when GERRORN is acknowledged.
    // kStuckAborts aborts in a row at one slot make the queue stuck: the next wait throws.
    void recover_error();

    uint64_t commands() const { return commands_; }
    uint64_t syncs() const { return syncs_; }
    uint64_t timeouts() const { return timeouts_; }

private:
    uint64_t slot(uint32_t pos) const;
    void wait_for_space(uint32_t need);
    static constexpr unsigned kStuckTimeouts = 10;
    // Consecutive CERROR_ABTs at one CMDQ_CONS after which the queue counts as stuck.
    static constexpr unsigned kStuckAborts = 8;
    void check_stuck() const;
    bool wait_for_sync(uint32_t sync_pos);
    bool consumed(uint32_t cons, uint32_t pos) const;
    void write_slots(uint32_t pos, const std::vector<smmu::arch::Command>& cmds);

    hal::Bus& bus_;
    hal::PageAllocator& mem_;
    const DriverConfig& cfg_;
    Observer& obs_;
    unsigned log2_;
    uint64_t base_;
    uint32_t prod_ = 0, cons_ = 0;  // shadows: index and wrap bits
    uint64_t commands_ = 0, syncs_ = 0, timeouts_ = 0;
    uint64_t aborts_ = 0;         // CERROR_ABTs seen
    uint32_t abort_pos_ = 0;      // CMDQ_CONS of the last one
    unsigned aborts_at_same_ = 0;  // consecutive ones there
    bool stuck_ = false;
};

}  // namespace smmusim::sw::driver
