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
    const unsigned core = cluster_.current_index();
    cpu::Cpu& cpu = cluster_.core(core);
    auto* p = static_cast<uint8_t*>(data);
    if (untimed_ && !mmio) {
        if (!cpu.debug_access(write, pa, p, unsigned(len)))
            throw BusError(std::string("untimed ") + (write ? "write" : "read") + " of " + std::to_string(len) +
                           " bytes at " + hex(pa) + " not taken");
        return;
    }
    if (mmio && write) drain();
    while (len) {
        const size_t n = mmio ? len : std::min<size_t>(len, kLine - pa % kLine);
        bool ok;
        if (!mmio && cluster_.cacheable(pa)) {
            ok = cached(core, write, pa, p, unsigned(n));
        } else if (!mmio && cluster_.is_private(pa)) {
            // In this core's cache (after a hit, a transfer or a fill): the data itself is
            // memory's, read or written at this instant. A store becomes visible to the other
            // cores at once, so this core's posted stores are drained first: they stay ordered
            // before it (the dma_wmb Linux puts between a command's slot and its valid bit).
            if (write) drain();
            ok = cluster_.private_access(core, pa, write) && cpu.debug_access(write, pa, p, unsigned(n));
        } else if (!mmio && write) {
            cluster_.touched(core, pa);
            cpu.post_write(pa, p, unsigned(n));
            ok = true;
        } else {
            if (!mmio) cluster_.touched(core, pa);
            ok = cpu.access(write, pa, p, unsigned(n));
        }
        if (!ok)
            throw BusError(std::string(write ? "write" : "read") + " of " + std::to_string(n) + " bytes at " +
                           hex(pa) + " answered with an error");
        pa += n;
        p += n;
        len -= n;
    }
}

// A cached store is not ordered after this core's posted stores (non-cacheable memory, write-backs):
// Normal memory is weakly ordered, and Linux puts a barrier where it needs one.
bool TimedBus::cached(unsigned core, bool write, uint64_t pa, void* data, unsigned len, bool zero) {
    bool ok = false;
    const uint64_t victim = cluster_.acquire_line(core, pa, write, zero, ok);
    if (!ok) return false;
    ok = write ? cluster_.store_cached(core, pa, data, len) : cluster_.load_cached(core, pa, data, len);
    cluster_.write_back(core, victim);
    return ok;
}

void TimedBus::fill(uint64_t pa, uint8_t byte, size_t len) {
    const unsigned core = cluster_.current_index();
    uint8_t line[kLine] = {};
    while (len) {
        const size_t n = std::min<size_t>(len, kLine - pa % kLine);
        if (byte == 0 && n == kLine && !untimed_ && cluster_.cacheable(pa)) {
            // DC ZVA: the line allocated zeroed in the cache, no fill (Linux clear_page).
            if (!cached(core, true, pa, line, unsigned(kLine), true))
                throw BusError("DC ZVA at " + hex(pa) + " answered with an error");
        } else {
            std::fill(line, line + n, byte);
            write(pa, line, n);
            std::fill(line, line + n, 0);
        }
        pa += n;
        len -= n;
    }
}

void TimedBus::clean_dcache(uint64_t pa, uint64_t len, bool invalidate) {
    if (untimed_ || !len) return;  // untimed stores write DRAM (debug transport): nothing to clean
    const unsigned core = cluster_.current_index();
    for (uint64_t a = pa / kLine * kLine; a < pa + len; a += kLine) cluster_.clean_line(core, a, invalidate);
}

// Stores posted before stay ordered before the untimed ones: drained first.
void TimedBus::set_untimed(bool on) {
    if (on) drain();
    untimed_ = on;
}

void TimedBus::drain() {
    if (!here().drain()) throw BusError("a store to memory was answered with an error");
}

void TimedBus::barrier() {
    drain();
    if (!untimed_) here().stall_barrier(cluster_.dsb_cycles);
    // DSB ISH after TLBIs: complete once every SMMU in the DVM domain has completed them.
    cluster_.tlbi_sync(cluster_.current_index());
}

void TimedBus::tlbi(const smmu::arch::dvm::Message& m) {
    if (!untimed_) here().work(cluster_.tlbi_cycles);
    cluster_.tlbi(cluster_.current_index(), m);
}

void TimedBus::dmb() {
    if (!untimed_) here().stall_barrier(cluster_.dmb_cycles);
}

uint64_t TimedBus::atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected) {
    check_atomic(pa, size);
    if (untimed_) return Bus::atomic(pa, size, op, operand, expected);  // no time passes: atomic
    const unsigned core = cluster_.current_index();
    cpu::Cpu& cpu = cluster_.core(core);
    if (cluster_.cacheable(pa)) {
        // A near atomic: the line in this core's cache, the read-modify-write at one instant.
        bool ok = false;
        const uint64_t victim = cluster_.acquire_line(core, pa, true, false, ok);
        uint64_t old = 0;
        bool store = false;
        ok = ok && cluster_.load_cached(core, pa, &old, size);
        uint64_t v = rmw_value(op, old, operand, expected, size, store);
        if (ok && store) ok = cluster_.store_cached(core, pa, &v, size);
        cpu.count_atomic();
        cluster_.write_back(core, victim);
        if (!ok) throw BusError("atomic access of " + std::to_string(size) + " bytes at " + hex(pa) +
                                " answered with an error");
        return old;
    }
    if (cluster_.is_private(pa)) drain();  // ordered after the posted stores, as a store (access)
    const bool ok = cluster_.atomic_begin(core, pa, size);
    // The read-modify-write itself, at the instant the access completes: no other process runs
    // between its read and its write, so it is atomic against every other agent.
    uint64_t old = 0;
    bool done = ok && cpu.debug_access(false, pa, &old, size);
    bool store = false;
    uint64_t v = rmw_value(op, old, operand, expected, size, store);
    if (done && store) done = cpu.debug_access(true, pa, &v, size);
    cluster_.atomic_end(core, pa);
    if (!done) throw BusError("atomic access of " + std::to_string(size) + " bytes at " + hex(pa) +
                              " answered with an error");
    return old;
}

uint64_t TimedBus::wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) {
    if (size != 4 && size != 8) throw BusError("wait_for_change of " + std::to_string(size) + " bytes");
    const unsigned core = cluster_.current_index();
    // LDXR: arms the monitor, then loads. A write to the line from here on clears the monitor,
    // which sets the event register: the WFE below then returns at once.
    cluster_.arm_monitor(core, pa);
    uint64_t v = 0;
    try {
        read(pa, &v, size);
    } catch (...) {
        cluster_.clear_monitor(core);
        throw;
    }
    // Waiting for another agent takes simulated time even while memory accesses are untimed.
    if (v == old) cluster_.core(core).wfe(timeout, cluster_.event_stream);
    cluster_.clear_monitor(core);
    return v;
}

void TimedBus::wfe(uint64_t timeout) { here().wfe(timeout, cluster_.event_stream); }

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
