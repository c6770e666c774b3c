#pragma once
// A page-table writer for tests: builds stage-1 or stage-2 VMSAv8-64 tables of any granule
// and start level (with concatenated stage-2 roots) straight into memory, with leaves at the
// level a test asks for, and gives access to single descriptors so a test can break them.

#include <cstdint>
#include <functional>

#include "models/mem/sparse_store.h"
#include "models/smmu/arch/geometry.h"
#include "models/smmu/arch/pte.h"

namespace smmusim::test {

// Allocates `bytes` aligned to `align` in simulated memory, zeroed.
using Allocator = std::function<uint64_t(uint64_t bytes, uint64_t align)>;

class PageTables {
public:
    // `ia_bits`: input size; `start`: start level; `root_entries`: descriptors in the root
    // (over 2^stride means concatenated tables, stage 2 only).
    PageTables(mem::SparseStore& store, Allocator alloc, unsigned gshift, unsigned ia_bits, int start);

    uint64_t root() const { return root_; }
    const smmu::arch::Granule& granule() const { return g_; }
    int start_level() const { return start_; }
    uint64_t root_entries() const { return root_entries_; }
    unsigned ia_bits() const { return ia_bits_; }

    // Maps [ia, ia + size) to oa with leaves at `level` (blocks above level 3); `attrs` are
    // the leaf's attribute bits (AF, AP/S2AP, ...).
    void map(uint64_t ia, uint64_t oa, uint64_t size, int level, uint64_t attrs);
    // Address of the descriptor for `ia` at `level` (its table must exist).
    uint64_t descriptor_address(uint64_t ia, int level) const;
    uint64_t descriptor(uint64_t ia, int level) const;
    void set_descriptor(uint64_t ia, int level, uint64_t desc);
    // Tables allocated so far (including the root).
    unsigned tables() const { return tables_; }

private:
    uint64_t table_for(uint64_t ia, int level, bool create);
    uint64_t descriptor_address_in(uint64_t table, uint64_t ia, int level) const;
    uint64_t read64(uint64_t a) const;
    void write64(uint64_t a, uint64_t v);

    mem::SparseStore& store_;
    Allocator alloc_;
    smmu::arch::Granule g_;
    unsigned ia_bits_;
    int start_;
    uint64_t root_entries_;
    uint64_t root_;
    unsigned tables_ = 1;
};

// Leaf attributes.
namespace s1 {
constexpr uint64_t AF = 1ull << 10;
constexpr uint64_t ISH = 3ull << 8;
constexpr uint64_t AP_PRIV_RW = 0ull << 6, AP_RW = 1ull << 6, AP_PRIV_RO = 2ull << 6, AP_RO = 3ull << 6;
constexpr uint64_t PXN = 1ull << 53, UXN = 1ull << 54;
constexpr uint64_t NG = 1ull << 11;
// Normal memory readable and writable by everyone, as Linux maps DMA buffers.
constexpr uint64_t RW = AF | ISH | AP_RW | NG | (1ull << 2);
}  // namespace s1
namespace s2 {
constexpr uint64_t AF = 1ull << 10;
constexpr uint64_t ISH = 3ull << 8;
constexpr uint64_t R = 1ull << 6, W = 2ull << 6;
constexpr uint64_t NORMAL_WB = 0xFull << 2, DEVICE = 0x1ull << 2;
constexpr uint64_t XN = 2ull << 53;
constexpr uint64_t RW = AF | ISH | R | W | NORMAL_WB;
}  // namespace s2

}  // namespace smmusim::test
