// IoPgtable: unmap, block splitting, and freeing tables (the TLB-maintenance side).

#include <array>

#include "models/smmu/arch/pte.h"
#include "sw/pgtable/io_pgtable.h"

namespace smmusim::sw::pgtable {

using namespace smmu::arch;

// Frees `table` and every table below it. Like Linux __arm_lpae_free_pgtable it reads the
// entries of tables above the last level to find the tables below (the last level holds only
// pages); the caller has already unhooked it and flushed the walk caches.
void IoPgtable::free_tree(uint64_t table) {
    const int level = store_.level(table);
    if (level < 3) {
        for (uint64_t i = 0, n = store_.entries(table); i < n; ++i) {
            const uint64_t d = store_.read(table, i);
            if (is_table(level, d)) free_tree(next_table(d));
        }
    }
    store_.release(table);
}

// The table descriptor at (table, idx), for input `iova` at `level`, goes: invalid first, then
// the walk caches are flushed (synchronously), then the tables are freed (§9.2: TLBI with
// Leaf=0 before freed tables can be reused).
void IoPgtable::remove_table(uint64_t table, uint64_t idx, uint64_t desc, uint64_t iova, int level) {
    const uint64_t span = geo_.g.level_size(level);
    write_synced(table, idx, 0);
    flush_walk(iova & ~(span - 1), span, geo_.g.bytes());
    free_tree(next_table(desc));
}

// Replaces the block `desc` at (table, idx, level) by a table of next-level leaves mapping the
// same output range with the same attributes. Returns the new table descriptor, or nullopt
// when no memory is left (nothing changed).
std::optional<uint64_t> IoPgtable::split_block(uint64_t table, uint64_t idx, int level, uint64_t desc, uint64_t iova,
                                               Gather& gather) {
    const Granule& g = geo_.g;
    const int child = level + 1;
    const uint64_t block = g.level_size(level), step = g.level_size(child);
    const uint64_t oa = pte::address(desc, g.shift) & ~(block - 1);
    // The contiguous hint describes the old leaf's neighbours, not the new ones.
    const uint64_t attrs = pte::leaf_attrs(desc, g.shift) & ~pte::Contiguous::mask;
    uint64_t next;
    try {
        next = store_.allocate(child, geo_.entries_at(child), false);  // not a map's reserve
    } catch (const hal::OutOfMemory&) {
        return std::nullopt;
    }
    // Built completely while unreachable: no walk can see a half-filled table.
    store_.zero(next);
    // Each entry synced on its own for a non-coherent walker (arm_lpae_split_blk_unmap's
    // __arm_lpae_init_pte with num_entries 1).
    for (uint64_t i = 0, n = geo_.entries_at(child); i < n; ++i) write_synced(next, i, pte::leaf(oa + i * step, child, attrs));
    const uint64_t base = iova & ~(block - 1);
    const uint64_t tdesc = pte::table(next);
    if (!cfg_.bbml2) {
        // Break-before-make (§9.3, BBML 0/1): changing the leaf size of a live mapping needs
        // invalid -> TLBI + SYNC -> new, or the SMMU may hold both and conflict.
        write_synced(table, idx, 0);
        flush_walk(base, block, block);
        write_synced(table, idx, tdesc);
    } else {
        // BBML2: the SMMU copes with old and new entries coexisting; the old block's TLB
        // entries only have to be gone by the caller's next sync.
        write_synced(table, idx, tdesc);
        add_page(gather, base, block);
    }
    ++store_.stats().blocks_split;
    return tdesc;
}

// Unmaps the leaf of `size` bytes at `iova` (or the table where such a leaf would sit).
// Returns `size`, or 0 at a hole (err stays Ok) or when a split found no memory (NoMemory).
uint64_t IoPgtable::unmap_leaf(uint64_t iova, uint64_t size, Gather& gather, Error& err, LeafCursor& cur) {
    const int target = level_of(size);
    std::array<std::pair<uint64_t, uint64_t>, 4> path{};  // (table, index) per level
    // Reclaim needs the whole path to walk back up: no shortcut then.
    const bool same_table =
        !cfg_.reclaim_empty_tables && cur.level == target && cur.slot == slot_of(iova, target);
    uint64_t table = same_table ? cur.table : root_;
    uint64_t d = 0;
    for (int level = same_table ? target : geo_.start_level;; ++level) {
        const uint64_t idx = index(iova, level);
        d = store_.read(table, idx);
        path[size_t(level)] = {table, idx};
        if (!pte::valid(d)) return 0;
        if (level == target) break;
        if (!is_table(level, d)) {  // a block larger than what goes: split it first
            std::optional<uint64_t> t = split_block(table, idx, level, d, iova, gather);
            if (!t) {
                err = Error::NoMemory;
                return 0;
            }
            d = *t;
        }
        table = next_table(d);
    }
    const auto [leaf_table, leaf_idx] = path[size_t(target)];
    if (is_table(target, d)) {
        remove_table(leaf_table, leaf_idx, d, iova, target);
    } else {
        write_leaf(leaf_table, leaf_idx, 0, iova, size, &gather);
    }
    cur = {leaf_table, target, slot_of(iova, target)};
    if (cfg_.reclaim_empty_tables) {
        // pKVM-style: a table left without valid entries is unhooked and freed, upwards.
        for (int level = target; level > geo_.start_level; --level) {
            const auto [t, idx] = path[size_t(level)];
            if (store_.valid_entries(t) != 0) break;
            const auto [parent, pidx] = path[size_t(level - 1)];
            remove_table(parent, pidx, pte::table(t), iova, level - 1);
        }
    }
    return size;
}

Result IoPgtable::unmap(uint64_t iova, uint64_t size, Gather& gather) {
    const OpStats before = store_.stats();
    Result r;
    if (destroyed_) r.error = Error::Destroyed;
    else if (size == 0 || ((iova | size) & (geo_.g.bytes() - 1))) r.error = Error::Misaligned;
    else if (iova >= (uint64_t(1) << geo_.fmt.ias) || size > (uint64_t(1) << geo_.fmt.ias) - iova)
        r.error = Error::OutOfRange;
    if (!r.ok()) return finish(r, before);

    LeafCursor cur;
    while (r.bytes < size) {
        const uint64_t va = iova + r.bytes;
        const uint64_t n =
            unmap_leaf(va, best_pgsize(geo_.pgsize_bitmap, va, size - r.bytes), gather, r.error, cur);
        if (n == 0) break;
        r.bytes += n;
    }
    if (r.ok() && r.bytes < size) r.error = Error::NotMapped;
    return finish(r, before);
}

}  // namespace smmusim::sw::pgtable
