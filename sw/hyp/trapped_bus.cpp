#include "sw/hyp/trapped_bus.h"

namespace smmusim::sw::hyp {

void TrappedBus::enter() {
    ++trapped_;
    cycles_ += trap_cycles_;
    inner_.work(trap_cycles_);
}

// Back to the host: a virtual interrupt raised meanwhile is taken now (not again from inside
// its own handler).
void TrappedBus::leave() {
    if (in_irq_ || !irq_) return;
    const uint32_t lines = trap_.take_irqs();
    if (!lines) return;
    in_irq_ = true;
    try {
        irq_(lines);
    } catch (...) {
        in_irq_ = false;
        throw;
    }
    in_irq_ = false;
}

uint64_t TrappedBus::read_trap(uint64_t pa, unsigned bytes) {
    enter();
    if (lock_) lock_->lock();
    const uint64_t v = trap_.trap_read(uint32_t(pa - base_), bytes);
    if (lock_) lock_->unlock();
    leave();
    return v;
}

void TrappedBus::write_trap(uint64_t pa, uint64_t value, unsigned bytes) {
    enter();
    if (lock_) lock_->lock();
    trap_.trap_write(uint32_t(pa - base_), value, bytes);
    if (lock_) lock_->unlock();
    leave();
}

uint32_t TrappedBus::read32(uint64_t pa) { return trapped(pa) ? uint32_t(read_trap(pa, 4)) : inner_.read32(pa); }
void TrappedBus::write32(uint64_t pa, uint32_t value) {
    if (trapped(pa)) write_trap(pa, value, 4);
    else inner_.write32(pa, value);
}
uint64_t TrappedBus::read64(uint64_t pa) { return trapped(pa) ? read_trap(pa, 8) : inner_.read64(pa); }
void TrappedBus::write64(uint64_t pa, uint64_t value) {
    if (trapped(pa)) write_trap(pa, value, 8);
    else inner_.write64(pa, value);
}

// The host's wired SMMU interrupts are the hypervisor's: a host thread waiting for one only
// ever sees the virtual lines, taken at trap return; here it just waits out its timeout.
uint32_t TrappedBus::wait_irq(uint32_t lines, uint64_t timeout) {
    const uint32_t v = trap_.take_irqs() & lines;
    if (v) return v;
    return inner_.wait_irq(0, timeout ? timeout : 1);
}

}  // namespace smmusim::sw::hyp
