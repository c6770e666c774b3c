#include "sw/driver/cmdq.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"
#include "sw/driver/poller.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr uint64_t kEntryBytes = 16;
}

CommandQueue::CommandQueue(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs,
                           unsigned log2, bool sev)
    : bus_(bus),
      mem_(mem),
      cfg_(cfg),
      obs_(obs),
      log2_(log2),
      base_(mem.alloc(kEntryBytes << log2)),
      sev_(sev),
      prod_reg_(cfg.regs + reg::CMDQ_PROD),
      cons_reg_(cfg.regs + reg::CMDQ_CONS) {
    bus_.dma_memory(base_, kEntryBytes << log2);
    bus_.fill(base_, 0, kEntryBytes << log2);
    if (cfg_.cmdq == CmdqAlgo::Linux) {
        // llq on its own cache line (____cacheline_aligned_in_smp), owner_prod and the lock on
        // the next, then the valid bitmap (one bit per entry; zero: invalid for wrap 0).
        const uint64_t bytes = 128 + ((uint64_t(1) << log2) + 63) / 64 * 8;
        shared_ = mem.alloc(bytes);
        bus_.fill(shared_, 0, bytes);
        bus_.cpu_private(shared_, bytes);  // the SMMU never reads it: it lives in the CPUs' caches
    }
}

CommandQueue::~CommandQueue() = default;

void CommandQueue::set_registers(uint64_t prod_reg, uint64_t cons_reg, uint32_t prod_flags) {
    prod_reg_ = prod_reg;
    cons_reg_ = cons_reg;
    prod_flags_ = prod_flags;
}

// The PROD write; an ECMDQ's carries EN and ERRACK (the series: prod | q->ecmdq_prod).
void CommandQueue::write_prod(uint32_t prod) {
    ++prod_writers_;
    bus_.write32(prod_reg_, prod | prod_flags_);
    --prod_writers_;
}

void CommandQueue::ack_error(uint32_t cons) {
    // The series toggles ERRACK on the owning CPU by IPI with interrupts off there, so no PROD
    // write with the old ERRACK can follow; here: wait until none is in flight.
    while (prod_writers_) bus_.work(cfg_.poll_relax);
    constexpr uint32_t kErr = uint32_t(ecmdq::CONS_ERR::mask);
    prod_flags_ = (prod_flags_ & ~kErr) | (cons & kErr);
    const uint32_t prod = bus_.read32(prod_reg_);
    bus_.write32(prod_reg_, (prod & ~kErr) | (cons & kErr));
}

uint64_t CommandQueue::base_register() const {
    uint64_t v = 0;
    v = put<queue_base::RA_WA>(v, 1);
    v = queue_base::ADDR::put_address(v, base_);
    return put<queue_base::LOG2SIZE>(v, log2_);
}

uint64_t CommandQueue::slot(uint32_t pos) const { return base_ + QueueIndex(log2_).index(pos) * kEntryBytes; }

// Whether CONS has moved past position `pos` (wrap-aware; Linux queue_consumed).
bool CommandQueue::consumed(uint32_t cons, uint32_t pos) const {
    const QueueIndex q(log2_);
    if (q.wrap(cons) == q.wrap(pos)) return q.index(cons) > q.index(pos);
    return q.index(cons) <= q.index(pos);
}

void CommandQueue::write_slots(uint32_t pos, const std::vector<Command>& cmds) {
    // Contiguous runs of slots are written together (the bus splits them into cache lines).
    const QueueIndex q(log2_);
    std::vector<unsigned char> bytes;
    size_t i = 0;
    while (i < cmds.size()) {
        const uint32_t first = q.index(pos);
        const size_t run = std::min<size_t>(cmds.size() - i, q.entries() - first);
        bytes.assign(run * kEntryBytes, 0);
        for (size_t k = 0; k < run; ++k) cmds[i + k].store(bytes.data() + k * kEntryBytes);
        bus_.write(base_ + first * kEntryBytes, bytes.data(), bytes.size());
        for (size_t k = 0; k < run; ++k) pos = q.next(pos);
        i += run;
    }
}

// Linux keeps waiting for space, warning at each timeout; a queue that never drains (the SMMU
// stopped and nobody restarts it) ends the software after kStuckTimeouts instead of hanging
// the simulation.
void CommandQueue::wait_for_space(uint32_t need) {
    const QueueIndex q(log2_);
    unsigned timeouts = 0;
    Poller poll(bus_, cfg_);
    for (;;) {
        if (q.entries() - q.used(prod_, cons_) >= need) return;
        cons_ = q.pos(bus_.read32(cons_reg_));
        if (q.entries() - q.used(prod_, cons_) >= need) return;
        check_stuck();
        if (!poll.wait()) {
            ++timeouts_;
            obs_.warning("CMDQ timeout: no space for " + std::to_string(need) + " commands");
            if (++timeouts >= kStuckTimeouts)
                throw DriverError("the command queue has not moved for " + std::to_string(kStuckTimeouts) +
                                  " poll timeouts (CMDQ_CONS " + std::to_string(cons_) + ")");
            poll.restart();
        }
    }
}

bool CommandQueue::wait_for_sync(uint32_t sync_pos) {
    const uint64_t start = bus_.now();
    const QueueIndex q(log2_);
    bool ok = true;
    if (cfg_.sync == SyncMode::Msi) {
        // The SMMU writes MSIData = 0 over the low word of the CMD_SYNC's own slot.
        Poller poll(bus_, cfg_);
        while (bus_.load32(slot(sync_pos)) != 0) {
            check_stuck();
            if (!poll.wait()) {
                ok = false;
                break;
            }
        }
        if (ok) cons_ = q.next(sync_pos);
    } else {
        Poller poll(bus_, cfg_);
        for (;;) {
            const uint32_t cons = q.pos(bus_.read32(cons_reg_));
            if (consumed(cons, sync_pos)) {
                cons_ = cons;
                break;
            }
            check_stuck();
            if (cfg_.sync == SyncMode::Irq) {
                // Sleep until the cmdq-sync interrupt (or a back-off period), then re-check.
                bus_.wait_irq(hal::IRQ_CMDQ_SYNC, cfg_.poll_delay);
                if (bus_.now() - start >= cfg_.poll_timeout) ok = false;
            } else if (!poll.wait()) {
                ok = false;
            }
            if (!ok) break;
        }
    }
    if (!ok) sync_timed_out(sync_pos);
    if (ok) aborts_at_same_ = 0;  // the queue moved
    obs_.sync_waited(bus_.now() - start, !ok);
    return ok;
}

bool CommandQueue::issue(const Command* cmds, size_t n, bool sync) {
    if (!route_.empty()) {
        commands_ += n + (sync ? 1 : 0);
        syncs_ += sync ? 1 : 0;
        return routed().issue(cmds, n, sync);
    }
    PendingSync p = cfg_.cmdq == CmdqAlgo::Linux ? post_linux(cmds, n, sync) : post_simple(cmds, n, sync);
    return cfg_.cmdq == CmdqAlgo::Linux ? finish_linux(p) : finish_simple(p);
}

CommandQueue::PendingSync CommandQueue::post(const Command* cmds, size_t n) {
    if (!route_.empty()) {
        commands_ += n + 1;
        ++syncs_;
        CommandQueue& q = routed();
        PendingSync p = q.post(cmds, n);
        p.on = &q;
        return p;
    }
    return cfg_.cmdq == CmdqAlgo::Linux ? post_linux(cmds, n, true) : post_simple(cmds, n, true);
}

bool CommandQueue::wait(PendingSync& p) {
    if (p.on && p.on != this) return p.on->wait(p);
    return cfg_.cmdq == CmdqAlgo::Linux ? finish_linux(p) : finish_simple(p);
}

// Linux arm_smmu_cmdq_build_sync_cmd: with MSIPOLL the MSI goes to the CMD_SYNC's own slot.
Command CommandQueue::sync_command(uint32_t pos) const {
    return cfg_.sync == SyncMode::Msi   ? cmd::sync(sync_cs::SIG_IRQ, slot(pos), 0)
           : cfg_.sync == SyncMode::Irq ? cmd::sync(sync_cs::SIG_IRQ, 0, 0)
                                        : cmd::sync(sync_cs::SIG_SEV);
}

void CommandQueue::sync_timed_out(uint32_t sync_pos) {
    ++timeouts_;
    char b[96];
    std::snprintf(b, sizeof b, "CMD_SYNC timeout at 0x%08x", unsigned(sync_pos));
    obs_.warning(b);
}

CommandQueue::PendingSync CommandQueue::post_simple(const Command* cmds, size_t n, bool sync) {
    const QueueIndex q(log2_);
    PendingSync p;
    p.start = bus_.now();
    p.sync = sync;
    // More than the queue holds goes in queue-sized pieces (one slot is left for the sync).
    const size_t room = q.entries() - 1;
    while (n > room) {
        PendingSync part = post_simple(cmds, room, false);
        finish_simple(part);
        cmds += room;
        n -= room;
    }
    wait_for_space(uint32_t(n + (sync ? 1 : 0)));
    p.t.space = bus_.now() - p.start;
    std::vector<Command> all(cmds, cmds + n);
    p.pos = (prod_ + uint32_t(n)) & ((2u << log2_) - 1);
    if (sync) all.push_back(sync_command(p.pos));
    bus_.work(cfg_.cmd_cycles * all.size());
    write_slots(prod_, all);
    for (const Command& c : all) obs_.command(c);
    commands_ += all.size();
    for (size_t i = 0; i < all.size(); ++i) prod_ = q.next(prod_);
    write_prod(prod_);
    ++publishes_;
    obs_.prod_published(queue_, all.size());
    return p;
}

bool CommandQueue::finish_simple(PendingSync& p) {
    bool ok = true;
    if (p.sync) {
        ++syncs_;
        const uint64_t w = bus_.now();
        ok = wait_for_sync(p.pos);
        p.t.sync = bus_.now() - w;
    }
    p.t.issue = bus_.now() - p.start;
    obs_.cmdq_issued(bus_.cpu(), p.t);
    return ok;
}

void CommandQueue::check_stuck() const {
    if (!stuck_) return;
    char b[160];
    std::snprintf(b, sizeof b,
                  "the command queue is stuck: the fetch at CMDQ_CONS 0x%08x aborted %u times in a row (is the "
                  "queue's memory reachable by the SMMU?)",
                  unsigned(abort_pos_), aborts_at_same_);
    throw DriverError(b);
}

void CommandQueue::recover_error() {
    // CMDQ_CONS.ERR [30:24]; in an ECMDQ_CONS [30:27] are RES0 and [26:24] is ERR_REASON.
    const uint32_t cons = bus_.read32(cons_reg_);
    const uint32_t err = uint32_t(get<queue_ptr::CMDQ_ERR>(cons));
    const uint32_t at_pos = cons & queue_ptr::kIndexAndWrapMask;
    if (err == cerror::ABT) {
        // A fetch that aborts again and again at one slot never will succeed (the queue's
        // memory is unreachable): the queue is stuck, and the software stops (issue 19).
        aborts_at_same_ = (aborts_ && abort_pos_ == at_pos) ? aborts_at_same_ + 1 : 1;
        abort_pos_ = at_pos;
        ++aborts_;
        if (aborts_at_same_ >= kStuckAborts) stuck_ = true;
        obs_.warning(stuck_ ? "CMDQ: command fetch aborted again; the queue is stuck"
                            : "CMDQ: command fetch aborted, retrying");
        return;
    }
    if (err == cerror::ATC_INV_SYNC) {
        // arm_smmu_cmdq_skip_err: an ATC Invalidation Completion timed out; CONS is still on the
        // CMD_SYNC, which runs again when the error is acknowledged (it may time out again).
        obs_.warning("CMDQ error: ATC invalidation completion timeout; the CMD_SYNC is retried");
        return;
    }
    if (err == cerror::NONE) return;
    const uint64_t at = slot(QueueIndex(log2_).pos(cons));
    const uint64_t dw0 = bus_.load64(at), dw1 = bus_.load64(at + 8);
    char b[128];
    std::snprintf(b, sizeof b, "CMDQ error (%s) at 0x%08x: 0x%016llx 0x%016llx; replaced by CMD_SYNC",
                  cerror_name(err) ? cerror_name(err) : "reserved", unsigned(cons & queue_ptr::kIndexAndWrapMask),
                  static_cast<unsigned long long>(dw0), static_cast<unsigned long long>(dw1));
    obs_.warning(b);
    unsigned char bytes[kEntryBytes];
    cmd::sync(sync_cs::SIG_SEV).store(bytes);
    bus_.write(at, bytes, sizeof bytes);
}

}  // namespace smmusim::sw::driver
