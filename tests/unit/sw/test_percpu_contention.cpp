// Per-CPU software under real interleaving: several SystemC threads, one per CPU, share the
// spinlock, the flush queues and the IOVA allocator, with lock words in memory (the
// command-queue tests' machine, multi_cpu_bus.h; its cpus() counts the CPUs started, so the
// software is made after them).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "sw/driver/flush_queue.h"
#include "sw/hal/page_alloc.h"
#include "sw/hal/spinlock.h"
#include "sw/pgtable/io_pgtable.h"
#include "sw/workloads/iova_allocator.h"
#include "multi_cpu_bus.h"

using namespace smmusim;

namespace {
constexpr unsigned kCpus = 4;
constexpr uint64_t kWords = 0x100000;  // the test machine's memory: 1 MiB from here

const uint64_t kLockCycles = 20, kEntryCycles = 10;
}  // namespace

TEST(PerCpuContention, TheSpinlockExcludesAndWaitsWithWfe) {
    test::MultiCpuBus bus(kWords, 1u << 20, 0x40000000);
    sw::hal::LockStats stats;
    sw::hal::SpinLock lock(bus, kLockCycles, kWords, &stats);
    unsigned inside = 0, most = 0, count = 0;
    for (unsigned c = 0; c < kCpus; ++c)
        bus.start(c, [&] {
            for (int i = 0; i < 50; ++i) {
                sw::hal::LockGuard g(lock);
                most = std::max(most, ++inside);
                bus.work(40);  // the critical section
                --inside;
                ++count;
            }
        });
    sc_core::sc_start();
    EXPECT_EQ(count, kCpus * 50);
    EXPECT_EQ(most, 1u);
    EXPECT_GT(stats.contended, 0u);
    EXPECT_GT(bus.waits, 0u);  // waiters slept (WFE), they did not only spin
    EXPECT_TRUE(sw::hal::SpinLock::free_word(bus.load32(kWords)));
}

// Linux's spinlock is FIFO (qspinlock): a CPU that releases and asks again at once queues
// behind the CPUs already waiting, so under steady contention the CPUs take turns. (A
// test-and-set lock lets the releasing CPU win again: this test fails with one.)
TEST(PerCpuContention, TheSpinlockServesWaitersInTheOrderTheyAsked) {
    test::MultiCpuBus bus(kWords, 1u << 20, 0x40000000);
    const uint64_t no_cost = 0;  // the releasing CPU asks again at the very instant it releases
    sw::hal::SpinLock lock(bus, no_cost, kWords);
    std::vector<unsigned> order;
    for (unsigned c = 0; c < kCpus; ++c)
        bus.start(c, [&, c] {
            for (int i = 0; i < 50; ++i) {
                sw::hal::LockGuard g(lock);
                order.push_back(c);
                bus.work(200);  // a long critical section: every other CPU is waiting at its end
            }
        });
    sc_core::sc_start();
    ASSERT_EQ(order.size(), kCpus * 50u);
    // Once all have queued, every window of kCpus acquisitions has each CPU once, until the
    // first CPU is done.
    for (size_t i = kCpus; i + kCpus <= order.size() - kCpus; ++i) {
        std::set<unsigned> w(order.begin() + long(i), order.begin() + long(i + kCpus));
        ASSERT_EQ(w.size(), size_t(kCpus)) << "at acquisition " << i;
    }
}

// Four CPUs unmapping at once into small per-CPU queues, flushes taking time: no IOVA is given
// back while the "device" may still reach it, and every one is given back in the end.
TEST(PerCpuContention, FlushQueuesNeverFreeWhatADeviceMayStillReach) {
    test::MultiCpuBus bus(kWords, 1u << 20, 0x40000000);
    std::set<uint64_t> reachable;
    uint64_t freed = 0, bad = 0;
    sw::driver::FlushQueue::Client cl;
    cl.flush_iotlb_all = [&] {
        const std::set<uint64_t> covered = reachable;
        bus.work(2000);  // TLBI + CMD_SYNC
        for (uint64_t x : covered) reachable.erase(x);
    };
    cl.free_iova = [&](uint64_t iova, uint64_t) {
        bad += reachable.count(iova);
        ++freed;
    };
    sw::driver::FlushQueue::Config cfg;
    cfg.entries = 8;
    cfg.timeout = 50000;
    cfg.entry_cycles = &kEntryCycles;
    cfg.lock_cycles = &kLockCycles;
    std::unique_ptr<sw::driver::FlushQueue> fq;
    unsigned done = 0;
    for (unsigned c = 0; c < kCpus; ++c)
        bus.start(c, [&, c] {
            sw::driver::FlushQueue& q = *fq;
            for (uint64_t i = 0; i < 100; ++i) {
                const uint64_t iova = (uint64_t(c) << 32) | (i << 12);
                reachable.insert(iova);  // the page-table update, before queue_iova
                q.queue(iova, 4096);
                q.run_timer();
                bus.work(100 + 37 * c);
            }
            if (++done == kCpus) q.drain();
        });
    fq = std::make_unique<sw::driver::FlushQueue>(bus, cfg, cl, sw::hal::LockWords(kWords));
    const sw::driver::FlushQueue& q = *fq;
    sc_core::sc_start();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(freed, kCpus * 100);
    EXPECT_GT(q.stats().full_flushes, 0u);
    EXPECT_GT(q.stats().locks.acquires, kCpus * 100);
    for (unsigned i = 0; i < kCpus; ++i) EXPECT_TRUE(sw::hal::SpinLock::free_word(bus.load32(sw::hal::LockWords(kWords).at(i))));
}

// Four CPUs allocating and freeing at once: no two live ranges overlap, the depot moves
// magazines between CPUs, and everything comes back.
TEST(PerCpuContention, IovaRangesNeverOverlapAcrossCpus) {
    test::MultiCpuBus bus(kWords, 1u << 20, 0x40000000);
    sw::workloads::IovaCosts costs;
    std::unique_ptr<sw::workloads::IovaAllocator> alloc;
    std::map<uint64_t, uint64_t> live;  // start -> end
    uint64_t overlaps = 0;
    for (unsigned c = 0; c < kCpus; ++c)
        bus.start(c, [&, c] {
            sw::workloads::IovaAllocator& a = *alloc;
            std::vector<std::pair<uint64_t, uint64_t>> mine;
            for (unsigned i = 0; i < 600; ++i) {
                const uint64_t bytes = uint64_t(1 + (i * 7 + c) % 40) << 12;
                const uint64_t iova = a.alloc(bytes);
                auto next = live.lower_bound(iova);
                if (next != live.end() && next->first < iova + bytes) ++overlaps;
                if (next != live.begin() && std::prev(next)->second > iova) ++overlaps;
                live[iova] = iova + bytes;
                mine.emplace_back(iova, bytes);
                // Each CPU frees what it allocated, oldest first, 20 behind.
                if (mine.size() > 20) {
                    live.erase(mine.front().first);
                    a.free(mine.front().first, mine.front().second);
                    mine.erase(mine.begin());
                }
            }
            for (auto [iova, bytes] : mine) {
                live.erase(iova);
                a.free(iova, bytes);
            }
        });
    alloc = std::make_unique<sw::workloads::IovaAllocator>(bus, 1ull << 32, 1ull << 40, 12, costs, nullptr,
                                                           sw::hal::LockWords(kWords));
    const sw::workloads::IovaAllocator& a = *alloc;
    sc_core::sc_start();
    EXPECT_EQ(overlaps, 0u);
    EXPECT_EQ(a.in_use(), 0u);
    EXPECT_GT(a.stats().rcache_hits, 0u);
    EXPECT_GT(a.stats().locks.contended, 0u);  // the tree's iova_lock, at least
}

// Four CPUs map interleaved pages under the same missing tables at once (each CPU its own
// pages, as Linux callers never overlap): every table is created by whichever CPU gets there
// first, the others' install loses the compare-and-swap and they walk into the winner's table
// (Linux arm_lpae_install_table). Without the CAS a loser's plain store replaces the winner's
// table and the pages mapped into it are lost.
TEST(PerCpuContention, ConcurrentMapsIntoTheSameMissingTablesLoseNoMapping) {
    test::MultiCpuBus bus(kWords, 1u << 20, 0x40000000);
    sw::hal::PageAllocator alloc(kWords, 1u << 20);
    std::unique_ptr<sw::pgtable::IoPgtable> table;
    // The root is zeroed through the bus: from a CPU thread, before the others start.
    bus.start(0, [&] { table = std::make_unique<sw::pgtable::IoPgtable>(sw::pgtable::Format{}, bus, alloc); });
    sc_core::sc_start();
    sw::pgtable::IoPgtable& pt = *table;  // 4 KiB granule, 48-bit VA: root at level 0
    constexpr unsigned kPages = 64, kRegions = 3;  // each region: fresh L1, L2 and L3 tables
    const uint64_t page = 4096, region = uint64_t(1) << 39;  // one level-0 entry apart
    const uint64_t out = uint64_t(1) << 32;
    unsigned failed = 0;
    for (unsigned c = 0; c < kCpus; ++c)
        bus.start(c, [&, c] {
            for (unsigned r = 0; r < kRegions; ++r)
                for (unsigned i = c; i < kPages; i += kCpus) {
                    const uint64_t iova = r * region + i * page;
                    if (!pt.map(iova, out + iova, page, sw::pgtable::Prot::rw()).ok()) ++failed;
                }
        });
    const uint64_t atomics_before = bus.atomics;
    sc_core::sc_start();
    EXPECT_EQ(failed, 0u);
    EXPECT_GT(bus.atomics, atomics_before);  // tables went in by CAS
    unsigned lost = 0;
    bool mirror_ok = false;
    bus.start(0, [&] {  // software walks take time: on a CPU thread
        for (unsigned r = 0; r < kRegions; ++r)
            for (unsigned i = 0; i < kPages; ++i) {
                const uint64_t iova = r * region + i * page;
                if (pt.iova_to_phys(iova) != std::optional<uint64_t>(out + iova)) ++lost;
            }
        mirror_ok = pt.mirror_matches_memory();
    });
    sc_core::sc_start();
    EXPECT_EQ(lost, 0u);
    EXPECT_TRUE(mirror_ok);
    // The root and one table per level per region: the losers' tables went back.
    EXPECT_EQ(pt.tables_in_use(), 1u + 3 * kRegions);
    EXPECT_EQ(alloc.blocks_in_use(), pt.tables_in_use());
    EXPECT_GT(pt.totals().tables_freed, 0u);  // some CPU lost a race
}
