#pragma once
// The timed backend of the software's Bus: every access is a TLM transaction of the CPU model
// (models/cpu) through the interconnect, and the calling software thread waits for it.
// Memory accesses are split at 64-byte lines, as a CPU's cache fills and write-backs are.
// Interrupt line i of the mask is the CPU's line i (the platform wires them in Irq order).

#include "models/cpu/cpu.h"
#include "sw/hal/bus.h"

namespace smmusim::sw::hal {

class TimedBus : public Bus {
public:
    explicit TimedBus(cpu::Cpu& cpu) : cpu_(cpu) {}

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
    uint32_t wait_irq(uint32_t lines, uint64_t timeout) override { return cpu_.wait_irq(lines, timeout); }
    void barrier() override;

private:
    void access(bool write, uint64_t pa, void* data, size_t len, bool mmio);
    cpu::Cpu& cpu_;
    bool untimed_ = false;
};

}  // namespace smmusim::sw::hal
