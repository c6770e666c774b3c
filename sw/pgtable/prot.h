#pragma once
// What a mapping allows (Linux IOMMU_READ / WRITE / NOEXEC / PRIV / MMIO / CACHE) and the leaf
// attribute bits it becomes at each stage (reference §8.2, §8.3), as Linux io-pgtable-arm's
// arm_lpae_prot_to_pte builds them.

#include <cstdint>
#include <optional>
#include <string>

#include "sw/pgtable/format.h"

namespace smmusim::sw::pgtable {

enum class Memory {
    WriteBack,     // IOMMU_CACHE: normal inner/outer write-back, inner shareable
    NonCacheable,  // normal non-cacheable, outer shareable
    Device,        // IOMMU_MMIO: Device-nGnRE, outer shareable
};

struct Prot {
    bool read = false;
    bool write = false;
    bool noexec = false;  // IOMMU_NOEXEC
    bool priv = false;    // IOMMU_PRIV: stage 1 only, privileged accesses only
    Memory mem = Memory::WriteBack;
    // Set the contiguous hint (reference §8.6) on every leaf of a run that this map covers
    // whole, input and output aligned to the run (16 leaves for 4K; 128 pages or 32 blocks for
    // 16K; 32 for 64K). Linux's io-pgtable never sets it; a caller that asks for it unmaps
    // whole runs only.
    bool contiguous = false;

    static Prot r() { return {true, false}; }
    static Prot w() { return {false, true}; }
    static Prot rw() { return {true, true}; }
    // "r", "w" or "rw" (scenario files); nullopt otherwise.
    static std::optional<Prot> parse(const std::string& s);
};

// The attribute bits of a leaf (everything but the output address and the type bits), always
// with AF set (no access-flag faults: DMA has no one to take them).
//   Stage 1: nG (ASID-tagged), AP[1] (unprivileged) unless priv, AP[2] (read-only) when read
//            without write - stage 1 cannot say write-only, so "w" is read/write -, AttrIndx
//            per attr_index (MAIR in Geometry::mair), SH inner for write-back else outer,
//            PXN and UXN for noexec.
//   Stage 2: S2AP read / write bits as asked (write-only exists), MemAttr 0xF / 0x5 / 0x1,
//            SH as stage 1, XN[1:0] = 0b10 for noexec (Linux writes 0b11, which with
//            SMMU_IDR3.XNX means "executable at EL1"; 0b10 is never-executable everywhere).
uint64_t leaf_attributes(Stage stage, const Prot& prot);

}  // namespace smmusim::sw::pgtable
