#pragma once
// The timed backend of the software's Bus: every access is a TLM transaction of a core of the
// CPU cluster (models/cpu) through the interconnect, and the calling software thread waits for
// it. Each call is made by the core running the calling thread (Cluster::current). Memory
// accesses are split at 64-byte lines, as a CPU's cache fills and write-backs are.
// Interrupt line i of the mask is the core's line irq_base + i (the platform wires each SMMU
// instance's lines in Irq order to the core cluster.irq_cpu, instance k from line 3k: each
// instance's driver has a bus of its own base).
//
// The multi-CPU calls (issue 12), timed by the cluster's parameters: atomic() is one timed
// access plus a line transfer from another core (Cluster::atomic_begin), its read-modify-write
// at one instant; dmb() costs cluster.dmb_cycles; barrier() (DSB) waits for the posted stores
// and costs cluster.dsb_cycles; wait_for_change() arms the core's exclusive monitor, loads,
// and WFEs while the value is unchanged; wfe() sleeps until an event, the event stream
// (cluster.event_stream) or the timeout; sev() wakes every core. Data declared cpu_private()
// stays in the cores' caches: its loads, stores and atomics are timed by the cluster's line
// directory (Cluster::private_access), not sent through the interconnect.
// With data caches (cluster.cache.size > 0, issue 18) cacheable memory is accessed through the
// core's cache (Cluster::acquire_line): a cached store is visible to coherent agents at once
// and reaches DRAM, where a non-coherent SMMU reads, only when its line is written back
// (clean_dcache, an eviction). Atomics on cacheable lines are done in the cache (near atomics).
// A TLBI costs cluster.tlbi_cycles and is broadcast when the platform has a DVM domain (an SMMU
// with IDR0.BTM); the next barrier() (DSB) then also waits for a DVM Sync (Cluster::tlbi_sync).

#include "models/cpu/cluster.h"
#include "sw/hal/bus.h"

namespace smmusim::sw::hal {

class TimedBus : public Bus {
public:
    explicit TimedBus(cpu::Cluster& cluster, unsigned irq_base = 0) : cluster_(cluster), irq_base_(irq_base) {}

    uint32_t read32(uint64_t pa) override;
    void write32(uint64_t pa, uint32_t value) override;
    uint64_t read64(uint64_t pa) override;
    void write64(uint64_t pa, uint64_t value) override;
    void read(uint64_t pa, void* dst, size_t len) override;
    void write(uint64_t pa, const void* src, size_t len) override;
    void work(uint64_t cycles) override {
        if (!untimed_) here().work(cycles);
    }
    void set_untimed(bool on) override;
    uint64_t now() const override { return cluster_.current().now_cycles(); }
    uint32_t wait_irq(uint32_t lines, uint64_t timeout) override {
        return here().wait_irq(lines << irq_base_, timeout) >> irq_base_;
    }
    void barrier() override;
    void dmb() override;

    uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected = 0) override;
    uint64_t wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) override;
    void wfe(uint64_t timeout) override;
    void sev() override { cluster_.sev(); }
    void cpu_private(uint64_t pa, uint64_t len) override { cluster_.add_private(pa, len); }
    void fill(uint64_t pa, uint8_t byte, size_t len) override;
    void clean_dcache(uint64_t pa, uint64_t len, bool invalidate = false) override;
    void set_device_coherent(bool coherent) override { device_coherent_ = coherent; }
    void dma_memory(uint64_t pa, uint64_t len) override {
        if (!device_coherent_) cluster_.add_non_cacheable(pa, len);
    }
    void tlbi(const smmu::arch::dvm::Message& m) override;
    unsigned cpu() const override { return cluster_.current_index(); }
    unsigned cpus() const override { return cluster_.size(); }

private:
    cpu::Cpu& here() { return cluster_.current(); }
    void access(bool write, uint64_t pa, void* data, size_t len, bool mmio);
    // One line's piece of a cacheable access (cluster.cache.size > 0).
    bool cached(unsigned core, bool write, uint64_t pa, void* data, unsigned len, bool zero = false);
    // Waits until this core's posted stores have completed (what a register write and a DSB do).
    void drain();
    cpu::Cluster& cluster_;
    unsigned irq_base_;
    bool untimed_ = false;
    bool device_coherent_ = true;
};

}  // namespace smmusim::sw::hal
