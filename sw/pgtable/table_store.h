#pragma once
// Translation tables in simulated memory, with a host-side mirror of every descriptor.
//
// Cost model: the CPU that builds the tables reads them back from its own cache, so reads come
// from the mirror and cost `read_cycles` of CPU work each (Bus::work); every descriptor write
// and every table zeroing is a store through the Bus (a timed transaction in the real system,
// which the SMMU's walks then see). The mirror is write-through: it always equals memory.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::pgtable {

// What an operation cost (one map or unmap), or everything so far.
struct OpStats {
    uint64_t pte_reads = 0;         // descriptors read (from the CPU's cache: the mirror)
    uint64_t pte_writes = 0;        // 64-bit descriptor stores through the bus
    uint64_t bytes_zeroed = 0;      // new tables cleared through the bus
    uint64_t tables_allocated = 0;
    uint64_t tables_freed = 0;
    uint64_t add_pages = 0;         // TlbOps::add_page calls
    uint64_t flush_walks = 0;       // TlbOps::flush_walk calls
    uint64_t blocks_split = 0;
    uint64_t cmo_syncs = 0;         // non-coherent walk: cleans to the point of coherency + DSB
    uint64_t cmo_lines = 0;         // lines they cleaned (DC CVAC)

    OpStats operator-(const OpStats& o) const;
};

class TableStore {
public:
    TableStore(hal::Bus& bus, hal::PageAllocator& alloc, uint64_t read_cycles)
        : bus_(bus), alloc_(alloc), read_cycles_(read_cycles) {}
    // A walker that does not snoop the CPU caches (Linux io_pgtable_cfg.coherent_walk false):
    // zero() cleans each new table to the point of coherency, as __arm_lpae_alloc_pages's
    // dma_map_single; clean() is then what __arm_lpae_sync_pte does. `skip_cleans`: fault
    // injection, the cleans are left out (the walker then sees stale descriptors).
    void set_non_coherent_walk(bool skip_cleans) {
        coherent_ = false;
        skip_cleans_ = skip_cleans;
    }
    bool coherent_walk() const { return coherent_; }
    unsigned cpu() const { return bus_.cpu(); }  // the CPU making the calling software thread's call
    // dma_sync_single_for_device of [pa, pa + len): DC CVAC of each line, then DSB. Nothing for
    // a coherent walker.
    void clean(uint64_t pa, uint64_t len);
    // Hands every table still held back to the allocator (no memory traffic).
    ~TableStore();
    TableStore(const TableStore&) = delete;
    TableStore& operator=(const TableStore&) = delete;

    // Adds `n` granule-sized blocks from the allocator to the reserve now, so that a map() that
    // has checked its range cannot run out of memory half-way. Throws hal::OutOfMemory (adding
    // nothing). Several CPUs' map() calls may hold reservations at once (they interleave at
    // timed bus accesses): the reserve is their pool, each takes at most what it added and
    // gives back the rest with unreserve(n).
    void reserve(unsigned n, uint64_t table_bytes);
    void unreserve(unsigned n);
    void drop_reserve();
    // A table of `entries` descriptors at `level`, from the reserve when `reserved` and it has
    // one. Not yet zeroed: zero() it before making it reachable. Throws hal::OutOfMemory.
    uint64_t allocate(int level, uint64_t entries, bool reserved = true);
    void zero(uint64_t table);
    // Back to the allocator. The caller has made it unreachable and invalidated walk caches.
    void release(uint64_t table);
    void release_all();

    uint64_t read(uint64_t table, uint64_t index);  // mirror, charged read_cycles
    uint64_t peek(uint64_t table, uint64_t index) const;  // mirror, free (planning only)
    void write(uint64_t table, uint64_t index, uint64_t desc);
    // Installs `desc` at an entry that read as `expected` (Linux arm_lpae_install_table): with
    // several CPUs a compare-and-swap on the descriptor in memory, since another CPU may be
    // installing a table there at the same time; on one CPU nothing can race and it is a plain
    // store (the same cost as before). Returns the entry's value before: `expected` when this
    // call won. The mirror takes memory's value either way.
    uint64_t install(uint64_t table, uint64_t index, uint64_t expected, uint64_t desc);

    int level(uint64_t table) const { return at(table).level; }
    uint64_t entries(uint64_t table) const { return at(table).desc.size(); }
    uint64_t valid_entries(uint64_t table) const { return at(table).valid; }
    bool holds(uint64_t table) const { return tables_.count(table) != 0; }

    uint64_t tables() const { return tables_.size(); }
    uint64_t bytes() const { return bytes_; }  // allocator blocks held (a block is at least 4 KiB)
    OpStats& stats() { return stats_; }
    const OpStats& stats() const { return stats_; }
    // Reads every table back through the bus and compares it with the mirror (tests, debugging).
    bool mirror_matches_memory();

private:
    bool coherent_ = true, skip_cleans_ = false;
    struct Table {
        int level;
        uint64_t block_bytes;
        uint64_t valid = 0;
        std::vector<uint64_t> desc;
    };
    const Table& at(uint64_t table) const;
    Table& at(uint64_t table);

    hal::Bus& bus_;
    hal::PageAllocator& alloc_;
    uint64_t read_cycles_;
    std::unordered_map<uint64_t, Table> tables_;
    std::vector<uint64_t> reserve_;
    uint64_t bytes_ = 0;
    OpStats stats_;
};

}  // namespace smmusim::sw::pgtable
