// Linux's multi-CPU command queue (mainline drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c,
// arm_smmu_cmdq_issue_cmdlist and its helpers), modelled step by step. Every piece of state
// the CPUs share (llq, owner_prod, the cmdq lock, the valid bitmap) is in simulated memory and
// is touched only through the bus (loads, stores, atomics, WFE), so that a multi-CPU bus times
// the contention; this CPU's copies (llq, head, owner) are locals, as Linux's are on the stack.

#include <algorithm>
#include <cstdio>
#include <string>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"
#include "sw/driver/cmdq.h"
#include "sw/driver/poller.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr uint64_t kEntryBytes = 16;
constexpr unsigned kBitsPerLong = 64;
constexpr uint32_t kLockExclusive = 0x80000000u;  // INT_MIN: held exclusively
constexpr size_t kWriteChunk = 16;                 // commands per bus write (256 bytes, line aligned)

uint32_t prod_of(uint64_t llq) { return uint32_t(llq); }
uint32_t cons_of(uint64_t llq) { return uint32_t(llq >> 32); }
uint64_t make_llq(uint32_t prod, uint32_t cons) { return uint64_t(cons) << 32 | prod; }
}  // namespace

// queue_inc_prod_n: index and wrap advance by n; the OWNED (overflow) flag is kept.
uint32_t CommandQueue::inc(uint32_t prod, uint32_t n) const {
    const QueueIndex q(log2_);
    return (prod & kOwnedFlag) | ((q.pos(prod) + n) & ((2u << log2_) - 1));
}

// queue_has_space.
bool CommandQueue::has_space(uint64_t llq, uint32_t n) const {
    const QueueIndex q(log2_);
    const uint32_t prod = prod_of(llq), cons = cons_of(llq);
    const uint32_t space = q.wrap(prod) == q.wrap(cons) ? q.entries() - (q.index(prod) - q.index(cons))
                                                         : q.index(cons) - q.index(prod);
    return space >= n;
}

void CommandQueue::store32(uint64_t pa, uint32_t v) { bus_.write(pa, &v, sizeof v); }

// smp_cond_load_relaxed / atomic_cond_read_relaxed on arm64: load; while the condition fails,
// __cmpwait_relaxed (load-exclusive, WFE if unchanged) and load again.
template <typename Pred>
uint64_t CommandQueue::cond_load(uint64_t pa, unsigned size, Pred done) {
    uint64_t v = 0;
    bus_.read(pa, &v, size);
    while (!done(v)) {
        bus_.wait_for_change(pa, size, v, 0);
        v = 0;
        bus_.read(pa, &v, size);
    }
    return v;
}

// arm_smmu_cmdq_shared_lock as in mainline since "Improve CMDQ lock fairness and efficiency"
// (2025): one atomic increment; while the lock is held exclusively (INT_MIN, the sum stays
// negative) the increment already counts this CPU as a waiter, so it only waits until the
// exclusive holder clears the sign bit and the value turns positive (no cmpxchg loop, and no
// new exclusive holder can get in first: the earlier version starved shared waiters).
void CommandQueue::shared_lock() {
    if (int32_t(bus_.atomic(lock_addr(), 4, hal::Bus::AtomicOp::Add, 1)) >= 0) return;
    cond_load(lock_addr(), 4, [](uint64_t x) { return int32_t(uint32_t(x)) > 0; });
}

// atomic_dec_return_release.
void CommandQueue::shared_unlock() {
    bus_.dmb();
    bus_.atomic(lock_addr(), 4, hal::Bus::AtomicOp::Add, 0xffffffffu);
}

// Fails when this CPU looks like the last holder (racy by design: the caller then updates
// llq.cons itself before unlocking).
bool CommandQueue::shared_tryunlock() {
    if (bus_.load32(lock_addr()) == 1) return false;
    shared_unlock();
    return true;
}

bool CommandQueue::exclusive_trylock() { return bus_.cas32(lock_addr(), 0, kLockExclusive) == 0; }

// atomic_fetch_andnot_release(INT_MIN, &cmdq->lock): clears the exclusive bit only, so that
// the shared waiters counted meanwhile keep the lock from the next exclusive trylock.
void CommandQueue::exclusive_unlock() {
    bus_.dmb();
    bus_.atomic(lock_addr(), 4, hal::Bus::AtomicOp::AndNot, kLockExclusive);
}

// __arm_smmu_cmdq_poll_set_valid_map: the bits of [sprod, eprod), a word at a time. A valid
// bit is the inverse of the wrap bit, so setting is an XOR (zeroed memory is invalid, and the
// bits become invalid again on the next lap); polling waits for (word & mask) == !wrap.
void CommandQueue::valid_map(uint32_t sprod, uint32_t eprod, bool set) {
    const QueueIndex q(log2_);
    const uint32_t ewidx = q.index(eprod) / kBitsPerLong, ebidx = q.index(eprod) % kBitsPerLong;
    uint32_t prod = sprod;
    while (prod != eprod) {
        const uint32_t swidx = q.index(prod) / kBitsPerLong, sbidx = q.index(prod) % kBitsPerLong;
        const uint32_t limit = (swidx == ewidx && sbidx < ebidx) ? ebidx : kBitsPerLong;
        const uint64_t mask = (limit == 64 ? ~uint64_t(0) : (uint64_t(1) << limit) - 1) & ~((uint64_t(1) << sbidx) - 1);
        const uint64_t word = valid_map_addr() + uint64_t(swidx) * 8;
        if (set) {
            bus_.atomic(word, 8, hal::Bus::AtomicOp::Xor, mask);
        } else {
            const uint64_t valid = q.wrap(prod) ? 0 : mask;
            cond_load(word, 8, [&](uint64_t v) { return (v & mask) == valid; });
        }
        prod = inc(prod, limit - sbidx);
    }
}

// arm_smmu_cmdq_poll_until_not_full: with the lock taken exclusively, refresh llq.cons from
// CMDQ_CONS; otherwise somebody else will, and this CPU polls llq until it is not full.
bool CommandQueue::poll_until_not_full(uint64_t& llq) {
    const QueueIndex q(log2_);
    if (exclusive_trylock()) {
        store32(shared_ + 4, q.pos(bus_.read32(cons_reg_)));
        exclusive_unlock();
        llq = bus_.load64(shared_);
        return true;
    }
    Poller qp(bus_, cfg_, sev_);
    for (;;) {
        llq = bus_.load64(shared_);
        if (!q.full(prod_of(llq), cons_of(llq))) return true;
        check_stuck();
        if (!qp.wait()) return false;
    }
}

// The caller's `while (!queue_has_space())` loop. Linux warns at each timeout and carries on;
// a queue that never drains (the SMMU stopped, nobody restarts it) ends the software after
// kStuckTimeouts timeout periods instead of hanging the simulation.
uint64_t CommandQueue::linux_wait_for_space(uint64_t llq, uint32_t need) {
    unsigned timeouts = 0;
    uint64_t period = bus_.now();
    while (!has_space(llq, need)) {
        check_stuck();
        const bool ok = poll_until_not_full(llq);
        if (!ok || bus_.now() - period >= cfg_.poll_timeout) {
            ++timeouts_;
            obs_.warning("CMDQ timeout: no space for " + std::to_string(need) + " commands");
            if (++timeouts >= kStuckTimeouts)
                throw DriverError("the command queue has not moved for " + std::to_string(kStuckTimeouts) +
                                  " poll timeouts (CMDQ_CONS " + std::to_string(cons_of(llq)) + ")");
            period = bus_.now();
        }
    }
    return llq;
}

// __arm_smmu_cmdq_poll_until_msi: the SMMU's MSI writes 0 over the first word of the CMD_SYNC's
// slot. smp_cond_load_relaxed waits with WFE on that line; queue_poll (without WFE: the MSI
// raises no event of its own, but the write to the monitored line wakes the CPU) runs at each
// wake-up for the back-off and the timeout.
bool CommandQueue::poll_until_msi(uint32_t sync_pos, uint32_t& cons) {
    Poller qp(bus_, cfg_, false);
    const uint64_t at = slot(sync_pos);
    for (;;) {
        const uint32_t v = bus_.load32(at);
        if (v == 0) break;
        check_stuck();
        if (!qp.wait()) {
            cons = sync_pos;
            return false;
        }
        bus_.wait_for_change(at, 4, v, 0);
    }
    cons = inc(sync_pos, 1);
    return true;
}

// __arm_smmu_cmdq_poll_until_consumed: poll CMDQ_CONS (readl: ordered after this CPU's view of
// the other sync waiters' shared_lock) until it passes the CMD_SYNC; queue_poll waits with WFE
// when the SMMU sends SEV on CMD_SYNC completion. Our Irq mode waits for the wired interrupt.
bool CommandQueue::poll_until_consumed(uint32_t sync_pos, uint32_t& cons) {
    const QueueIndex q(log2_);
    Poller qp(bus_, cfg_, sev_);
    const uint64_t start = bus_.now();
    cons = cons_of(bus_.load64(shared_));
    for (;;) {
        if (consumed(cons, sync_pos)) return true;
        check_stuck();
        bool ok = true;
        if (cfg_.sync == SyncMode::Irq) {
            bus_.wait_irq(hal::IRQ_CMDQ_SYNC, cfg_.poll_delay);
            ok = bus_.now() - start < cfg_.poll_timeout;
        } else {
            ok = qp.wait();
        }
        cons = q.pos(bus_.read32(cons_reg_));
        if (!ok) return false;
    }
}

// arm_smmu_cmdq_write_entries (the bus splits the writes into cache lines).
void CommandQueue::write_entries(uint32_t pos, const Command* cmds, size_t n) {
    const QueueIndex q(log2_);
    unsigned char bytes[kWriteChunk * kEntryBytes];
    while (n) {
        const uint32_t first = q.index(pos);
        const size_t run = std::min<size_t>({n, q.entries() - first, kWriteChunk - first % kWriteChunk});
        for (size_t k = 0; k < run; ++k) cmds[k].store(bytes + k * kEntryBytes);
        bus_.write(base_ + first * kEntryBytes, bytes, run * kEntryBytes);
        for (size_t k = 0; k < run; ++k) obs_.command(cmds[k]);
        pos = inc(pos, uint32_t(run));
        cmds += run;
        n -= run;
    }
}

CommandQueue::PendingSync CommandQueue::post_linux(const Command* cmds, size_t n, bool sync) {
    const QueueIndex q(log2_);
    // Linux's batches (CMDQ_BATCH_ENTRIES) always fit; longer lists go in queue-sized pieces.
    const size_t room = q.entries() - 1;
    while (n > room) {
        PendingSync part = post_linux(cmds, room, false);
        finish_linux(part);
        cmds += room;
        n -= room;
    }
    // The commands were built before the call (arm_smmu_cmdq_batch_add into the on-stack
    // batch), outside the queue's critical window; only the CMD_SYNC is built inside it.
    bus_.work(cfg_.cmd_cycles * n);
    PendingSync p;
    p.start = bus_.now();
    p.sync = sync;
    CmdqCpuTimes& t = p.t;
    const uint32_t need = uint32_t(n) + (sync ? 1 : 0);
    bus_.work(cfg_.cmdq_call_cycles);

    // 1. Reserve space: cmpxchg llq from what this CPU saw to PROD + need with the OWNED flag.
    uint64_t llq = bus_.load64(shared_);
    for (;;) {
        if (!has_space(llq, need)) {
            const uint64_t w = bus_.now();
            llq = linux_wait_for_space(llq, need);
            t.space += bus_.now() - w;
        }
        const uint64_t head = make_llq(inc(prod_of(llq), need) | kOwnedFlag, cons_of(llq));
        const uint64_t old = bus_.cas64(shared_, llq, head);
        if (old == llq) break;
        llq = old;
    }
    const bool owner = !(prod_of(llq) & kOwnedFlag);
    const uint32_t first = prod_of(llq) & ~kOwnedFlag;
    const uint32_t end = inc(first, need);

    // 2. Write the commands (and the CMD_SYNC, with the shared lock so that the queue cannot
    // wrap twice unseen before its completion is checked).
    write_entries(first, cmds, n);
    const uint32_t sync_pos = inc(first, uint32_t(n));
    if (sync) {
        bus_.work(cfg_.cmd_cycles);
        const Command s = sync_command(sync_pos);
        write_entries(sync_pos, &s, 1);
        shared_lock();
    }
    commands_ += need;

    // 3. Mark the slots valid, the commands visible first (dma_wmb).
    bus_.dmb();
    valid_map(first, end, true);

    // 4. The owner: after the previous owner, stop gathering (clear OWNED), wait for every
    // gathered slot to be valid, publish CMDQ_PROD, hand over to the next owner.
    if (owner) {
        const uint64_t w = bus_.now();
        cond_load(owner_prod_addr(), 4, [&](uint64_t v) { return uint32_t(v) == first; });
        const uint32_t prod =
            uint32_t(bus_.atomic(shared_, 4, hal::Bus::AtomicOp::AndNot, kOwnedFlag)) & ~kOwnedFlag;
        valid_map(first, prod, false);
        t.owner = bus_.now() - w;
        write_prod(prod);
        bus_.dmb();
        store32(owner_prod_addr(), prod);
        ++publishes_;
        obs_.prod_published(queue_, q.used(prod, first));
    }

    p.pos = sync_pos;
    return p;
}

bool CommandQueue::finish_linux(PendingSync& p) {
    CmdqCpuTimes& t = p.t;
    const uint32_t sync_pos = p.pos;
    // 5. Wait for the CMD_SYNC; the last sync waiter out (tryunlock fails) updates llq.cons.
    bool ok = true;
    if (p.sync) {
        ++syncs_;
        const uint64_t w = bus_.now();
        uint32_t cons = 0;
        ok = cfg_.sync == SyncMode::Msi ? poll_until_msi(sync_pos, cons) : poll_until_consumed(sync_pos, cons);
        t.sync = bus_.now() - w;
        obs_.sync_waited(t.sync, !ok);
        if (!ok) sync_timed_out(sync_pos);
        if (ok) aborts_at_same_ = 0;
        if (!shared_tryunlock()) {
            store32(shared_ + 4, cons);
            shared_unlock();
        }
    }
    t.issue = bus_.now() - p.start;
    obs_.cmdq_issued(bus_.cpu(), t);
    return ok;
}

}  // namespace smmusim::sw::driver
