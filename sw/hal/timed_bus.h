#pragma once
// The timed backend of the software's Bus: every access is a TLM transaction of the CPU model
// (models/cpu) through the interconnect, and the calling software thread waits for it.
// Memory accesses are split at 64-byte lines, as a CPU's cache fills and write-backs are.
// Interrupt line i of the mask is the CPU's line irq_base + i (the platform wires each SMMU
// instance's lines in Irq order, instance k from line 3k: each driver has a bus of its own base).

#include "models/cpu/cpu.h"
#include "sw/hal/bus.h"

namespace smmusim::sw::hal {

class TimedBus : public Bus {
public:
    explicit TimedBus(cpu::Cpu& cpu, unsigned irq_base = 0) : cpu_(cpu), irq_base_(irq_base) {}

    uint32_t read32(uint64_t pa) override;
    void write32(uint64_t pa, uint32_t value) override;
    uint64_t read64(uint64_t pa) override;
    void write64(uint64_t pa, uint64_t value) override;
    void read(uint64_t pa, void* dst, size_t len) override;
    void write(uint64_t pa, const void* src, size_t len) override;
    void work(uint64_t cycles) override {
        if (!untimed_) cpu_.work(cycles);
    }
    void set_untimed(bool on) override;
    uint64_t now() const override { return cpu_.now_cycles(); }
    uint32_t wait_irq(uint32_t lines, uint64_t timeout) override {
        return cpu_.wait_irq(lines << irq_base_, timeout) >> irq_base_;
    }
    void barrier() override;

private:
    void access(bool write, uint64_t pa, void* data, size_t len, bool mmio);
    cpu::Cpu& cpu_;
    unsigned irq_base_;
    bool untimed_ = false;
};

}  // namespace smmusim::sw::hal
