#include "sw/hal/bus.h"

#include <algorithm>
#include <cstring>

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

}  // namespace smmusim::sw::hal
