#include "sw/workloads/iova_allocator.h"

#include <iterator>
#include <stdexcept>
#include <utility>

namespace smmusim::sw::workloads {

namespace {
uint64_t pow2_at_least(uint64_t n) {
    uint64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}
}  // namespace

// Lock words: per order, one per CPU (the cpu_rcache locks) then the depot's; last iova_lock.
IovaAllocator::IovaAllocator(hal::Bus& bus, uint64_t base, uint64_t limit, unsigned gshift, const IovaCosts& costs,
                             IovaStats* stats, hal::LockWords locks)
    : bus_(bus),
      gshift_(gshift),
      base_(base),
      limit_(limit),
      costs_(costs),
      stats_(stats ? stats : &own_stats_),
      iova_lock_(bus, costs.lock_cycles, locks.at(lock_words(bus.cpus()) - 1), &stats_->locks) {
    if (limit > base) free_[base] = limit - base;
    const unsigned cpus = bus.cpus();
    for (unsigned o = 0; o < kCacheOrders; ++o) {
        const unsigned w = o * (cpus + 1);
        auto rc = std::make_unique<Rcache>(bus, costs.lock_cycles, locks.at(w + cpus), &stats_->locks);
        for (unsigned c = 0; c < cpus; ++c) {
            auto cc = std::make_unique<CpuCache>(bus, costs.lock_cycles, locks.at(w + c), &stats_->locks);
            cc->loaded = new_magazine();
            cc->prev = new_magazine();
            rc->cpus.push_back(std::move(cc));
        }
        rcaches_.push_back(std::move(rc));
    }
}

IovaAllocator::~IovaAllocator() = default;

// dma-iommu rounds the mapping to granules; iova.c rounds small sizes to a power of two.
uint64_t IovaAllocator::granules(uint64_t bytes) const {
    uint64_t n = (bytes + (uint64_t(1) << gshift_) - 1) >> gshift_;
    if (n == 0) n = 1;
    if (n < (uint64_t(1) << (kCacheOrders - 1))) n = pow2_at_least(n);
    return n;
}

unsigned IovaAllocator::order_of(uint64_t granules) {  // order_base_2
    unsigned o = 0;
    while ((uint64_t(1) << o) < granules) ++o;
    return o;
}

IovaAllocator::Magazine* IovaAllocator::new_magazine() {
    if (spare_.empty()) {
        magazines_.push_back(std::make_unique<Magazine>());
        return magazines_.back().get();
    }
    Magazine* m = spare_.back();
    spare_.pop_back();
    m->size = 0;
    return m;
}

void IovaAllocator::drop_magazine(Magazine* m) { spare_.push_back(m); }

void IovaAllocator::charge_tree(uint64_t visited) {
    // An rbtree of n nodes is at most 2*log2(n+1) deep; a lookup visits about log2(n) of them.
    uint64_t depth = 0;
    for (uint64_t n = allocated_.size() + 1; n > 1; n >>= 1) ++depth;
    bus_.work(costs_.tree_cycles + costs_.tree_node_cycles * (depth + visited));
}

uint64_t IovaAllocator::alloc(uint64_t bytes) {
    run_depot_work();
    const uint64_t n = granules(bytes);
    const uint64_t len = n << gshift_;
    const unsigned order = order_of(n);
    if (order < kCacheOrders && limit_ >= len) {
        if (const uint64_t iova = rcache_get(order, limit_ - len)) {
            ++stats_->rcache_hits;
            in_use_ += len;
            return iova;
        }
    }
    uint64_t iova = tree_alloc(n);
    if (!iova) {
        // alloc_iova_fast with flush_rcache: every cached range back to the tree, once.
        ++stats_->cache_flushes;
        flush_caches();
        iova = tree_alloc(n);
    }
    if (iova) {
        ++stats_->tree_allocs;
        in_use_ += len;
    }
    return iova;
}

void IovaAllocator::free(uint64_t iova, uint64_t bytes) {
    run_depot_work();
    const uint64_t n = granules(bytes);
    in_use_ -= n << gshift_;
    const unsigned order = order_of(n);
    if (order < kCacheOrders && rcache_insert(order, iova)) return;
    hal::LockGuard g(iova_lock_);
    tree_free_locked(iova);
}

// __iova_rcache_get: `last_start` is the highest start that fits below the limit.
uint64_t IovaAllocator::rcache_get(unsigned order, uint64_t last_start) {
    Rcache& rc = *rcaches_[order];
    CpuCache& c = this_cpu(rc);
    hal::LockGuard g(c.lock);
    bus_.work(costs_.rcache_cycles);
    bool has = false;
    if (c.loaded->size) {
        has = true;
    } else if (c.prev->size) {
        std::swap(c.loaded, c.prev);
        has = true;
    } else {
        hal::LockGuard d(rc.lock);
        if (!rc.depot.empty()) {
            bus_.work(costs_.depot_cycles);
            ++stats_->depot_exchanges;
            drop_magazine(c.loaded);
            c.loaded = rc.depot.back();
            rc.depot.pop_back();
            has = true;
        }
    }
    if (!has) return 0;
    // iova_magazine_pop: the newest range that fits; none: the tree.
    Magazine& m = *c.loaded;
    unsigned i = m.size - 1;
    while (m.iovas[i] > last_start) {
        if (i == 0) return 0;
        --i;
    }
    const uint64_t iova = m.iovas[i];
    m.iovas[i] = m.iovas[--m.size];
    return iova;
}

// __iova_rcache_insert.
bool IovaAllocator::rcache_insert(unsigned order, uint64_t iova) {
    Rcache& rc = *rcaches_[order];
    CpuCache& c = this_cpu(rc);
    hal::LockGuard g(c.lock);
    bus_.work(costs_.rcache_cycles);
    if (c.loaded->size == kMagSize) {
        if (c.prev->size < kMagSize) {
            std::swap(c.loaded, c.prev);
        } else {
            bus_.work(costs_.depot_cycles);
            ++stats_->depot_exchanges;
            Magazine* fresh = new_magazine();
            {
                hal::LockGuard d(rc.lock);
                rc.depot.push_back(c.loaded);
            }
            // schedule_delayed_work: a no-op while the work is pending.
            if (!rc.work_due) rc.work_due = bus_.now() + costs_.depot_delay;
            c.loaded = fresh;
        }
    }
    Magazine& m = *c.loaded;
    m.iovas[m.size++] = iova;
    return true;
}

// iova_depot_work_func, run by the first allocator call after it is due (Linux: a kworker).
void IovaAllocator::run_depot_work() {
    const unsigned cpus = bus_.cpus();
    for (auto& rcp : rcaches_) {
        Rcache& rc = *rcp;
        if (!rc.work_due || bus_.now() < rc.work_due) continue;
        rc.work_due = 0;
        Magazine* m = nullptr;
        {
            hal::LockGuard d(rc.lock);
            if (rc.depot.size() > cpus) {
                m = rc.depot.back();
                rc.depot.pop_back();
            }
        }
        if (!m) continue;
        ++stats_->depot_trims;
        mag_free_iovas(*m);
        drop_magazine(m);
        rc.work_due = bus_.now() + costs_.depot_delay;
    }
}

// iova_magazine_free_pfns: every range in `m` back to the tree.
void IovaAllocator::mag_free_iovas(Magazine& m) {
    hal::LockGuard g(iova_lock_);
    for (unsigned i = 0; i < m.size; ++i) tree_free_locked(m.iovas[i]);
    m.size = 0;
}

// free_cpu_cached_iovas for every CPU, then free_global_cached_iovas.
void IovaAllocator::flush_caches() {
    for (auto& rc : rcaches_) {
        for (auto& c : rc->cpus) {
            hal::LockGuard g(c->lock);
            mag_free_iovas(*c->loaded);
            mag_free_iovas(*c->prev);
        }
        hal::LockGuard d(rc->lock);
        while (!rc->depot.empty()) {
            mag_free_iovas(*rc->depot.back());
            drop_magazine(rc->depot.back());
            rc->depot.pop_back();
        }
    }
}

// __alloc_and_insert_iova_range, size-aligned: the highest aligned slot that fits.
uint64_t IovaAllocator::tree_alloc(uint64_t granules) {
    const uint64_t len = granules << gshift_, align = pow2_at_least(granules) << gshift_;
    hal::LockGuard g(iova_lock_);
    uint64_t visited = 0;
    for (auto it = free_.rbegin(); it != free_.rend(); ++it, ++visited) {
        const uint64_t start = it->first, end = it->first + it->second;
        if (end < len || end > limit_) continue;
        const uint64_t slot = (end - len) & ~(align - 1);
        if (slot < start) continue;
        charge_tree(visited);
        free_.erase(start);
        if (slot > start) free_[start] = slot - start;
        if (slot + len < end) free_[slot + len] = end - (slot + len);
        allocated_[slot] = len;
        return slot;
    }
    charge_tree(visited);
    return 0;
}

// private_find_iova + remove_iova: the range merges with its free neighbours.
void IovaAllocator::tree_free_locked(uint64_t iova) {
    charge_tree(0);
    auto a = allocated_.find(iova);
    if (a == allocated_.end()) throw std::logic_error("IOVA allocator: freeing a range it did not allocate");
    uint64_t start = iova, len = a->second;
    allocated_.erase(a);
    ++stats_->tree_frees;
    auto next = free_.lower_bound(iova);
    if (next != free_.end() && next->first == start + len) {
        len += next->second;
        next = free_.erase(next);
    }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) {
            start = prev->first;
            len += prev->second;
            free_.erase(prev);
        }
    }
    free_[start] = len;
}

}  // namespace smmusim::sw::workloads
