#include "sw/hal/timed_bus.h"

#include <algorithm>
#include <string>

#include "sw/hal/hex.h"

namespace smmusim::sw::hal {

namespace {
constexpr uint64_t kLine = 64;
}  // namespace

// Stores to memory are posted (the CPU's write buffer); a register write, or the start of a
// device's DMA, first waits for them (the barrier writel and a doorbell imply), so the SMMU
// and devices see tables and commands written before it.
void TimedBus::access(bool write, uint64_t pa, void* data, size_t len, bool mmio) {
    auto* p = static_cast<uint8_t*>(data);
    if (untimed_ && !mmio) {
        if (!cpu_.debug_access(write, pa, p, unsigned(len)))
            throw BusError(std::string("untimed ") + (write ? "write" : "read") + " of " + std::to_string(len) +
                           " bytes at " + hex(pa) + " not taken");
        return;
    }
    if (mmio && write) barrier();
    while (len) {
        const size_t n = mmio ? len : std::min<size_t>(len, kLine - pa % kLine);
        if (write && !mmio) {
            cpu_.post_write(pa, p, unsigned(n));
        } else if (!cpu_.access(write, pa, p, unsigned(n)))
            throw BusError(std::string(write ? "write" : "read") + " of " + std::to_string(n) + " bytes at " +
                           hex(pa) + " answered with an error");
        pa += n;
        p += n;
        len -= n;
    }
}

// Stores posted before stay ordered before the untimed ones: drained first.
void TimedBus::set_untimed(bool on) {
    if (on) barrier();
    untimed_ = on;
}

void TimedBus::barrier() {
    if (!cpu_.drain()) throw BusError("a store to memory was answered with an error");
}

uint32_t TimedBus::read32(uint64_t pa) {
    uint32_t v = 0;
    access(false, pa, &v, 4, true);
    return v;
}
void TimedBus::write32(uint64_t pa, uint32_t value) { access(true, pa, &value, 4, true); }
uint64_t TimedBus::read64(uint64_t pa) {
    uint64_t v = 0;
    access(false, pa, &v, 8, true);
    return v;
}
void TimedBus::write64(uint64_t pa, uint64_t value) { access(true, pa, &value, 8, true); }
void TimedBus::read(uint64_t pa, void* dst, size_t len) { access(false, pa, dst, len, false); }
void TimedBus::write(uint64_t pa, const void* src, size_t len) {
    access(true, pa, const_cast<void*>(src), len, false);
}

}  // namespace smmusim::sw::hal
