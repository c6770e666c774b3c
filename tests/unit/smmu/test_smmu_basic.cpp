// The SMMU programmed through registers and in-memory tables by a bare initiator: the
// basic paths end to end.

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;


TEST(SmmuBasic, DisabledSmmuBypassesWithGbpa) {
    SmmuBench b;
    b.run([&] {
        b.put64(kDram + 0x1000, 0x1122334455667788ull);
        DmaResult r = b.dma_read(5, kDram + 0x1000, 8, 7 /* a SubstreamID is ignored too */);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.data[0], 0x88);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0u);
    });
    // The TBU applies SMMUEN=0 itself: nothing goes to the TCU, no structure is read.
    EXPECT_EQ(stat("smmu.tbu0.dti_requests"), 0);
    EXPECT_EQ(stat("smmu.tcu.ste_fetches"), 0);
}

TEST(SmmuBasic, GbpaAbortAbortsWithoutEvent) {
    SmmuBench b;
    b.run([&] {
        b.wr32(reg::GBPA, (1u << 31) | (1u << 20));  // Update + ABORT
        ASSERT_TRUE(b.poll([&] { return !(b.rd32(reg::GBPA) >> 31); }));
        EXPECT_EQ(b.dma_read(5, kDram, 8).status, tlm::TLM_GENERIC_ERROR_RESPONSE);
        b.wr32(reg::GBPA, 1u << 20);  // without Update: ignored (v3.2)
        EXPECT_EQ(b.rd32(reg::GBPA), 1u << 20);
    });
    EXPECT_EQ(stat("smmu.tcu.events_recorded"), 0);
}

TEST(SmmuBasic, Stage1TranslatesAndMovesData) {
    SmmuBench b;
    b.run([&] {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x10000000, kDram + 0x200000, 0x2000, 3, s1::RW);
        const uint64_t cd = b.alloc(64, 64);
        b.put(cd, cd_for(pt));
        b.enable();
        b.set_ste(3, ste_s1(cd));
        b.put64(kDram + 0x201008, 0xABCDEF0123456789ull);
        DmaResult r = b.dma_read(3, 0x10001008, 8);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.data[7], 0xAB);
        ASSERT_TRUE(b.dma_write(3, 0x10000010, {1, 2, 3, 4}).ok());
        EXPECT_EQ(b.get32(kDram + 0x200010), 0x04030201u);
        EXPECT_TRUE(b.events().empty());
    });
    // The first 4-level 4K walk reads 4 descriptors; the second page shares the level-3 table,
    // whose level-2 descriptor the walk cache now holds: 1 read.
    EXPECT_EQ(stat("smmu.tcu.ptw_reads_s1"), 5);
}

TEST(SmmuBasic, Stage2WithConcatenatedStart) {
    SmmuBench b;
    b.run([&] {
        PageTables pt = b.tables(12, 40, 1);  // IPA 40 bits from level 1: 2 concatenated tables
        EXPECT_EQ(pt.root_entries(), 1024u);
        pt.map(0x8040000000ull, kDram + 0x300000, 0x1000, 3, s2::RW);  // in the second table
        b.enable();
        b.set_ste(9, ste_s2(pt, 3));
        b.put64(kDram + 0x300040, 42);
        DmaResult r = b.dma_read(9, 0x8040000040ull, 8);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.data[0], 42);
    });
    EXPECT_EQ(stat("smmu.tcu.ptw_reads_s2"), 3);
}

TEST(SmmuBasic, InvalidSteRecordsCBadSte) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        EXPECT_EQ(b.dma_read(4, 0x1000, 8, std::nullopt, true).status, tlm::TLM_GENERIC_ERROR_RESPONSE);
        std::vector<EventRecord> ev = b.events(1);
        ASSERT_EQ(ev.size(), 1u);
        EXPECT_EQ(ev[0].type(), evt::C_BAD_STE);
        EXPECT_EQ(ev[0].get<EventRecord::StreamID>(), 4u);
    });
}
