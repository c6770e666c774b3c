#pragma once
// The shape of one io-pgtable (after Linux's io_pgtable_cfg): stage, granule, input and output
// sizes, and what follows from them (reference §8.4-8.5): start level, root table size, stage-2
// concatenation, the leaf sizes map() may use, and the register field values the driver writes
// into the CD (stage 1) or the STE (stage 2) to describe the tables.

#include <cstdint>

#include "models/smmu/arch/geometry.h"

namespace smmusim::sw::pgtable {

enum class Stage { S1, S2 };

// Which rule decides stage-2 root concatenation (both are Linux arm_64_lpae_alloc_pgtable_s2).
enum class S2Concat {
    // Linux up to 6.13: when the walk would start at level 0 and that level-0 table has at most
    // 16 entries, start at level 1 with that many concatenated tables (4K: IPA 40-43 bits;
    // 16K: 48 bits; 64K never starts at level 0). One level fewer per walk.
    WhenStartL0Fits,
    // Linux 6.14 on (arm_lpae_concat_mandatory, Arm ARM R_DXBSH / R_SRKBC): only where the
    // architecture requires it: 16K from level 0 (IPA 48 or OAS 48); 4K from level 0 with OAS
    // 40 or 42; 16K from level 1 with OAS 40. Refused when that needs more than 16 tables.
    ArchMandatory,
};

struct Format {
    Stage stage = Stage::S1;
    unsigned granule_shift = 12;  // 12, 14 or 16
    unsigned ias = 48;            // input address bits: VA (stage 1) or IPA (stage 2), 25..48
    unsigned oas = 48;            // output address bits: 32, 36, 40, 42, 44 or 48
    // Blocks as leaves where alignment allows (Linux); false: pages only (the pKVM series'
    // SMMU identity map, whose io-pgtable no longer splits blocks).
    bool blocks = true;
    S2Concat concat = S2Concat::WhenStartL0Fits;
};

// Stage-1 memory attribute indexes, as Linux io-pgtable-arm lays out MAIR (AttrIndx values).
namespace attr_index {
constexpr unsigned NC = 0, CACHE = 1, DEVICE = 2, INC_OCACHE = 3;
}

struct Geometry {
    Format fmt;
    smmu::arch::Granule g{12};
    int start_level = 0;
    uint64_t root_entries = 0;    // descriptors in the root, all concatenated tables together
    unsigned concat_tables = 1;   // granule-sized tables concatenated at the start level (stage 2)
    uint64_t root_bytes = 0;      // root_entries * 8
    uint64_t pgsize_bitmap = 0;   // leaf sizes map() uses (page, and blocks at levels >= start)

    // Register fields, already encoded.
    uint64_t tsz = 0;   // CD.T0SZ / STE.S2T0SZ = 64 - ias
    uint64_t tg = 0;    // CD.TG0 / STE.S2TG (same encoding: 4K 0, 64K 1, 16K 2)
    uint64_t ps = 0;    // CD.IPS / STE.S2PS for oas
    uint64_t sl0 = 0;   // STE.S2SL0 (stage 2 only, §8.5: 4K start = 2 - SL0, 16K/64K 3 - SL0)
    // CD.SH0 / STE.S2SH0: inner shareable. Tables are written as normal write-back memory by a
    // coherent CPU, so the walk attributes (IR0/OR0) should be write-back too (Linux: WBWA).
    uint64_t sh = 0;
    uint64_t mair = 0;  // CD.MAIR (stage 1): the attributes attr_index selects

    bool block_allowed(int level) const { return level >= start_level && g.block_allowed(level); }
    // Index of `iova` in the root, all concatenated tables taken as one.
    uint64_t root_index(uint64_t iova) const { return (iova >> g.level_shift(start_level)) & (root_entries - 1); }
    // Entries in a table at `level`.
    uint64_t entries_at(int level) const { return level == start_level ? root_entries : g.bytes() / 8; }
};

// The geometry of `fmt`; throws std::invalid_argument naming what is wrong.
Geometry make_geometry(const Format& fmt);

// The largest leaf size in `bitmap` that is at most `size` and to which `addr` is aligned (Linux
// iommu_pgsize: `addr` is iova | pa when mapping, iova when unmapping); 0 if none.
uint64_t best_pgsize(uint64_t bitmap, uint64_t addr, uint64_t size);

}  // namespace smmusim::sw::pgtable
