#include "sw/pgtable/format.h"

#include <stdexcept>
#include <string>

#include "models/smmu/arch/pte.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::sw::pgtable {

using namespace smmu::arch;

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("pgtable format: " + what); }

// CD.TG0 / STE.S2TG for a granule: the inverse of the architecture's decoder.
uint64_t tg_encoding(unsigned gshift) {
    for (uint64_t tg = 0; tg < 4; ++tg)
        if (tg0_shift(tg) == gshift) return tg;
    bad("granule shift " + std::to_string(gshift) + " has no TG encoding");
}

// CD.IPS / STE.S2PS for an output size: the inverse of pa_bits, up to 48 bits (no LPA).
uint64_t ps_encoding(unsigned oas) {
    for (uint64_t ps = 0; ps < 8; ++ps)
        if (pa_bits(ps) == oas && oas <= 48) return ps;
    bad("output size " + std::to_string(oas) + " bits is not one of 32, 36, 40, 42, 44, 48");
}

// Linux 6.14 arm_lpae_concat_mandatory: the start levels the architecture does not allow for
// this granule and PA size (Arm ARM R_DXBSH, R_SRKBC), which concatenation avoids.
bool concat_mandatory(const Format& f, int start) {
    if (f.granule_shift == 14 && start == 0) return f.oas == 48 || f.ias == 48;
    if (f.granule_shift == 12 && start == 0) return f.oas == 40 || f.oas == 42;
    return f.granule_shift == 14 && start == 1 && f.oas == 40;
}

}  // namespace

Geometry make_geometry(const Format& f) {
    if (f.granule_shift != 12 && f.granule_shift != 14 && f.granule_shift != 16)
        bad("granule shift " + std::to_string(f.granule_shift) + " (want 12, 14 or 16)");
    // T0SZ 16..39: at least 25 input bits, at most 48 (no 52-bit VA / LPA2).
    if (f.ias < 25 || f.ias > 48) bad("input size " + std::to_string(f.ias) + " bits (want 25..48)");

    Geometry geo;
    geo.fmt = f;
    geo.g = Granule{f.granule_shift};
    const Granule& g = geo.g;
    const int s = int(g.stride());
    // Levels needed to resolve ias - G bits, stride bits per level (§8.4); the start level
    // resolves what is left over.
    int start = g.s1_start_level(f.ias);
    int bits = g.bits_at(start, f.ias);

    if (f.stage == Stage::S2) {
        const bool fits = bits <= 4;  // at most 16 entries -> at most 16 tables one level down
        bool concat = false;
        if (f.concat == S2Concat::WhenStartL0Fits) {
            concat = start == 0 && fits;
        } else {
            concat = concat_mandatory(f, start);
            if (concat && !fits) bad("stage 2 needs concatenation but the root would be over 16 tables");
        }
        if (concat) {
            bits += s;  // the start level's entries become the number of concatenated tables
            ++start;
        }
    }
    geo.start_level = start;
    geo.root_entries = uint64_t(1) << unsigned(bits);
    geo.root_bytes = geo.root_entries * 8;
    geo.concat_tables = bits > s ? 1u << unsigned(bits - s) : 1u;
    for (int level = start; level <= 3; ++level)
        if (level == 3 || (f.blocks && geo.block_allowed(level))) geo.pgsize_bitmap |= g.level_size(level);

    geo.tsz = 64 - f.ias;
    geo.tg = tg_encoding(g.shift);
    geo.ps = ps_encoding(f.oas);
    geo.sh = pte::sh::ISH;
    if (f.stage == Stage::S1) {
        geo.mair = mair::attr(attr_index::NC, mair::NORMAL_NC) | mair::attr(attr_index::CACHE, mair::NORMAL_WB_RWA) |
                   mair::attr(attr_index::DEVICE, mair::DEVICE_nGnRE) |
                   mair::attr(attr_index::INC_OCACHE, mair::NORMAL_INC_OWB);
    } else {
        // §8.5: S2SL0 counts levels down from level 2 (4K) or level 3 (16K, 64K). Linux writes
        // the same value as (~sl) & 3 with sl = start level (+1 for 4K).
        const int top = g.shift == 12 ? 2 : 3;
        if (start > top) bad("stage-2 start level " + std::to_string(start) + " needs small translation tables");
        geo.sl0 = uint64_t(top - start);
        // The SMMU derives the start level and the concatenated tables from S2SL0, S2TG and
        // S2T0SZ; both views must agree or the STE is ILLEGAL.
        std::optional<S2Start> hw = s2_start(g, geo.sl0, f.ias, false);
        if (!hw || hw->level != start || hw->tables != geo.concat_tables || hw->entries != geo.root_entries)
            throw std::logic_error("pgtable format: stage-2 geometry disagrees with arch::s2_start");
    }
    return geo;
}

uint64_t best_pgsize(uint64_t bitmap, uint64_t addr, uint64_t size) {
    uint64_t best = 0;
    for (uint64_t rest = bitmap; rest; rest &= rest - 1) {
        const uint64_t pg = rest & (~rest + 1);  // lowest size still in `rest`
        if (pg <= size && (addr & (pg - 1)) == 0) best = pg;
    }
    return best;
}

}  // namespace smmusim::sw::pgtable
