// The IOVA allocator as Linux's iova.c: per-CPU magazines, the depot, the tree behind them,
// Linux's rounding and alignment, and the costs it charges.

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/sw/cpu_select_bus.h"
#include "sw/workloads/iova_allocator.h"

using namespace smmusim;
using sw::workloads::IovaAllocator;
using sw::workloads::IovaCosts;

namespace {
constexpr uint64_t kBase = 1ull << 32, kLimit = 1ull << 40, kPage = 4096;
constexpr unsigned kMag = IovaAllocator::kMagSize;
}  // namespace

TEST(IovaRcache, SmallSizesComeBackFromThisCpusMagazineNewestFirst) {
    test::CpuSelectBus bus(1);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    const uint64_t p = a.alloc(kPage), q = a.alloc(kPage);
    EXPECT_EQ(p, kLimit - kPage);  // top down
    EXPECT_EQ(q, kLimit - 2 * kPage);
    a.free(p, kPage);
    a.free(q, kPage);
    EXPECT_EQ(a.alloc(kPage), q);
    EXPECT_EQ(a.alloc(kPage), p);
    EXPECT_EQ(a.stats().rcache_hits, 2u);
    EXPECT_EQ(a.stats().tree_allocs, 2u);
    EXPECT_EQ(a.stats().tree_frees, 0u);
    EXPECT_EQ(a.tree_ranges(), 2u);  // cached ranges stay allocated in the tree
}

// alloc_iova_fast rounds below 32 granules to a power of two; every range is size-aligned.
TEST(IovaRcache, SizesRoundAndAlignAsLinux) {
    test::CpuSelectBus bus(1);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    const uint64_t three = a.alloc(3 * kPage);
    EXPECT_EQ(three % (4 * kPage), 0u);
    EXPECT_EQ(a.in_use(), 4 * kPage);
    const uint64_t big = a.alloc(3u << 20);  // 768 granules: not rounded, aligned to 1024
    EXPECT_EQ(big % (4u << 20), 0u);
    EXPECT_EQ(a.in_use(), 4 * kPage + (3u << 20));
    a.free(big, 3u << 20);
    a.free(three, 3 * kPage);
    EXPECT_EQ(a.in_use(), 0u);
}

// __iova_rcache_insert: loaded fills, then prev, then loaded goes to the depot; another CPU
// whose magazines are empty takes the full one from the depot.
TEST(IovaRcache, FullMagazinesGoToTheDepotAndAnotherCpuTakesThem) {
    test::CpuSelectBus bus(2);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < 2 * kMag + 1; ++i) v.push_back(a.alloc(kPage));
    for (uint64_t x : v) a.free(x, kPage);
    EXPECT_EQ(a.stats().depot_exchanges, 1u);
    bus.run_on(1);
    const uint64_t got = a.alloc(kPage);
    EXPECT_EQ(a.stats().depot_exchanges, 2u);
    EXPECT_EQ(a.stats().rcache_hits, 1u);
    EXPECT_EQ(a.stats().tree_allocs, 2 * kMag + 1);
    // The depot's magazine was the second CPU 0 filled (the first became prev on the swap).
    bool first = false;
    for (unsigned i = kMag; i < 2 * kMag; ++i) first |= v[i] == got;
    EXPECT_TRUE(first);
}

TEST(IovaRcache, EachCpuHasItsOwnCache) {
    test::CpuSelectBus bus(2);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    const uint64_t p = a.alloc(kPage);
    a.free(p, kPage);
    bus.run_on(1);
    const uint64_t q = a.alloc(kPage);
    EXPECT_NE(q, p);  // CPU 1's cache is empty and the depot too: the tree
    EXPECT_EQ(a.stats().tree_allocs, 2u);
    bus.run_on(0);
    EXPECT_EQ(a.alloc(kPage), p);
    EXPECT_EQ(a.stats().rcache_hits, 1u);
}

// Order 6 (64 granules) and up are not cached (IOVA_RANGE_CACHE_MAX_SIZE 6); 32 still is.
TEST(IovaRcache, SizesBeyondTheCacheGoToTheTree) {
    test::CpuSelectBus bus(1);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    const uint64_t big = a.alloc(64 * kPage);
    a.free(big, 64 * kPage);
    EXPECT_EQ(a.stats().tree_frees, 1u);
    EXPECT_EQ(a.tree_ranges(), 0u);
    EXPECT_EQ(a.alloc(64 * kPage), big);
    EXPECT_EQ(a.stats().rcache_hits, 0u);
    const uint64_t cached = a.alloc(32 * kPage);
    a.free(cached, 32 * kPage);
    EXPECT_EQ(a.alloc(32 * kPage), cached);
    EXPECT_EQ(a.stats().rcache_hits, 1u);
}

// alloc_iova_fast: a tree failure gives every cached range back to the tree and retries.
TEST(IovaRcache, AFullTreeEmptiesTheCachesAndRetries) {
    test::CpuSelectBus bus(2);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kBase + 4 * kPage, 12, costs);
    std::vector<uint64_t> v;
    for (int i = 0; i < 4; ++i) v.push_back(a.alloc(kPage));
    EXPECT_EQ(a.alloc(kPage), 0u);  // exhausted, and nothing cached to give back
    for (int i = 0; i < 4; ++i) {
        bus.run_on(unsigned(i % 2));
        a.free(v[size_t(i)], kPage);
    }
    EXPECT_EQ(a.alloc(4 * kPage), kBase);
    EXPECT_EQ(a.stats().cache_flushes, 2u);
    EXPECT_EQ(a.stats().tree_frees, 4u);
}

// iova_depot_work_func: every IOVA_DEPOT_DELAY a depot with more magazines than CPUs gives
// one back to the tree.
TEST(IovaRcache, TheDepotWorkTrimsADepotLargerThanTheCpus) {
    test::CpuSelectBus bus(1);
    IovaCosts costs;
    costs.depot_delay = 1000000;  // longer than the frees below take
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < 4 * kMag; ++i) v.push_back(a.alloc(kPage));
    for (uint64_t x : v) a.free(x, kPage);  // loaded, prev, two to the depot
    EXPECT_EQ(a.stats().depot_exchanges, 2u);
    EXPECT_EQ(a.stats().depot_trims, 0u);
    bus.work(costs.depot_delay);
    a.free(a.alloc(kPage), kPage);
    EXPECT_EQ(a.stats().depot_trims, 1u);
    EXPECT_EQ(a.stats().tree_frees, kMag);
    bus.work(costs.depot_delay);
    a.free(a.alloc(kPage), kPage);
    EXPECT_EQ(a.stats().depot_trims, 1u);  // one magazine left for one CPU: kept
}

TEST(IovaRcache, ChargesItsCosts) {
    test::CpuSelectBus bus(1);
    IovaCosts costs;
    IovaAllocator a(bus, kBase, kLimit, 12, costs);
    uint64_t t = bus.now();
    const uint64_t p = a.alloc(kPage);
    const uint64_t tree = bus.now() - t;
    EXPECT_GE(tree, costs.tree_cycles + costs.lock_cycles + costs.rcache_cycles);  // the cache missed first
    a.free(p, kPage);
    t = bus.now();
    a.alloc(kPage);
    EXPECT_EQ(bus.now() - t, costs.lock_cycles + costs.rcache_cycles);
}

// With lock words (more than one CPU) each lock is taken in memory and released.
TEST(IovaRcache, LocksLiveInMemoryOnSeveralCpus) {
    test::CpuSelectBus bus(2);
    IovaCosts costs;
    const uint64_t words = 0x100000;
    IovaAllocator a(bus, kBase, kLimit, 12, costs, nullptr, sw::hal::LockWords(words));
    const uint64_t writes = bus.writes();
    a.free(a.alloc(kPage), kPage);
    EXPECT_GT(bus.writes(), writes);
    for (unsigned i = 0; i < IovaAllocator::lock_words(2); ++i)
        EXPECT_TRUE(sw::hal::SpinLock::free_word(bus.load32(sw::hal::LockWords(words).at(i)))) << i;
    EXPECT_EQ(a.stats().locks.contended, 0u);
    EXPECT_EQ(a.stats().locks.acquires, 4u);  // alloc: CPU cache, depot, iova_lock; free: CPU cache
}
