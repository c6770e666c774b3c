#pragma once
// What software sees of the machine (DESIGN §4): register and memory accesses, CPU work
// between them, time, and interrupt lines. Two backends: TimedBus (every access a timed TLM
// transaction through models/cpu; the calling software thread waits for it) and DirectBus
// (plain memory, no time; unit tests of software that needs no device).

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "models/smmu/arch/dvm.h"

namespace smmusim::sw::hal {

// Wired interrupt lines software can wait for, as bits of a mask.
enum Irq : uint32_t {
    IRQ_EVENTQ = 1u << 0,
    IRQ_GERROR = 1u << 1,
    IRQ_CMDQ_SYNC = 1u << 2,
};

// An access the machine answered with an error (decode error, bad register access): a
// software bug or an address the scenario got wrong, never something to carry on from.
class BusError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Bus {
public:
    virtual ~Bus() = default;

    // Device registers: one aligned 32- or 64-bit access each.
    virtual uint32_t read32(uint64_t pa) = 0;
    virtual void write32(uint64_t pa, uint32_t value) = 0;
    virtual uint64_t read64(uint64_t pa) = 0;
    virtual void write64(uint64_t pa, uint64_t value) = 0;

    // Normal memory (tables, queues, buffers), any length.
    virtual void read(uint64_t pa, void* dst, size_t len) = 0;
    virtual void write(uint64_t pa, const void* src, size_t len) = 0;
    // Stores `byte` to [pa, pa + len), a line at a time (a timed backend with data caches zeroes
    // whole lines with DC ZVA, as Linux's clear_page).
    virtual void fill(uint64_t pa, uint8_t byte, size_t len);
    uint64_t load64(uint64_t pa);
    void store64(uint64_t pa, uint64_t value);
    uint32_t load32(uint64_t pa);

    // Every earlier store has reached memory (DSB): before a device is told to look (register
    // writes do it themselves).
    virtual void barrier() {}
    // DMB: orders this CPU's earlier memory accesses before its later ones (Linux dma_wmb,
    // smp_mb) without waiting for posted stores to complete.
    virtual void dmb() {}

    // ---- What Linux needs from the architecture on several CPUs (issue 12) ----
    // An atomic read-modify-write of the naturally aligned `size`-byte (4 or 8) value at `pa`
    // in normal memory, as Armv8.1 LSE does it (LDADD, LDSET, LDCLR, LDEOR, SWP, CAS).
    // Returns the old value. Cas stores `operand` only if the old value equals `expected`.
    // Another CPU's store to the line clears this CPU's exclusive monitor.
    enum class AtomicOp { Add, Or, AndNot, Xor, Swap, Cas };
    // The base version is a plain read then write: atomic only on a backend with one software
    // thread and no waits between the two (DirectBus). Timed multi-CPU backends override it.
    virtual uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected = 0);
    uint64_t cas64(uint64_t pa, uint64_t expected, uint64_t desired) {
        return atomic(pa, 8, AtomicOp::Cas, desired, expected);
    }
    uint32_t cas32(uint64_t pa, uint32_t expected, uint32_t desired) {
        return uint32_t(atomic(pa, 4, AtomicOp::Cas, desired, expected));
    }
    // Linux smp_cond_load_relaxed's wait step on arm64 (__cmpwait_relaxed): load-exclusive
    // the value at `pa` (arming this CPU's monitor on its line); if it still equals `old`,
    // WFE: sleep until an event (another agent's store to the line, an SEV from another CPU,
    // the SMMU's SEV, the event stream) or `timeout` cycles (0: none). Like WFE it may return
    // early; callers re-check in a loop. Returns the value read.
    virtual uint64_t wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout);
    // WFE with no monitored address: until an SEV (another CPU's, the SMMU's) or the event
    // stream, or `timeout` cycles (0: none). May return early.
    virtual void wfe(uint64_t timeout) { work(timeout ? timeout : 1); }
    // SEV: wakes every CPU in WFE.
    virtual void sev() {}
    // Declares [pa, pa + len) data only the CPUs touch (locks, the command queue's llq,
    // owner_prod and valid map; no device reads or writes it): a timed backend keeps it in
    // the cores' caches, where an access costs a cache hit, or a cache-line transfer when
    // another core holds the line, instead of a memory transaction. Others ignore it.
    virtual void cpu_private(uint64_t /*pa*/, uint64_t /*len*/) {}
    // ---- CPU data caches (issue 18) ----
    // Cache maintenance by address to the point of coherency, one instruction per 64-byte line
    // of [pa, pa + len): DC CVAC (clean) or, `invalidate`, DC CIVAC (clean and invalidate), as
    // Linux's dcache_clean_poc loop; the barrier() (DSB) after them waits for their write-backs.
    // What a non-coherent device (IDR0.COHACC = 0) needs before it may read what the CPU wrote.
    virtual void clean_dcache(uint64_t /*pa*/, uint64_t /*len*/, bool /*invalidate*/ = false) {}
    // Whether the device this software drives (its SMMU) snoops the CPU caches (IDR0.COHACC),
    // for dma_memory(); a driver says it once, after probing.
    virtual void set_device_coherent(bool /*coherent*/) {}
    // [pa, pa + len) is what Linux's dma_alloc_coherent returns for the device (the SMMU's queues,
    // stream table and CD tables): for a non-coherent device it is mapped non-cacheable, and its
    // accesses bypass the data caches. Backends without caches ignore it.
    virtual void dma_memory(uint64_t /*pa*/, uint64_t /*len*/) {}
    // ---- Broadcast TLB maintenance (issue 18) ----
    // TLBI <op>IS, Xt on this CPU (arch::dvm::Message: the operation, its operand, the PE's
    // VMID and regime): the CPUs' TLBs (not modelled) and, over the interconnect's DVM domain,
    // those of every SMMU with IDR0.BTM and CR2.PTM = 0. Complete only once the next barrier()
    // (DSB ISH) returns, as on a PE. Backends without a DVM domain ignore it.
    virtual void tlbi(const smmu::arch::dvm::Message& /*m*/) {}
    // The CPU running the calling software thread (smp_processor_id), and how many there are.
    virtual unsigned cpu() const { return 0; }
    virtual unsigned cpus() const { return 1; }

    // Boot-time setup outside the measured run (a hypervisor building its tables before the
    // host starts): while on, memory accesses take no simulated time and CPU work is not
    // charged; register accesses stay timed. Backends without time ignore it.
    virtual void set_untimed(bool) {}

    // CPU work between accesses, in CPU cycles.
    virtual void work(uint64_t cycles) = 0;
    // CPU cycles since the start of the run.
    virtual uint64_t now() const = 0;
    // Waits until one of the `lines` (a mask of Irq) has been raised since it was last
    // taken, or `timeout` cycles have passed; returns the lines taken (0 on timeout).
    virtual uint32_t wait_irq(uint32_t lines, uint64_t timeout) = 0;

protected:
    // BusError unless `size` is 4 or 8 and `pa` is aligned to it.
    static void check_atomic(uint64_t pa, unsigned size);
    // The value an atomic `op` leaves in place of `old`, and whether it stores at all (a
    // failed CAS does not).
    static uint64_t rmw_value(AtomicOp op, uint64_t old, uint64_t operand, uint64_t expected, unsigned size,
                              bool& store);
};

}  // namespace smmusim::sw::hal
