#include "models/smmu/arch/geometry.h"

namespace smmusim::smmu::arch {

std::optional<S2Start> s2_start(const Granule& g, uint64_t sl0, unsigned ia, bool stt) {
    int start;
    if (g.shift == 12) {
        if (sl0 == 3) {
            if (!stt) return std::nullopt;  // L3 start needs small translation tables
            start = 3;
        } else {
            start = 2 - int(sl0);
        }
    } else {
        if (sl0 == 3) return std::nullopt;  // L0 start needs LPA2 (16K), reserved for 64K
        start = 3 - int(sl0);
    }
    const int b = g.bits_at(start, ia);
    const int s = int(g.stride());
    // One table of up to 2^stride entries, or 2..16 concatenated tables.
    if (b < 1 || b > s + 4) return std::nullopt;
    S2Start r;
    r.level = start;
    r.tables = b > s ? 1u << unsigned(b - s) : 1u;
    r.entries = uint64_t(1) << unsigned(b);
    return r;
}

}  // namespace smmusim::smmu::arch
