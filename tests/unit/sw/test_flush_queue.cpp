// Lazy unmap's flush queues as Linux's dma-iommu: an IOVA is given back only after a flush
// that started after it was queued has completed; a full queue flushes; the timer flushes
// every queue; per-CPU queues fill independently; the single queue is shared.

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

#include "tests/unit/sw/cpu_select_bus.h"
#include "sw/driver/flush_queue.h"

using namespace smmusim;
using sw::driver::FlushQueue;
using sw::driver::FqQueues;

namespace {

// The domain behind the queue: a "device" that may still reach every IOVA queued before the
// last completed flush began. free_iova checks nothing is given back that it can reach.
struct Domain {
    explicit Domain(test::CpuSelectBus& bus) : bus(bus) {}
    test::CpuSelectBus& bus;
    std::set<uint64_t> reachable;        // unmapped, maybe still in the IOTLB
    std::vector<uint64_t> freed;
    unsigned flushes = 0, timeouts = 0;
    uint64_t last_flush_freed = 0;
    std::function<void()> during_flush;  // what another CPU does while the CMD_SYNC is waited for
    bool bad_free = false;

    FlushQueue::Client client() {
        FlushQueue::Client c;
        c.flush_iotlb_all = [this] {
            const std::set<uint64_t> covered = reachable;  // the TLBI is issued now
            bus.work(1000);                                // ... and waited for
            if (during_flush) {
                auto f = std::move(during_flush);
                f();
            }
            for (uint64_t x : covered) reachable.erase(x);
            ++flushes;
        };
        c.free_iova = [this](uint64_t iova, uint64_t) {
            if (reachable.count(iova)) bad_free = true;
            freed.push_back(iova);
        };
        c.flushed = [this](uint64_t n, bool timeout) {
            last_flush_freed = n;
            timeouts += timeout;
        };
        return c;
    }
    void unmap(FlushQueue& q, uint64_t iova) {
        reachable.insert(iova);
        q.queue(iova, 4096);
    }
};

const uint64_t kEntryCycles = 10, kLockCycles = 20;

FlushQueue::Config config(FqQueues q, unsigned entries, uint64_t timeout = 20000000) {
    FlushQueue::Config c;
    c.queues = q;
    c.entries = entries;
    c.timeout = timeout;
    c.entry_cycles = &kEntryCycles;
    c.lock_cycles = &kLockCycles;
    return c;
}

}  // namespace

TEST(FlushQueue, AFullQueueFlushesAndFreesWhatTheFlushCovered) {
    test::CpuSelectBus bus(1);
    Domain d(bus);
    FlushQueue q(bus, config(FqQueues::PerCpu, 8), d.client(), {});
    for (uint64_t i = 1; i <= 7; ++i) d.unmap(q, i << 12);  // a ring of 8 holds 7
    EXPECT_EQ(d.flushes, 0u);
    EXPECT_TRUE(d.freed.empty());
    d.unmap(q, 8 << 12);
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 7u);
    EXPECT_EQ(d.last_flush_freed, 7u);
    EXPECT_EQ(q.stats().full_flushes, 1u);
    EXPECT_FALSE(d.bad_free);
    EXPECT_EQ(d.freed.front(), 1u << 12);  // oldest first
}

// An entry queued on another CPU while a flush is in flight may have had its page-table
// update after that flush's TLBI: only a later flush may free it (fq_flush_start_cnt).
TEST(FlushQueue, AnEntryQueuedDuringAFlushWaitsForTheNextOne) {
    test::CpuSelectBus bus(2);
    Domain d(bus);
    FlushQueue q(bus, config(FqQueues::PerCpu, 4), d.client(), {});
    for (uint64_t i = 1; i <= 3; ++i) d.unmap(q, i << 12);
    d.during_flush = [&] {
        bus.run_on(1);
        d.unmap(q, 0x100000);
        bus.run_on(0);
    };
    d.unmap(q, 4 << 12);  // CPU 0's ring is full: flush; CPU 1 queues meanwhile
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 3u);
    // CPU 1 queues again: its first entry is not covered by the completed flush.
    bus.run_on(1);
    d.unmap(q, 0x200000);
    EXPECT_EQ(d.freed.size(), 3u);
    EXPECT_TRUE(d.reachable.count(0x100000));
    bus.work(30000000);
    EXPECT_TRUE(q.run_timer());
    EXPECT_FALSE(d.bad_free);
    EXPECT_EQ(d.freed.size(), 6u);  // the timer's flush covered everything queued before it
    EXPECT_TRUE(d.reachable.empty());
}

TEST(FlushQueue, TheTimerFlushesEveryQueueTenMsAfterItIsArmed) {
    test::CpuSelectBus bus(2);
    Domain d(bus);
    const uint64_t ten_ms = 20000000;  // at 2 GHz
    FlushQueue q(bus, config(FqQueues::PerCpu, 256, ten_ms), d.client(), {});
    EXPECT_EQ(q.deadline(), 0u);
    d.unmap(q, 0x1000);
    const uint64_t armed = q.deadline();
    EXPECT_GE(armed, ten_ms);
    EXPECT_LE(armed, bus.now() + ten_ms);
    bus.run_on(1);
    d.unmap(q, 0x2000);
    EXPECT_EQ(q.deadline(), armed);  // one timer per domain, armed once
    bus.work(armed - 1 - bus.now());
    EXPECT_FALSE(q.run_timer());
    bus.work(1);
    EXPECT_TRUE(q.run_timer());
    EXPECT_EQ(d.timeouts, 1u);
    EXPECT_EQ(d.freed.size(), 2u);  // both CPUs' queues
    EXPECT_EQ(q.deadline(), 0u);
    EXPECT_FALSE(q.run_timer());
    d.unmap(q, 0x3000);
    EXPECT_GT(q.deadline(), armed);  // re-armed by the next entry
    EXPECT_FALSE(d.bad_free);
}

TEST(FlushQueue, PerCpuQueuesFillIndependently) {
    test::CpuSelectBus bus(2);
    Domain d(bus);
    FlushQueue q(bus, config(FqQueues::PerCpu, 4), d.client(), {});
    for (unsigned cpu : {0u, 1u})
        for (uint64_t i = 1; i <= 3; ++i) {
            bus.run_on(cpu);
            d.unmap(q, (cpu + 1) * 0x100000 + (i << 12));
        }
    EXPECT_EQ(d.flushes, 0u);  // six entries, three per ring: neither is full
    bus.run_on(0);
    d.unmap(q, 0x1000);
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 3u);  // only CPU 0's ring is walked
    bus.run_on(1);
    d.unmap(q, 0x2000);  // CPU 1 frees what CPU 0's flush covered, without flushing
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 6u);
    EXPECT_FALSE(d.bad_free);
}

TEST(FlushQueue, TheSingleQueueIsSharedByEveryCpu) {
    test::CpuSelectBus bus(2);
    Domain d(bus);
    FlushQueue q(bus, config(FqQueues::Single, 4), d.client(), {});
    d.unmap(q, 0x1000);
    bus.run_on(1);
    d.unmap(q, 0x2000);
    d.unmap(q, 0x3000);
    EXPECT_EQ(d.flushes, 0u);
    bus.run_on(0);
    d.unmap(q, 0x4000);
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 3u);
}

TEST(FlushQueue, DrainFlushesOnlyWhenSomethingIsQueued) {
    test::CpuSelectBus bus(1);
    Domain d(bus);
    FlushQueue q(bus, config(FqQueues::PerCpu, 256), d.client(), {});
    q.drain();
    EXPECT_EQ(d.flushes, 0u);
    d.unmap(q, 0x1000);
    q.drain();
    EXPECT_EQ(d.flushes, 1u);
    EXPECT_EQ(d.freed.size(), 1u);
    EXPECT_EQ(q.deadline(), 0u);
    EXPECT_FALSE(d.bad_free);
}

// With lock words (several CPUs) the ring's lock is held in memory across the flush.
TEST(FlushQueue, TheRingLockIsHeldInMemoryAcrossAFullQueuesFlush) {
    test::CpuSelectBus bus(2);
    Domain d(bus);
    const sw::hal::LockWords words(0x100000);
    FlushQueue q(bus, config(FqQueues::PerCpu, 2), d.client(), words);
    d.unmap(q, 0x1000);
    uint32_t held = 0;
    d.during_flush = [&] { held = bus.load32(words.at(0)); };
    d.unmap(q, 0x2000);
    EXPECT_TRUE(sw::hal::SpinLock::held_word(held)) << held;
    EXPECT_TRUE(sw::hal::SpinLock::free_word(bus.load32(words.at(0))));
    EXPECT_TRUE(sw::hal::SpinLock::free_word(bus.load32(words.at(1))));
}

TEST(FlushQueue, RejectsASizeThatIsNotAPowerOfTwo) {
    test::CpuSelectBus bus(1);
    Domain d(bus);
    EXPECT_THROW(FlushQueue(bus, config(FqQueues::PerCpu, 6), d.client(), {}), std::invalid_argument);
}
