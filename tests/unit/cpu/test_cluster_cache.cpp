// The cores' write-back data caches (cluster.cache.*, issue 18) and what DRAM holds under them
// (mem::DirtyLines): a store stays in the cache until it is cleaned or evicted, so a
// non-coherent reader (an SMMU with IDR0.COHACC = 0) sees the old data until then while a
// coherent one sees the new; hits, fills, transfers between cores and DC ZVA are timed;
// coherent writes snoop lines out of the caches; non-cacheable memory bypasses them.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/unit/cpu/cluster_bench.h"

namespace {

constexpr uint64_t kZ = kBase + 0x3000;

// A 4 KiB, 4-way cache: 16 sets, so lines 1 KiB apart share a set.
std::vector<std::string> cached(std::vector<std::string> more = {}) {
    more.insert(more.begin(), "cluster.cache.size=4096");
    return more;
}

// What the device reads at `pa`, coherently (snooping the caches) or not.
uint64_t device_read(Bench& b, uint64_t pa, bool coherent) {
    uint64_t v = 0;
    b.dev.port.set_non_coherent(!coherent);
    EXPECT_EQ(b.dev.port.read(pa, &v, 8), tlm::TLM_OK_RESPONSE);
    b.dev.port.set_non_coherent(false);
    return v;
}

uint64_t stat(const char* name) { return test::stat(name).get<uint64_t>(); }

}  // namespace

TEST(ClusterCache, AStoreReachesDramOnlyWhenCleaned) {
    Bench b(cached());
    uint64_t before = 0, coherent = 0, after_clean = 0, after_dsb = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.store64(kX, 0x1111);
        b.bus.barrier();  // the store is in the cache: a DSB does not write it back
        before = device_read(b, kX, false);
        coherent = device_read(b, kX, true);
        b.bus.clean_dcache(kX, 8);
        after_clean = b.value(kX);
        b.bus.barrier();
        after_dsb = device_read(b, kX, false);
    });
    sc_core::sc_start();
    ASSERT_EQ(b.cluster.failure(), "");
    EXPECT_EQ(before, 0u);          // DRAM: the old value
    EXPECT_EQ(coherent, 0x1111u);   // a snoop finds the dirty line
    EXPECT_EQ(after_clean, 0x1111u);  // the coherent view never changed
    EXPECT_EQ(after_dsb, 0x1111u);  // the write-back completed by the DSB
    EXPECT_EQ(stat("cluster.cache.write_backs"), 1u);
    EXPECT_EQ(stat("cluster.cache.cmos"), 1u);
    EXPECT_EQ(stat("dram.snoop_hits"), 1u);
    EXPECT_TRUE(b.dram.dirty_lines()->empty());
}

TEST(ClusterCache, LoadsHitAfterOneFill) {
    Bench b(cached());
    b.cluster.start(0, "main", [&] {
        for (int i = 0; i < 4; ++i) b.bus.load64(kX + 8 * i);
    });
    sc_core::sc_start();
    EXPECT_EQ(b.cluster.core(0).port.reads(), 1u);  // one line fill
    EXPECT_EQ(stat("cluster.cache.fills"), 1u);
    EXPECT_EQ(stat("cluster.cache.hits"), 3u);
}

TEST(ClusterCache, AnEvictedDirtyLineIsWrittenBack) {
    Bench b(cached());
    uint64_t seen = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.store64(kX, 0x2222);
        // Four more lines of the same set: the least recently used one (kX's) goes.
        for (int i = 1; i <= 4; ++i) b.bus.store64(kX + i * 1024, i);
        b.bus.barrier();
        seen = device_read(b, kX, false);
    });
    sc_core::sc_start();
    EXPECT_EQ(seen, 0x2222u);
    EXPECT_EQ(stat("cluster.cache.write_backs"), 1u);
}

TEST(ClusterCache, ACoherentWriteSnoopsTheLineOut) {
    Bench b(cached());
    uint64_t first = 0, second = 0;
    b.cluster.start(0, "main", [&] {
        first = b.bus.load64(kX);
        const uint64_t v = 0x3333;
        EXPECT_EQ(b.dev.port.write(kX, &v, 8), tlm::TLM_OK_RESPONSE);
        second = b.bus.load64(kX);
    });
    sc_core::sc_start();
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(second, 0x3333u);
    EXPECT_EQ(b.cluster.core(0).port.reads(), 2u);  // the second load missed
}

TEST(ClusterCache, ANonCoherentWriteUnderADirtyLineIsLostToItsWriteBack) {
    Bench b(cached());
    uint64_t seen = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.store64(kX, 0x4444);
        const uint64_t v = 0x5555;
        b.dev.port.set_non_coherent(true);
        EXPECT_EQ(b.dev.port.write(kX + 8, &v, 8), tlm::TLM_OK_RESPONSE);  // into DRAM only
        b.dev.port.set_non_coherent(false);
        b.bus.clean_dcache(kX, 64);
        b.bus.barrier();
        seen = device_read(b, kX + 8, false);
    });
    sc_core::sc_start();
    EXPECT_EQ(seen, 0u);  // the CPU's line, written back whole, overwrote the device's bytes
}

TEST(ClusterCache, ALineMovesBetweenCores) {
    Bench b(cached({"cpus=2"}));
    uint64_t seen = 0;
    b.cluster.start(0, "main", [&] { b.bus.store64(kX, 0x6666); });
    b.cluster.start(1, "main", [&] {
        b.bus.work(1000);
        seen = b.bus.load64(kX);
    });
    sc_core::sc_start();
    EXPECT_EQ(seen, 0x6666u);
    EXPECT_EQ(stat("cluster.cache.transfers"), 1u);
    EXPECT_EQ(b.cluster.core(1).port.reads(), 0u);
    EXPECT_GT(stat("cpu1.transfer_cycles"), 0u);
}

TEST(ClusterCache, DcZvaZeroesWithoutAFill) {
    Bench b(cached());
    b.cluster.start(0, "main", [&] { b.bus.fill(kZ, 0, 256); });
    sc_core::sc_start();
    EXPECT_EQ(b.cluster.core(0).port.reads(), 0u);
    EXPECT_EQ(stat("cluster.cache.zeroes"), 4u);
    EXPECT_EQ(b.dram.dirty_lines()->dirty(kZ), true);
}

TEST(ClusterCache, NonCacheableMemoryOfANonCoherentDeviceBypassesTheCache) {
    Bench b(cached());
    uint64_t seen = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.set_device_coherent(false);
        b.bus.dma_memory(kY, 64);
        b.bus.store64(kY, 0x7777);
        b.bus.barrier();
        seen = device_read(b, kY, false);
    });
    sc_core::sc_start();
    EXPECT_EQ(seen, 0x7777u);
    EXPECT_FALSE(b.cluster.cacheable(kY));
    EXPECT_TRUE(b.cluster.cacheable(kX));
}

TEST(ClusterCache, DmaMemoryOfACoherentDeviceStaysCacheable) {
    Bench b(cached());
    b.cluster.start(0, "main", [&] { b.bus.dma_memory(kY, 64); });
    sc_core::sc_start();
    EXPECT_TRUE(b.cluster.cacheable(kY));
}

TEST(ClusterCache, ANearAtomicMakesTheLineDirty) {
    Bench b(cached());
    uint64_t dram = 1;
    b.cluster.start(0, "main", [&] {
        b.bus.atomic(kX, 8, sw::hal::Bus::AtomicOp::Add, 5);
        dram = device_read(b, kX, false);
    });
    sc_core::sc_start();
    EXPECT_EQ(b.value(kX), 5u);
    EXPECT_EQ(dram, 0u);
}

TEST(ClusterCache, OffByDefault) {
    Bench b({});
    EXPECT_FALSE(b.cluster.caches_on());
    EXPECT_EQ(b.dram.dirty_lines(), nullptr);
}

TEST(ClusterCache, SizeMustGivePowerOfTwoSets) {
    EXPECT_THROW(Bench b({"cluster.cache.size=3072"}), std::exception);
}
