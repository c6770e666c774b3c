#include "sw/pgtable/table_store.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace smmusim::sw::pgtable {

OpStats OpStats::operator-(const OpStats& o) const {
    OpStats d;
    d.pte_reads = pte_reads - o.pte_reads;
    d.pte_writes = pte_writes - o.pte_writes;
    d.bytes_zeroed = bytes_zeroed - o.bytes_zeroed;
    d.tables_allocated = tables_allocated - o.tables_allocated;
    d.tables_freed = tables_freed - o.tables_freed;
    d.add_pages = add_pages - o.add_pages;
    d.flush_walks = flush_walks - o.flush_walks;
    d.blocks_split = blocks_split - o.blocks_split;
    d.cmo_syncs = cmo_syncs - o.cmo_syncs;
    d.cmo_lines = cmo_lines - o.cmo_lines;
    return d;
}

TableStore::~TableStore() {
    drop_reserve();
    for (const auto& [pa, t] : tables_) alloc_.free(pa);
}

const TableStore::Table& TableStore::at(uint64_t table) const {
    auto it = tables_.find(table);
    if (it == tables_.end()) throw std::logic_error("pgtable: no table at that address");
    return it->second;
}

TableStore::Table& TableStore::at(uint64_t table) {
    return const_cast<Table&>(static_cast<const TableStore*>(this)->at(table));
}

void TableStore::reserve(unsigned n, uint64_t table_bytes) {
    const size_t had = reserve_.size();
    try {
        for (unsigned i = 0; i < n; ++i) reserve_.push_back(alloc_.alloc(table_bytes));
    } catch (const hal::OutOfMemory&) {
        unreserve(unsigned(reserve_.size() - had));
        throw;
    }
}

// The last `n` blocks go back, in the order they were taken (on one CPU: the whole reserve,
// freed as drop_reserve would).
void TableStore::unreserve(unsigned n) {
    const size_t keep = reserve_.size() - std::min<size_t>(n, reserve_.size());
    for (size_t i = keep; i < reserve_.size(); ++i) alloc_.free(reserve_[i]);
    reserve_.resize(keep);
}

void TableStore::drop_reserve() {
    for (uint64_t pa : reserve_) alloc_.free(pa);
    reserve_.clear();
}

uint64_t TableStore::allocate(int level, uint64_t entries, bool reserved) {
    uint64_t pa;
    if (reserved && !reserve_.empty() && alloc_.block_size(reserve_.back()) >= entries * 8) {
        pa = reserve_.back();
        reserve_.pop_back();
    } else {
        pa = alloc_.alloc(entries * 8);
    }
    Table t{level, alloc_.block_size(pa), 0, std::vector<uint64_t>(entries, 0)};
    bytes_ += t.block_bytes;
    tables_.emplace(pa, std::move(t));
    ++stats_.tables_allocated;
    return pa;
}

void TableStore::zero(uint64_t table) {
    Table& t = at(table);
    const uint64_t len = t.desc.size() * 8;
    bus_.fill(table, 0, len);
    std::fill(t.desc.begin(), t.desc.end(), 0);
    t.valid = 0;
    stats_.bytes_zeroed += len;
    clean(table, len);  // Linux: dma_map_single of the new table
}

void TableStore::clean(uint64_t pa, uint64_t len) {
    if (coherent_ || skip_cleans_ || !len) return;
    bus_.clean_dcache(pa, len);
    bus_.barrier();
    ++stats_.cmo_syncs;
    stats_.cmo_lines += (pa + len - 1) / 64 - pa / 64 + 1;
}

void TableStore::release(uint64_t table) {
    const Table& t = at(table);
    bytes_ -= t.block_bytes;
    tables_.erase(table);
    alloc_.free(table);
    ++stats_.tables_freed;
}

void TableStore::release_all() {
    while (!tables_.empty()) release(tables_.begin()->first);
}

uint64_t TableStore::read(uint64_t table, uint64_t index) {
    bus_.work(read_cycles_);
    ++stats_.pte_reads;
    return peek(table, index);
}

uint64_t TableStore::peek(uint64_t table, uint64_t index) const { return at(table).desc.at(index); }

void TableStore::write(uint64_t table, uint64_t index, uint64_t desc) {
    Table& t = at(table);
    uint64_t& slot = t.desc.at(index);
    t.valid += (desc & 1) - (slot & 1);  // bit 0: valid (§8.1)
    slot = desc;
    bus_.store64(table + index * 8, desc);
    ++stats_.pte_writes;
}

uint64_t TableStore::install(uint64_t table, uint64_t index, uint64_t expected, uint64_t desc) {
    if (bus_.cpus() <= 1) {
        write(table, index, desc);
        return expected;
    }
    const uint64_t old = bus_.cas64(table + index * 8, expected, desc);
    const uint64_t now = old == expected ? desc : old;
    // Another CPU may have changed the mirror while the CAS took time; memory is the truth.
    Table& t = at(table);
    uint64_t& slot = t.desc.at(index);
    t.valid += (now & 1) - (slot & 1);
    slot = now;
    if (old == expected) ++stats_.pte_writes;
    return old;
}

bool TableStore::mirror_matches_memory() {
    for (const auto& [pa, t] : tables_) {
        std::vector<uint64_t> mem(t.desc.size());
        bus_.read(pa, mem.data(), mem.size() * 8);
        if (std::memcmp(mem.data(), t.desc.data(), mem.size() * 8) != 0) return false;
    }
    return true;
}

}  // namespace smmusim::sw::pgtable
