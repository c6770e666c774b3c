#include "sw/hal/bus.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace smmusim::sw::hal {

void Bus::fill(uint64_t pa, uint8_t byte, size_t len) {
    // A cache line at a time, as a CPU clearing a page does.
    uint8_t line[64];
    std::memset(line, byte, sizeof line);
    while (len) {
        const size_t n = std::min(len, sizeof line - size_t(pa % sizeof line));
        write(pa, line, n);
        pa += n;
        len -= n;
    }
}

uint64_t Bus::load64(uint64_t pa) {
    uint64_t v = 0;
    read(pa, &v, sizeof v);
    return v;
}

void Bus::store64(uint64_t pa, uint64_t value) { write(pa, &value, sizeof value); }

uint32_t Bus::load32(uint64_t pa) {
    uint32_t v = 0;
    read(pa, &v, sizeof v);
    return v;
}

void Bus::check_atomic(uint64_t pa, unsigned size) {
    if (size != 4 && size != 8) throw BusError("atomic access of " + std::to_string(size) + " bytes");
    if (pa % size) throw BusError("unaligned atomic access");
}

uint64_t Bus::rmw_value(AtomicOp op, uint64_t old, uint64_t operand, uint64_t expected, unsigned size,
                        bool& store) {
    if (size == 4) {
        old &= 0xffffffffu;
        expected &= 0xffffffffu;
    }
    uint64_t v = old;
    switch (op) {
    case AtomicOp::Add: v = old + operand; break;
    case AtomicOp::Or: v = old | operand; break;
    case AtomicOp::AndNot: v = old & ~operand; break;
    case AtomicOp::Xor: v = old ^ operand; break;
    case AtomicOp::Swap: v = operand; break;
    case AtomicOp::Cas: v = old == expected ? operand : old; break;
    }
    if (size == 4) v &= 0xffffffffu;
    store = op != AtomicOp::Cas || old == expected;
    return v;
}

uint64_t Bus::atomic(uint64_t pa, unsigned size, AtomicOp op, uint64_t operand, uint64_t expected) {
    check_atomic(pa, size);
    uint64_t old = 0;
    read(pa, &old, size);
    bool store = false;
    const uint64_t v = rmw_value(op, old, operand, expected, size, store);
    if (store) write(pa, &v, size);
    return old;
}

uint64_t Bus::wait_for_change(uint64_t pa, unsigned size, uint64_t old, uint64_t timeout) {
    uint64_t v = 0;
    read(pa, &v, size);
    if (v == old) wfe(timeout);
    return v;
}

}  // namespace smmusim::sw::hal
