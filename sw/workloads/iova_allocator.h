#pragma once
// An IOVA allocator as Linux's (drivers/iommu/iova.c, 6.x, as dma-iommu's alloc_iova_fast /
// free_iova_fast use it):
//   - Sizes are in granules; below 2^(IOVA_RANGE_CACHE_MAX_SIZE-1) = 32 they are rounded up
//     to a power of two, and every range is aligned to its size's next power of two.
//   - Ranges of order below IOVA_RANGE_CACHE_MAX_SIZE (6: up to 32 granules) are freed into
//     and allocated from per-CPU range caches: per order and CPU a `loaded` and a `prev`
//     magazine of IOVA_MAG_SIZE (127) ranges under a per-CPU lock; a full magazine goes to
//     the order's depot (a LIFO list under the order's lock) and an empty one is exchanged
//     for a full one from it. A depot holding more magazines than there are CPUs gives one
//     back to the tree every IOVA_DEPOT_DELAY (100 ms; iova_depot_work_func).
//   - Otherwise, and when the caches have nothing, the tree: the highest free range below
//     the limit that fits, under the domain's iova_lock, first-fit walking down from the top
//     (Linux walks its rbtree of allocated ranges from the cached node down with rb_prev).
//     A failed tree allocation empties every cache back into the tree and retries once.
// A range in a cache stays allocated in the tree (as in Linux): the tree holds every range
// handed out and not yet given back to it.
// CPU costs (IovaCosts) are charged on the Bus of the calling CPU; the cache the CPU uses is
// Bus::cpu()'s.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sw/hal/bus.h"
#include "sw/hal/spinlock.h"

namespace smmusim::sw::workloads {

struct IovaCosts {
    uint64_t rcache_cycles = 15;     // a magazine push or pop (sw.iova.rcache_cycles)
    uint64_t depot_cycles = 100;     // a magazine exchanged with the depot, its allocation included
    uint64_t tree_cycles = 400;      // a tree allocation or free, struct iova alloc/free included
    uint64_t tree_node_cycles = 10;  // each tree node or free range visited
    uint64_t lock_cycles = 20;       // an uncontended spin_lock_irqsave + unlock (sw.lock_cycles)
    uint64_t depot_delay = 200000000;  // IOVA_DEPOT_DELAY, cycles (100 ms at 2 GHz)
};

struct IovaStats {
    uint64_t rcache_hits = 0;      // allocations a per-CPU cache answered
    uint64_t tree_allocs = 0;      // allocations the tree answered
    uint64_t tree_frees = 0;       // ranges given back to the tree
    uint64_t depot_exchanges = 0;  // magazines moved to or from a depot
    uint64_t depot_trims = 0;      // magazines the depot work gave back to the tree
    uint64_t cache_flushes = 0;    // tree failures that emptied every cache
    hal::LockStats locks;
};

class IovaAllocator {
public:
    static constexpr unsigned kMagSize = 127;    // IOVA_MAG_SIZE
    static constexpr unsigned kCacheOrders = 6;  // IOVA_RANGE_CACHE_MAX_SIZE

    // [base, limit), granule 2^gshift. `locks`: lock_words(bus.cpus()) words, or none.
    IovaAllocator(hal::Bus& bus, uint64_t base, uint64_t limit, unsigned gshift, const IovaCosts& costs,
                  IovaStats* stats = nullptr, hal::LockWords locks = {});
    ~IovaAllocator();
    static unsigned lock_words(unsigned cpus) { return kCacheOrders * (cpus + 1) + 1; }

    // alloc_iova_fast: an IOVA for `bytes`; 0 when the space is exhausted.
    uint64_t alloc(uint64_t bytes);
    // free_iova_fast: `bytes` as given to alloc (its rounding is redone).
    void free(uint64_t iova, uint64_t bytes);
    uint64_t in_use() const { return in_use_; }
    // Ranges allocated in the tree (cached ones included).
    uint64_t tree_ranges() const { return allocated_.size(); }
    const IovaStats& stats() const { return *stats_; }

private:
    struct Magazine {
        unsigned size = 0;
        std::array<uint64_t, kMagSize> iovas{};
    };
    struct CpuCache {
        CpuCache(hal::Bus& bus, const uint64_t& cycles, uint64_t pa, hal::LockStats* s) : lock(bus, cycles, pa, s) {}
        hal::SpinLock lock;
        Magazine* loaded = nullptr;
        Magazine* prev = nullptr;
    };
    struct Rcache {
        Rcache(hal::Bus& bus, const uint64_t& cycles, uint64_t pa, hal::LockStats* s) : lock(bus, cycles, pa, s) {}
        hal::SpinLock lock;
        std::vector<Magazine*> depot;
        std::vector<std::unique_ptr<CpuCache>> cpus;
        uint64_t work_due = 0;  // the depot work, scheduled (0: not)
    };

    uint64_t granules(uint64_t bytes) const;
    static unsigned order_of(uint64_t granules);
    CpuCache& this_cpu(Rcache& rc) { return *rc.cpus[bus_.cpu() % rc.cpus.size()]; }
    uint64_t rcache_get(unsigned order, uint64_t last_start);
    bool rcache_insert(unsigned order, uint64_t iova);
    uint64_t tree_alloc(uint64_t granules);
    void tree_free_locked(uint64_t iova);
    void charge_tree(uint64_t visited);
    void mag_free_iovas(Magazine& m);
    void flush_caches();
    void run_depot_work();
    Magazine* new_magazine();
    void drop_magazine(Magazine* m);

    hal::Bus& bus_;
    unsigned gshift_;
    uint64_t base_, limit_;
    const IovaCosts& costs_;
    IovaStats own_stats_;
    IovaStats* stats_;
    hal::SpinLock iova_lock_;
    std::map<uint64_t, uint64_t> free_;       // start -> bytes
    std::map<uint64_t, uint64_t> allocated_;  // start -> bytes (the tree's struct iovas)
    std::vector<std::unique_ptr<Rcache>> rcaches_;
    std::vector<std::unique_ptr<Magazine>> magazines_;  // every magazine ever made
    std::vector<Magazine*> spare_;                      // made and not in use (kmem_cache)
    uint64_t in_use_ = 0;
};

}  // namespace smmusim::sw::workloads
