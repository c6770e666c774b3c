// What translations cost in descriptor reads with and without the TCU's caches, and the reach
// of large pages in the TBU's TLBs (issue: microarchitecture tests).

#include <gtest/gtest.h>

#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

// Stage 1 for `sid` over tables `pt` (a CD of its own ASID).
void s1_stream(SmmuBench& b, uint32_t sid, const PageTables& pt) {
    const uint64_t cd = b.alloc(64, 64);
    b.put(cd, cd_for(pt));
    b.set_ste(sid, ste_s1(cd));
}

}  // namespace

TEST(SmmuWalkCost, UncachedStage1FourLevelsReadsFour) {
    SmmuBench b(tcu_caches_off());
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x7F0000001000ull, kDram + 0x1000, 0x1000, 3, s1::RW);
        b.enable();
        s1_stream(b, 1, pt);
        ASSERT_TRUE(b.dma_read(1, 0x7F0000001000ull, 8).ok());
    });
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 4u);
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s2"), 0u);
    EXPECT_EQ(n("smmu.tcu.ste_fetches"), 1u);
    EXPECT_EQ(n("smmu.tcu.cd_fetches"), 1u);
}

TEST(SmmuWalkCost, UncachedConcatenatedStage2ReadsThree) {
    SmmuBench b(tcu_caches_off());
    b.run([&] {
        PageTables pt = b.tables(12, 40, 1);  // IPA 40 bits from level 1: 2 concatenated tables
        pt.map(0x8000001000ull, kDram + 0x1000, 0x1000, 3, s2::RW);
        b.enable();
        b.set_ste(1, ste_s2(pt));
        ASSERT_TRUE(b.dma_read(1, 0x8000001000ull, 8).ok());
    });
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s2"), 3u);
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 0u);
}

// Nested, 4 levels over 4 levels: each of the 4 stage-1 descriptors needs a 4-level stage-2
// walk first (16), then the 4 stage-1 reads, then 4 for the final IPA: 24. The CD is fetched
// through stage 2 as well: 4 more.
TEST(SmmuWalkCost, UncachedNestedFourByFourReads24PlusCdFetch) {
    SmmuBench b(tcu_caches_off());
    b.run([&] {
        PageTables s1pt = b.tables(12, 48, 0);
        PageTables s2pt = b.tables(12, 48, 0);
        const uint64_t va = 0x7F0000001000ull, ipa = 0x500000002000ull;
        s1pt.map(va, ipa, 0x1000, 3, s1::RW);
        const uint64_t cd = b.alloc(64, 64);
        b.put(cd, cd_for(s1pt));
        s2pt.map(cd & ~0xFFFull, cd & ~0xFFFull, 0x1000, 3, s2::RW);  // CD and S1 tables: IPA == PA
        for (int level = 0; level <= 3; ++level) {
            const uint64_t page = s1pt.descriptor_address(va, level) & ~0xFFFull;
            s2pt.map(page, page, 0x1000, 3, s2::RW);
        }
        s2pt.map(ipa, kDram + 0x5000, 0x1000, 3, s2::RW);
        b.enable();
        b.set_ste(1, ste_nested(cd, s2pt));
        b.put64(kDram + 0x5008, 77);
        DmaResult r = b.dma_read(1, va + 8, 8);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.value(), 77u);
    });
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 4u);
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s2"), 16u + 4u + 4u);
    EXPECT_EQ(n("smmu.tcu.ptw_reads"), 24u + 4u);
}

TEST(SmmuWalkCost, WarmWalkCacheLeavesOneRead) {
    SmmuBench b;  // default caches
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x10000000, kDram + 0x100000, 0x10000, 3, s1::RW);  // 16 pages, one level-3 table
        b.enable();
        s1_stream(b, 1, pt);
        ASSERT_TRUE(b.dma_read(1, 0x10000000, 8).ok());
        EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 4u);
        // Another page under the same level-3 table: the level-2 descriptor is in the walk
        // cache, so only the level-3 descriptor is read.
        ASSERT_TRUE(b.dma_read(1, 0x10005000, 8).ok());
        EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 5u);
        ASSERT_TRUE(b.dma_read(1, 0x1000F000, 8).ok());
        EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 6u);
    });
    EXPECT_EQ(n("smmu.tcu.walk_cache.s1l2.hits"), 2u);
    EXPECT_EQ(n("smmu.tcu.config_cache.hits"), 2u);  // the STE and CD were read once
    EXPECT_EQ(n("smmu.tcu.ste_fetches"), 1u);
    EXPECT_EQ(n("smmu.tcu.walks"), 3u);
}

TEST(SmmuWalkCost, OneTwoMegabyteBlockServesAll512Pages) {
    SmmuBench b;
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x40000000, kDram + 0x400000, 0x200000, 2, s1::RW);  // one 2 MiB block
        b.enable();
        s1_stream(b, 1, pt);
        for (uint64_t page = 0; page < 512; ++page) {
            b.put64(kDram + 0x400000 + page * 0x1000 + 8, page);
            DmaResult r = b.dma_read(1, 0x40000000 + page * 0x1000 + 8, 8);
            ASSERT_TRUE(r.ok());
            ASSERT_EQ(r.value(), page);
        }
    });
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 1u);  // one miss, then the block entry hits
    EXPECT_EQ(n("smmu.tbu0.utlb.hits"), 511u);
    EXPECT_EQ(n("smmu.tcu.walks"), 1u);
}

TEST(SmmuWalkCost, FourKilobytePagesNeedOneEntryEach) {
    SmmuBench b;
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x40000000, kDram + 0x400000, 0x200000, 3, s1::RW);  // the same 2 MiB as pages
        b.enable();
        s1_stream(b, 1, pt);
        for (uint64_t page = 0; page < 512; ++page) ASSERT_TRUE(b.dma_read(1, 0x40000000 + page * 0x1000, 8).ok());
    });
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 512u);
    EXPECT_EQ(n("smmu.tcu.ptw_reads_s1"), 4u + 511u);  // walk cache: one read per page after the first
}

TEST(SmmuWalkCost, ContiguousRunIsOneEntryWhenEnabled) {
    SmmuBench b({"smmu.tcu.contiguous=true"});
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x50000000, kDram + 0x600000, 0x10000, 3, s1::RW | pte::Contiguous::mask);  // 16 pages
        b.enable();
        s1_stream(b, 1, pt);
        for (uint64_t page = 0; page < 16; ++page) ASSERT_TRUE(b.dma_read(1, 0x50000000 + page * 0x1000, 8).ok());
    });
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 1u);
}

TEST(SmmuWalkCost, ContiguousHintIgnoredByDefault) {
    SmmuBench b;
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x50000000, kDram + 0x600000, 0x10000, 3, s1::RW | pte::Contiguous::mask);
        b.enable();
        s1_stream(b, 1, pt);
        for (uint64_t page = 0; page < 16; ++page) ASSERT_TRUE(b.dma_read(1, 0x50000000 + page * 0x1000, 8).ok());
    });
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 16u);
}
