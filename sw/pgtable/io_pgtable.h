#pragma once
// An io-pgtable-style builder of VMSAv8-64 stage-1 or stage-2 translation tables (reference §8),
// after Linux io-pgtable-arm + iommu_map/iommu_unmap, for the SMMU driver's IOVA domains and the
// hypervisor's shadow stage 2. The software reaches memory only through hal::Bus; tables come
// from a hal::PageAllocator (granule-sized, the root possibly smaller or concatenated).
//
// map(iova, pa, size, prot)
//   iova, pa and size aligned to the granule, [iova, iova+size) inside ias, [pa, pa+size) inside
//   oas. Each step uses the largest leaf the alignment of iova and pa and the remaining size
//   allow (iommu_pgsize). Nothing is written unless the whole range can be mapped: the range is
//   checked against the tables first (any valid leaf in it -> Exists; an existing table where a
//   block goes is replaced only when no leaf is left under it, as Linux does, after flush_walk)
//   and the tables it needs are taken from the allocator up front (NoMemory -> nothing changed).
//   Prot without read and write maps nothing and succeeds (Linux).
// unmap(iova, size, gather)
//   Steps as iommu_unmap: the largest leaf size the iova alignment and remaining size allow. A
//   leaf of that size: cleared, add_page. A table where that leaf size sits: cleared,
//   flush_walk, then freed with all below it (its whole span counts as unmapped, as Linux). A
//   larger block: split one level at a time (below), then go on. Stops at the first hole;
//   returns the bytes unmapped, with NotMapped if that is less than asked. Never syncs.
// Block split (partial unmap; the hypervisor's page donation): a new table holding the block
//   as next-level leaves with the same attributes is allocated, zeroed and filled while still
//   unreachable, then installed:
//     default (break-before-make, §9.3 BBML0/1): write the invalid descriptor; flush_walk(block
//       iova, block size, block size) (the user invalidates and waits for CMD_SYNC); write the
//       table descriptor;
//     Config::bbml2: write the table descriptor over the block; add_page(block iova, block size)
//       so the old block's TLB entries go with the caller's next sync.
// Non-coherent walks (Config::coherent_walk false), as io-pgtable-arm's __arm_lpae_sync_pte:
//   the leaves one map()/unmap() call writes into one table are cleaned together (DC CVAC of
//   their lines, then DSB: __arm_lpae_init_pte / __arm_lpae_clear_pte with num_entries) before
//   the next table is touched, a walk flushed or the call returns, and an unmap's add_page calls
//   for them come after that clean (__arm_lpae_unmap); a table installed by compare-and-swap, a
//   table entry cleared and each entry of a split block are cleaned on their own, as Linux's
//   arm_lpae_install_table, __arm_lpae_clear_pte(1) and arm_lpae_split_blk_unmap do.
// Empty tables are kept for reuse (Linux) unless Config::reclaim_empty_tables (pKVM-style):
//   then a table whose last entry goes is unhooked, flush_walk'ed and freed, up to the root.
// Several CPUs (SystemC threads interleaving at timed bus accesses) may map and unmap disjoint
//   ranges at once without a lock, as Linux callers do: only table creation races, and a new
//   table is installed by compare-and-swap on its parent (TableStore::install). Result::stats
//   is then the change of the shared totals during the call, other CPUs' work included.
//   With reclaim_empty_tables (only used on one CPU) an unmap may free a table another CPU
//   walks: that mode is not concurrent.

#include <cstdint>
#include <optional>
#include <vector>

#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/pgtable/format.h"
#include "sw/pgtable/prot.h"
#include "sw/pgtable/table_store.h"
#include "sw/pgtable/tlb_ops.h"

namespace smmusim::sw::pgtable {

enum class Error {
    Ok,
    Misaligned,  // iova, pa or size not a multiple of the granule, or size 0
    OutOfRange,  // input beyond ias or output beyond oas
    Exists,      // map over a valid mapping (unmap first)
    NotMapped,   // unmap found a hole (bytes says how far it got)
    NoMemory,    // the allocator is exhausted
    Destroyed,   // after destroy()
};
const char* error_name(Error e);

struct Result {
    Error error = Error::Ok;
    uint64_t bytes = 0;  // mapped / unmapped
    OpStats stats;       // what this call cost
    bool ok() const { return error == Error::Ok; }
};

// The leaf translating an address.
struct Leaf {
    uint64_t pa;    // output address of the address looked up
    int level;
    uint64_t size;  // of the page or block
    uint64_t desc;
};

class IoPgtable {
public:
    struct Config {
        uint64_t pte_read_cycles = 4;  // CPU cycles per descriptor read (an L1 hit)
        bool bbml2 = false;            // the SMMU has SMMU_IDR3.BBML == 2: split without breaking
        bool reclaim_empty_tables = false;
        // The SMMU's walks snoop the CPU caches (IDR0.COHACC; Linux io_pgtable_cfg.coherent_walk).
        // Without: every new table is cleaned to the point of coherency when zeroed, and every
        // descriptor write is cleaned before anything else may make the SMMU look (see
        // "Non-coherent walks" above).
        bool coherent_walk = true;
        bool skip_cleans = false;  // fault injection: leave the cleans out
    };

    // Allocates and zeroes the root. Throws std::invalid_argument (format) or hal::OutOfMemory.
    // `bus`, `alloc` and `tlb` must outlive the table; `tlb` may be null (no TLB to maintain).
    IoPgtable(const Format& fmt, hal::Bus& bus, hal::PageAllocator& alloc, TlbOps* tlb = nullptr);
    IoPgtable(const Format& fmt, hal::Bus& bus, hal::PageAllocator& alloc, TlbOps* tlb, const Config& cfg);
    IoPgtable(const IoPgtable&) = delete;
    IoPgtable& operator=(const IoPgtable&) = delete;

    const Geometry& geometry() const { return geo_; }
    const Config& config() const { return cfg_; }
    // CD.TTB0 / STE.S2TTB (aligned to the root's total size).
    uint64_t root() const { return root_; }

    Result map(uint64_t iova, uint64_t pa, uint64_t size, const Prot& prot);
    Result unmap(uint64_t iova, uint64_t size, Gather& gather);

    // Software walks (from the mirror, charged like any descriptor read).
    std::optional<Leaf> lookup(uint64_t iova);
    std::optional<uint64_t> iova_to_phys(uint64_t iova);

    // flush_all, then every table back to the allocator; later calls fail with Destroyed.
    // Without it, the destructor frees the tables without any TLB maintenance.
    void destroy();
    bool destroyed() const { return destroyed_; }

    uint64_t tables_in_use() const { return store_.tables(); }
    uint64_t table_bytes() const { return store_.bytes(); }
    const OpStats& totals() const { return store_.stats(); }
    bool mirror_matches_memory() { return store_.mirror_matches_memory(); }

private:
    // The table the previous leaf of this map/unmap call went into: the next leaf of the same
    // size in the same table skips the walk from the root, as Linux's map_pages/unmap_pages
    // handle a run of leaves in one table after one walk.
    struct LeafCursor {
        uint64_t table = 0;
        int level = -1;
        uint64_t slot = 0;  // which table of that level: input address >> the parent's level shift
    };
    uint64_t slot_of(uint64_t iova, int level) const;
    uint64_t index(uint64_t iova, int level) const;
    int level_of(uint64_t leaf_size) const;
    bool is_table(int level, uint64_t desc) const;
    uint64_t next_table(uint64_t desc) const;
    bool has_leaves(uint64_t table) const;
    Error check_map(uint64_t iova, uint64_t pa, uint64_t size, unsigned& new_tables) const;
    void map_leaf(uint64_t iova, uint64_t pa, uint64_t size, uint64_t attrs, LeafCursor& cur, unsigned& taken);
    uint64_t unmap_leaf(uint64_t iova, uint64_t size, Gather& gather, Error& err, LeafCursor& cur);
    std::optional<uint64_t> split_block(uint64_t table, uint64_t idx, int level, uint64_t desc, uint64_t iova,
                                        Gather& gather);
    void remove_table(uint64_t table, uint64_t idx, uint64_t desc, uint64_t iova, int level);
    void free_tree(uint64_t table);
    void flush_walk(uint64_t iova, uint64_t size, uint64_t granule);
    void add_page(Gather& gather, uint64_t iova, uint64_t size);
    Result finish(Result r, const OpStats& before);
    // Descriptor writes with the non-coherent walk's cleans (see above): a leaf of a run
    // (`gather`: an unmap's, whose add_page follows the run's clean), an entry cleaned at once.
    void write_leaf(uint64_t table, uint64_t idx, uint64_t desc, uint64_t iova, uint64_t size, Gather* gather);
    void write_synced(uint64_t table, uint64_t idx, uint64_t desc);
    void flush_run();
    struct SyncRun {
        uint64_t table = 0, first = 0, count = 0;  // entries [first, first + count) of table
        uint64_t iova = 0, size = 0;               // the first leaf's input address, leaf size
        Gather* gather = nullptr;
    };
    // Per CPU: several CPUs map and unmap in one table at once, each call with its own run.
    std::vector<SyncRun> runs_;
    SyncRun& run();

    Geometry geo_;
    Config cfg_;
    TableStore store_;
    TlbOps* tlb_;
    uint64_t root_ = 0;
    bool destroyed_ = false;
};

}  // namespace smmusim::sw::pgtable
