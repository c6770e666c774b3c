#pragma once
// The driver's side of the command queue, shared by every CPU (DriverConfig::cmdq):
//  Linux   mainline arm_smmu_cmdq_issue_cmdlist: a CPU reserves slots by cmpxchg on the shared
//          llq (PROD | OWNED flag, CONS), writes them, marks them in the valid bitmap; the CPU
//          that found the OWNED flag clear is the owner and, after the previous owner, publishes
//          CMDQ_PROD for everyone who joined. A CMD_SYNC is waited for, under the shared cmdq
//          lock, by WFE on its own slot (MSIPOLL) or by polling CMDQ_CONS (WFE with IDR0.SEV).
//          All shared state lives in simulated memory and is accessed through the bus's atomics.
//  Simple  one CPU: shadow PROD/CONS in the driver, one CMDQ_PROD write per call, every wait a
//          poll with back-off (this model's first queue).
// A command-queue error is repaired by the GERROR handler (recover_error), as Linux does,
// never by the waiter. The same class runs an ECMDQ (set_registers: its PROD/CONS, and the EN
// and ERRACK bits every ECMDQ_PROD write carries); the main queue then routes each CPU's
// commands to its ECMDQ (route), as the ECMDQ series' arm_smmu_get_cmdq does.

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
    // `sev`: the SMMU has IDR0.SEV (Linux's queue_poll then waits with WFE).
    CommandQueue(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs, unsigned log2,
                 bool sev = false);
    ~CommandQueue();
    // Which queue this is, for Observer::prod_published (0: the main command queue).
    void set_queue(unsigned q) { queue_ = q; }

    // The CMDQ_BASE value (RA | address | LOG2SIZE).
    uint64_t base_register() const;
    unsigned log2size() const { return log2_; }

    // Writes `n` commands, plus a CMD_SYNC if `sync`, publishes them and, with `sync`, waits
    // for the CMD_SYNC. False if the wait for the sync timed out (logged; Linux carries on).
    // Throws DriverError when the queue never drains.
    bool issue(const smmu::arch::Command* cmds, size_t n, bool sync);
    bool issue(const smmu::arch::Command& c, bool sync) { return issue(&c, 1, sync); }

    // This queue is an ECMDQ: PROD and CONS registers there, `prod_flags` (EN) in every PROD write.
    void set_registers(uint64_t prod_reg, uint64_t cons_reg, uint32_t prod_flags);
    // From now on CPU c's commands go to queue per_cpu[c % size] (counted here too).
    void route(std::vector<CommandQueue*> per_cpu) { route_ = std::move(per_cpu); }
    // ECMDQ: after recover_error, ERRACK := CONS.ERR so that the SMMU consumes again. Waits
    // until no CPU is between reading the flags and writing PROD (the series' ecmdq_lock).
    void ack_error(uint32_t cons);
    uint64_t prod_register() const { return prod_reg_; }
    uint64_t cons_register() const { return cons_reg_; }

    // issue(cmds, n, true) in two halves, so that one CPU can have CMD_SYNCs outstanding on
    // several SMMU instances at once (sw.driver.inv_instances=parallel): post() writes and
    // publishes the commands and their CMD_SYNC; wait() waits for that sync. issue() is
    // post() + wait(), the same bus operations in the same order.
    struct PendingSync {
        uint32_t pos = 0;     // the CMD_SYNC's slot (index and wrap)
        uint64_t start = 0;   // when the issue call began
        CmdqCpuTimes t;
        bool sync = false;
        CommandQueue* on = nullptr;  // the ECMDQ the commands went to (route), else this queue
    };
    PendingSync post(const smmu::arch::Command* cmds, size_t n);
    bool wait(PendingSync& p);

    // GERROR.CMDQ_ERR: CERROR_ILL replaces the bad command with a CMD_SYNC; CERROR_ABT and
    // CERROR_ATC_INV_SYNC retry as they are. The SMMU restarts when GERRORN is acknowledged.
    // kStuckAborts aborts in a row at one slot make the queue stuck: the next wait throws.
    void recover_error();

    uint64_t commands() const { return commands_; }
    uint64_t syncs() const { return syncs_; }
    uint64_t timeouts() const { return timeouts_; }
    uint64_t publishes() const { return publishes_; }
    // Linux: where the shared llq (PROD low word, CONS high word), owner_prod, the lock and the
    // valid bitmap live in memory (0 for Simple).
    uint64_t llq_address() const { return shared_; }

    static constexpr uint32_t kOwnedFlag = 1u << 31;  // CMDQ_PROD_OWNED_FLAG (Q_OVERFLOW_FLAG)

private:
    void write_prod(uint32_t prod);
    CommandQueue& routed() const { return *route_[bus_.cpu() % route_.size()]; }
    PendingSync post_simple(const smmu::arch::Command* cmds, size_t n, bool sync);
    bool finish_simple(PendingSync& p);
    PendingSync post_linux(const smmu::arch::Command* cmds, size_t n, bool sync);
    bool finish_linux(PendingSync& p);
    // ---- Linux (cmdq_linux.cpp) ----
    uint64_t owner_prod_addr() const { return shared_ + 64; }
    uint64_t lock_addr() const { return shared_ + 68; }
    uint64_t valid_map_addr() const { return shared_ + 128; }
    uint32_t inc(uint32_t prod, uint32_t n) const;
    bool has_space(uint64_t llq, uint32_t n) const;
    void store32(uint64_t pa, uint32_t v);
    template <typename Pred>
    uint64_t cond_load(uint64_t pa, unsigned size, Pred done);
    void shared_lock();
    void shared_unlock();
    bool shared_tryunlock();
    bool exclusive_trylock();
    void exclusive_unlock();
    void valid_map(uint32_t sprod, uint32_t eprod, bool set);
    uint64_t linux_wait_for_space(uint64_t llq, uint32_t need);
    bool poll_until_not_full(uint64_t& llq);
    bool poll_until_msi(uint32_t sync_pos, uint32_t& cons);
    bool poll_until_consumed(uint32_t sync_pos, uint32_t& cons);
    void write_entries(uint32_t pos, const smmu::arch::Command* cmds, size_t n);
    smmu::arch::Command sync_command(uint32_t pos) const;
    void sync_timed_out(uint32_t sync_pos);
    // ---- Simple ----
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
    unsigned queue_ = 0;  // 0: the main command queue, 1 + i: ECMDQ i (for the observer)
    Observer& obs_;
    unsigned log2_;
    uint64_t base_;
    bool sev_;
    uint64_t shared_ = 0;
    uint64_t prod_reg_, cons_reg_;
    uint32_t prod_flags_ = 0;
    unsigned prod_writers_ = 0;  // CPUs writing PROD right now
    std::vector<CommandQueue*> route_;
    uint64_t publishes_ = 0;
    uint32_t prod_ = 0, cons_ = 0;  // shadows: index and wrap bits
    uint64_t commands_ = 0, syncs_ = 0, timeouts_ = 0;
    uint64_t aborts_ = 0;         // CERROR_ABTs seen
    uint32_t abort_pos_ = 0;      // CMDQ_CONS of the last one
    unsigned aborts_at_same_ = 0;  // consecutive ones there
    bool stuck_ = false;
};

}  // namespace smmusim::sw::driver
