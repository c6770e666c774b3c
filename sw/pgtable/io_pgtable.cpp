#include "sw/pgtable/io_pgtable.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

#include "models/smmu/arch/pte.h"

namespace smmusim::sw::pgtable {

using namespace smmu::arch;

const char* error_name(Error e) {
    switch (e) {
    case Error::Ok: return "ok";
    case Error::Misaligned: return "misaligned";
    case Error::OutOfRange: return "out of range";
    case Error::Exists: return "already mapped";
    case Error::NotMapped: return "not mapped";
    case Error::NoMemory: return "out of table memory";
    case Error::Destroyed: return "page table destroyed";
    }
    return "?";
}

namespace {

// [addr, addr + size) inside [0, 2^bits).
bool in_range(uint64_t addr, uint64_t size, unsigned bits) {
    const uint64_t limit = uint64_t(1) << bits;  // bits <= 48
    return addr < limit && size <= limit - addr;
}

}  // namespace

IoPgtable::IoPgtable(const Format& fmt, hal::Bus& bus, hal::PageAllocator& alloc, TlbOps* tlb)
    : IoPgtable(fmt, bus, alloc, tlb, Config{}) {}

IoPgtable::IoPgtable(const Format& fmt, hal::Bus& bus, hal::PageAllocator& alloc, TlbOps* tlb, const Config& cfg)
    : geo_(make_geometry(fmt)), cfg_(cfg), store_(bus, alloc, cfg.pte_read_cycles), tlb_(tlb) {
    if (!cfg.coherent_walk) store_.set_non_coherent_walk(cfg.skip_cleans);
    // The root is zeroed before anyone can point a CD or STE at it (Linux: before the TTBR is
    // handed out). A concatenated root is 2..16 granules, aligned to its total size.
    root_ = store_.allocate(geo_.start_level, geo_.root_entries);
    store_.zero(root_);
}

uint64_t IoPgtable::slot_of(uint64_t iova, int level) const {
    return level == geo_.start_level ? 0 : iova >> geo_.g.level_shift(level - 1);
}

uint64_t IoPgtable::index(uint64_t iova, int level) const {
    return level == geo_.start_level ? geo_.root_index(iova) : geo_.g.index(iova, level);
}

int IoPgtable::level_of(uint64_t leaf_size) const {
    for (int level = 3; level >= geo_.start_level; --level)
        if (geo_.g.level_size(level) == leaf_size) return level;
    throw std::logic_error("pgtable: no level has that leaf size");
}

// Levels 0-2: 0b11 is a table, 0b01 a block; level 3: 0b11 is a page (§8.1).
bool IoPgtable::is_table(int level, uint64_t desc) const { return level < 3 && pte::is_table_or_page(desc); }

uint64_t IoPgtable::next_table(uint64_t desc) const { return pte::address(desc, geo_.g.shift); }

bool IoPgtable::has_leaves(uint64_t table) const {
    const int level = store_.level(table);
    for (uint64_t i = 0, n = store_.entries(table); i < n; ++i) {
        const uint64_t d = store_.peek(table, i);
        if (!pte::valid(d)) continue;
        if (!is_table(level, d) || has_leaves(next_table(d))) return true;
    }
    return false;
}

void IoPgtable::flush_walk(uint64_t iova, uint64_t size, uint64_t granule) {
    flush_run();  // the SMMU may walk again after the TLBI: what it walks must be in memory
    ++store_.stats().flush_walks;
    if (tlb_) tlb_->flush_walk(iova, size, granule);
}

void IoPgtable::add_page(Gather& gather, uint64_t iova, uint64_t size) {
    ++store_.stats().add_pages;
    if (tlb_) tlb_->add_page(gather, iova, size);
}

Result IoPgtable::finish(Result r, const OpStats& before) {
    flush_run();
    r.stats = store_.stats() - before;
    return r;
}

void IoPgtable::write_leaf(uint64_t table, uint64_t idx, uint64_t desc, uint64_t iova, uint64_t size,
                           Gather* gather) {
    store_.write(table, idx, desc);
    if (store_.coherent_walk()) {
        if (gather) add_page(*gather, iova, size);
        return;
    }
    SyncRun& r = run();
    if (r.count && r.table == table && idx == r.first + r.count && r.gather == gather && r.size == size &&
        iova == r.iova + r.count * size) {
        ++r.count;
        return;
    }
    flush_run();
    run() = SyncRun{table, idx, 1, iova, size, gather};
}

IoPgtable::SyncRun& IoPgtable::run() {
    const unsigned c = store_.cpu();
    if (c >= runs_.size()) runs_.resize(c + 1);
    return runs_[c];
}

void IoPgtable::flush_run() {
    SyncRun& mine = run();
    if (!mine.count) return;
    const SyncRun r = mine;
    mine.count = 0;
    store_.clean(r.table + r.first * 8, r.count * 8);
    if (r.gather)
        for (uint64_t j = 0; j < r.count; ++j) add_page(*r.gather, r.iova + j * r.size, r.size);
}

void IoPgtable::write_synced(uint64_t table, uint64_t idx, uint64_t desc) {
    flush_run();
    store_.write(table, idx, desc);
    store_.clean(table + idx * 8, 8);
}

// ---------------------------------------------------------------------------------------------
// map

// Walks the mirror for every leaf map() will write, without writing or charging anything:
// finds conflicts and counts the tables to allocate. A table planned for one leaf is shared by
// the next leaves under it (`planned`: level and input-address slot of each new table).
Error IoPgtable::check_map(uint64_t iova, uint64_t pa, uint64_t size, unsigned& new_tables) const {
    const Granule& g = geo_.g;
    std::set<std::pair<int, uint64_t>> planned;
    new_tables = 0;
    for (uint64_t off = 0; off < size;) {
        const uint64_t va = iova + off;
        const uint64_t pg = best_pgsize(geo_.pgsize_bitmap, va | (pa + off), size - off);
        const int target = level_of(pg);
        uint64_t table = root_;
        bool fresh = false;  // below a table this map creates: nothing there yet
        for (int level = geo_.start_level; level < target; ++level) {
            if (!fresh) {
                const uint64_t d = store_.peek(table, index(va, level));
                if (is_table(level, d)) {
                    table = next_table(d);
                    continue;
                }
                if (pte::valid(d)) return Error::Exists;  // a block covers part of the range
                fresh = true;
            }
            if (planned.emplace(level + 1, va >> g.level_shift(level)).second) ++new_tables;
        }
        if (!fresh) {
            const uint64_t d = store_.peek(table, index(va, target));
            if (pte::valid(d) && (!is_table(target, d) || has_leaves(next_table(d)))) return Error::Exists;
        }
        off += pg;
    }
    return Error::Ok;
}

void IoPgtable::map_leaf(uint64_t iova, uint64_t pa, uint64_t size, uint64_t attrs, LeafCursor& cur,
                         unsigned& taken) {
    const int target = level_of(size);
    const bool same_table = cur.level == target && cur.slot == slot_of(iova, target);
    uint64_t table = same_table ? cur.table : root_;
    for (int level = same_table ? target : geo_.start_level; level < target; ++level) {
        const uint64_t idx = index(iova, level);
        uint64_t d = store_.read(table, idx);
        if (!pte::valid(d)) {
            // Zeroed before the descriptor that makes it reachable is written. Installed as
            // Linux __arm_lpae_map does (arm_lpae_install_table): cmpxchg on the parent entry;
            // a CPU that lost the race to another CPU mapping under the same missing table
            // frees its own (never reachable: no TLB maintenance) and walks into the winner's.
            // Callers never map overlapping ranges at once, so the winner's entry is a table.
            const uint64_t next = store_.allocate(level + 1, geo_.entries_at(level + 1));
            ++taken;
            store_.zero(next);
            flush_run();
            const uint64_t old = store_.install(table, idx, d, pte::table(next));
            store_.clean(table + idx * 8, 8);  // arm_lpae_install_table: __arm_lpae_sync_pte after the cmpxchg
            if (old == d) {
                d = pte::table(next);
            } else {
                store_.release(next);
                if (!is_table(level, old)) throw std::logic_error("pgtable: concurrent maps overlap");
                d = old;
            }
        }
        table = next_table(d);
    }
    const uint64_t idx = index(iova, target);
    const uint64_t d = store_.read(table, idx);
    if (pte::valid(d)) remove_table(table, idx, d, iova, target);  // empty (check_map)
    write_leaf(table, idx, pte::leaf(pa, target, attrs), iova, size, nullptr);
    cur = {table, target, slot_of(iova, target)};
}

Result IoPgtable::map(uint64_t iova, uint64_t pa, uint64_t size, const Prot& prot) {
    const OpStats before = store_.stats();
    Result r;
    const uint64_t page = geo_.g.bytes();
    if (destroyed_) r.error = Error::Destroyed;
    else if (size == 0 || ((iova | pa | size) & (page - 1))) r.error = Error::Misaligned;
    else if (!in_range(iova, size, geo_.fmt.ias) || !in_range(pa, size, geo_.fmt.oas)) r.error = Error::OutOfRange;
    if (!r.ok() || (!prot.read && !prot.write)) return finish(r, before);

    unsigned new_tables = 0;
    r.error = check_map(iova, pa, size, new_tables);
    if (!r.ok()) return finish(r, before);
    try {
        store_.reserve(new_tables, page);
    } catch (const hal::OutOfMemory&) {
        r.error = Error::NoMemory;
        return finish(r, before);
    }
    const uint64_t attrs = leaf_attributes(geo_.fmt.stage, prot);
    LeafCursor cur;
    unsigned taken = 0;  // tables allocated: at most new_tables (others' tables only remove need)
    for (uint64_t off = 0; off < size;) {
        const uint64_t pg = best_pgsize(geo_.pgsize_bitmap, (iova + off) | (pa + off), size - off);
        uint64_t a = attrs;
        if (prot.contiguous) {
            // The run holding this leaf: inside the range, with the output as aligned as the input.
            const uint64_t run = pg << geo_.g.contiguous_log2(level_of(pg));
            const uint64_t first = (iova + off) & ~(run - 1);
            if (first >= iova && first - iova + run <= size && !(((iova + off) ^ (pa + off)) & (run - 1)))
                a = put<pte::Contiguous>(a, 1);
        }
        map_leaf(iova + off, pa + off, pg, a, cur, taken);
        off += pg;
    }
    // This call's unused blocks (none unless the plan over-counted or another CPU made tables).
    store_.unreserve(new_tables - std::min(taken, new_tables));
    r.bytes = size;
    return finish(r, before);
}

// ---------------------------------------------------------------------------------------------
// lookup, destroy

std::optional<Leaf> IoPgtable::lookup(uint64_t iova) {
    if (destroyed_ || !in_range(iova, 1, geo_.fmt.ias)) return std::nullopt;
    uint64_t table = root_;
    for (int level = geo_.start_level; level <= 3; ++level) {
        const uint64_t d = store_.read(table, index(iova, level));
        if (!pte::valid(d)) return std::nullopt;
        if (is_table(level, d)) {
            table = next_table(d);
            continue;
        }
        if (level == 3 ? !pte::is_table_or_page(d) : !geo_.g.block_allowed(level)) return std::nullopt;
        const uint64_t size = geo_.g.level_size(level);
        const uint64_t base = pte::address(d, geo_.g.shift) & ~(size - 1);
        return Leaf{base | (iova & (size - 1)), level, size, d};
    }
    return std::nullopt;
}

std::optional<uint64_t> IoPgtable::iova_to_phys(uint64_t iova) {
    std::optional<Leaf> l = lookup(iova);
    if (!l) return std::nullopt;
    return l->pa;
}

void IoPgtable::destroy() {
    if (destroyed_) return;
    // Linux free_io_pgtable_ops: flush the whole context before the tables go.
    if (tlb_) tlb_->flush_all();
    store_.release_all();
    destroyed_ = true;
}

}  // namespace smmusim::sw::pgtable
