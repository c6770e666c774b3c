#pragma once
// The host's bus under pKVM trap-and-emulate (the posted SMMUv3 series): the hypervisor keeps
// the SMMU's register frame out of the host's stage 2, so every host access to it faults into
// the hypervisor (a stage-2 data abort), which emulates it and returns. Memory accesses go
// straight through. Each trapped access costs `trap_cycles` of CPU time on top of what the
// emulation itself does (exception entry, syndrome decode, dispatch, ERET).
//
// Interrupts the emulation raises for the host (its GERROR) are taken as the trapped access
// returns to the host, as a virtual interrupt injected on the exception return would be: the
// host's handler runs then, on the same CPU, and its own register accesses trap in turn.

#include <cstdint>
#include <functional>

#include "sw/hal/bus.h"
#include "sw/hal/spinlock.h"

namespace smmusim::sw::hyp {

// The hypervisor's side of the trapped register frame (offsets from the frame's base).
class MmioTrap {
public:
    virtual ~MmioTrap() = default;
    virtual uint64_t trap_read(uint32_t offset, unsigned bytes) = 0;
    virtual void trap_write(uint32_t offset, uint64_t value, unsigned bytes) = 0;
    // Virtual interrupt lines (hal::Irq mask) raised for the host and not yet taken; taking
    // them clears them.
    virtual uint32_t take_irqs() = 0;
};

class TrappedBus : public hal::Bus {
public:
    TrappedBus(hal::Bus& inner, uint64_t base, uint64_t size, MmioTrap& trap, uint64_t trap_cycles)
        : inner_(inner), base_(base), size_(size), trap_(trap), trap_cycles_(trap_cycles) {}

    // The host's interrupt handler for virtual lines (the host driver's).
    void on_irq(std::function<void(uint32_t)> f) { irq_ = std::move(f); }
    uint64_t trapped() const { return trapped_; }
    uint64_t trap_cycles_spent() const { return cycles_; }

    uint32_t read32(uint64_t pa) override;
    void write32(uint64_t pa, uint32_t value) override;
    uint64_t read64(uint64_t pa) override;
    void write64(uint64_t pa, uint64_t value) override;
    void read(uint64_t pa, void* dst, size_t len) override { inner_.read(pa, dst, len); }
    void write(uint64_t pa, const void* src, size_t len) override { inner_.write(pa, src, len); }
    void barrier() override { inner_.barrier(); }
    // The host's CPUs are the platform's: atomics, barriers, WFE/SEV and the CPU-private
    // lines are theirs (the host's Linux command queue and locks run on them).
    void dmb() override { inner_.dmb(); }
    uint64_t atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected = 0) override {
        return inner_.atomic(pa, size, op, operand, expected);
    }
    uint64_t wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) override {
        return inner_.wait_for_change(pa, size, old, timeout);
    }
    void wfe(uint64_t timeout) override { inner_.wfe(timeout); }
    void sev() override { inner_.sev(); }
    void cpu_private(uint64_t pa, uint64_t len) override { inner_.cpu_private(pa, len); }
    void fill(uint64_t pa, uint8_t byte, size_t len) override { inner_.fill(pa, byte, len); }
    void clean_dcache(uint64_t pa, uint64_t len, bool invalidate = false) override {
        inner_.clean_dcache(pa, len, invalidate);
    }
    void set_device_coherent(bool coherent) override { inner_.set_device_coherent(coherent); }
    void dma_memory(uint64_t pa, uint64_t len) override { inner_.dma_memory(pa, len); }
    void tlbi(const smmu::arch::dvm::Message& m) override { inner_.tlbi(m); }
    unsigned cpu() const override { return inner_.cpu(); }
    unsigned cpus() const override { return inner_.cpus(); }
    // With several CPUs the emulation runs under the SMMU's lock (the series' smmu_dabt_handler
    // takes hyp_spin_lock(&smmu->lock) around smmu_dabt_device); null: one CPU, no lock.
    void set_lock(hal::SpinLock* l) { lock_ = l; }
    void work(uint64_t cycles) override { inner_.work(cycles); }
    void set_untimed(bool on) override { inner_.set_untimed(on); }
    uint64_t now() const override { return inner_.now(); }
    uint32_t wait_irq(uint32_t lines, uint64_t timeout) override;

private:
    bool trapped(uint64_t pa) const { return pa >= base_ && pa - base_ < size_; }
    uint64_t read_trap(uint64_t pa, unsigned bytes);
    void write_trap(uint64_t pa, uint64_t value, unsigned bytes);
    void enter();
    void leave();

    hal::Bus& inner_;
    hal::SpinLock* lock_ = nullptr;
    uint64_t base_, size_;
    MmioTrap& trap_;
    uint64_t trap_cycles_;
    std::function<void(uint32_t)> irq_;
    bool in_irq_ = false;
    uint64_t trapped_ = 0, cycles_ = 0;
};

}  // namespace smmusim::sw::hyp
