#pragma once
// Translation-table geometry: granules, levels, start levels and stage-2 concatenation
// (reference §8.4-8.6).

#include <cstdint>
#include <optional>

namespace smmusim::smmu::arch {

struct Granule {
    unsigned shift;  // 12, 14 or 16

    unsigned stride() const { return shift - 3; }
    uint64_t bytes() const { return uint64_t(1) << shift; }
    // Lowest input-address bit resolved at `level` (0..3).
    unsigned level_shift(int level) const { return shift + stride() * unsigned(3 - level); }
    uint64_t level_size(int level) const { return uint64_t(1) << level_shift(level); }
    // Index of `addr` in a table at `level`.
    uint64_t index(uint64_t addr, int level) const {
        return (addr >> level_shift(level)) & ((uint64_t(1) << stride()) - 1);
    }
    // log2 of the leaves in one contiguous-hint run at `level` (reference §8.6): 16 for 4K at
    // every level; 16K: 128 pages or 32 blocks; 64K: 32.
    unsigned contiguous_log2(int level) const {
        if (shift == 12) return 4;
        if (shift == 14) return level == 3 ? 7 : 5;
        return 5;
    }
    // Blocks exist at L1 and L2 for 4K, at L2 for 16K and 64K (no LPA2 / 52-bit PA).
    bool block_allowed(int level) const { return level == 2 || (shift == 12 && level == 1); }
    // Stage-1 start level for an input size of `ia` bits: 4 - ceil((ia - G) / stride).
    int s1_start_level(unsigned ia) const {
        unsigned levels = (ia - shift + stride() - 1) / stride();
        return 4 - int(levels);
    }
    // Input bits resolved at `start` when the input size is `ia` bits.
    int bits_at(int start, unsigned ia) const {
        return int(ia) - int(shift) - int(stride()) * (3 - start);
    }
};

// A VA with its top byte ignored (TBI): VA[63:56] as the sign extension of VA[55], the
// address stage 1 translates and TLBs hold (§3.4.1). Also how a TLBI by VA is matched: the
// PE's TLBI operand holds VA[55:12] only.
inline uint64_t canonical_va(uint64_t va) {
    return (va & (uint64_t(1) << 55)) ? va | (uint64_t(0xFF) << 56) : va & ~(uint64_t(0xFF) << 56);
}

// The translation granules: 4 KiB, 16 KiB and 64 KiB, as a shift; nullopt for other sizes.
inline std::optional<unsigned> granule_shift(uint64_t bytes) {
    switch (bytes) {
    case 4096: return 12;
    case 16384: return 14;
    case 65536: return 16;
    default: return std::nullopt;
    }
}

// CD.TG0 / STE.S2TG: 00 4K, 01 64K, 10 16K, 11 reserved.
inline std::optional<unsigned> tg0_shift(uint64_t tg) {
    switch (tg) {
    case 0: return 12;
    case 1: return 16;
    case 2: return 14;
    default: return std::nullopt;
    }
}
// CD.TG1: 01 16K, 10 4K, 11 64K, 00 reserved (a different encoding from TG0).
inline std::optional<unsigned> tg1_shift(uint64_t tg) {
    switch (tg) {
    case 1: return 14;
    case 2: return 12;
    case 3: return 16;
    default: return std::nullopt;
    }
}

// The stage-2 start level from S2SL0 and S2TG, and the concatenated start tables the input
// size needs (reference §8.5): nullopt when the combination is reserved or inconsistent.
struct S2Start {
    int level;
    unsigned tables;   // concatenated granule-sized tables (1 when not concatenated)
    uint64_t entries;  // descriptors in the start table(s) together
};
std::optional<S2Start> s2_start(const Granule& g, uint64_t sl0, unsigned ia, bool stt);

}  // namespace smmusim::smmu::arch
