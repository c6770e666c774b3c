// No stale translation: each rule a correct invalidation relies on, on the SMMU programmed
// through registers and tables (issue "No stale translation, ever", defects 1-5). Each test
// warms the caches, changes the tables as software does, invalidates as the architecture
// allows, and then checks that the device no longer reaches what was removed.

#include <gtest/gtest.h>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/queue.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t kVa = 0x40000000, kPa = kDram + 16 * MiB;
constexpr auto kAbort = tlm::TLM_GENERIC_ERROR_RESPONSE;
constexpr uint64_t kPage = ~uint64_t(0xFFF);

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

// TLBI_NH_VA of one address (TG = 0: what the driver sends without range invalidation).
Command nh_va(uint16_t asid, uint16_t vmid, uint64_t va) {
    Command c;
    c.set<Command::Opcode>(op::TLBI_NH_VA);
    c.set<Command::ASID>(asid);
    c.set<Command::VMID>(vmid);
    c.set<Command::Leaf>(1);
    c.set_address<Command::Address>(va);
    return c;
}

// Nested streams `sids` (one CD, one stage 2, one VMID): a stage-1 2 MiB block at kVa over
// stage-2 4 KiB pages (IPA == VA, PA = kPa + offset).
struct Splintered {
    PageTables s1, s2;
    uint16_t asid = 0x31;
};
Splintered splintered(SmmuBench& b, std::initializer_list<uint32_t> sids) {
    Splintered n{b.tables(12, 48, 0), b.tables(12, 40, 1)};
    n.s1.map(kVa, kVa, 2 * MiB, 2, s1::RW);
    n.s2.map(kVa, kPa, 2 * MiB, 3, s2::RW);
    const uint64_t cd_at = b.alloc(64, 64);
    b.put(cd_at, cd_for(n.s1, n.asid));
    n.s2.map(cd_at & kPage, cd_at & kPage, 0x1000, 3, s2::RW);
    for (int level = 0; level <= 2; ++level) {
        const uint64_t page = n.s1.descriptor_address(kVa, level) & kPage;
        n.s2.map(page, page, 0x1000, 3, s2::RW);
    }
    const Ste ste = ste_nested(cd_at, n.s2, 9);
    for (uint32_t sid : sids) b.set_ste(sid, ste);
    return n;
}

// Defect 1: a stage-1 block held as 4 KiB combined entries (it lies over stage-2 pages) is
// removed whole by one TLBI_NH_VA at any address of the block (Arm ARM D8.17: every entry
// split from it goes, whether or not it translates that address), in the TBU and the TCU.
void splintered_block_goes_whole(std::vector<std::string> sets) {
    sets.push_back("smmu.tcu.tlb.enable=true");
    SmmuBench b(sets);
    b.run([&] {
        b.enable();
        Splintered t = splintered(b, {1, 2});
        for (uint64_t page : {0, 1, 5, 100}) ASSERT_TRUE(b.dma_read(1, kVa + page * 0x1000, 8).ok()) << page;
        EXPECT_GE(n("smmu.tbu0.mtlb.fills"), 4u);  // one 4 KiB entry per page touched
        t.s1.set_descriptor(kVa, 2, 0);            // the block goes
        b.command(nh_va(t.asid, b.ste_vmid(1), kVa));
        ASSERT_TRUE(b.sync());
        for (uint64_t page : {1, 5, 100}) {
            EXPECT_EQ(b.dma_read(1, kVa + page * 0x1000, 8).status, kAbort) << "TBU0 kept page " << page;
            // A device behind the other TBU meets only the TCU's TLB.
            EXPECT_EQ(b.dma_read(2, kVa + page * 0x1000, 8, std::nullopt, false, false, 1).status, kAbort)
                << "the TCU kept page " << page;
        }
    });
}

}  // namespace

TEST(SmmuStale, SplinteredStageOneBlockGoesWholeOnOneTlbiByVa) { splintered_block_goes_whole({}); }

TEST(SmmuStale, SplinteredStageOneBlockGoesWholeWithoutRil) { splintered_block_goes_whole({"smmu.ril=false"}); }

TEST(SmmuStale, RangeMeetingPartOfASplinteredBlockRemovesAllOfIt) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        Splintered t = splintered(b, {1});
        for (uint64_t page : {0, 7, 300}) ASSERT_TRUE(b.dma_read(1, kVa + page * 0x1000, 8).ok());
        t.s1.set_descriptor(kVa, 2, 0);
        // TG = 4K, NUM = 1: two pages at the block's end, far from the pages cached.
        Command c = nh_va(t.asid, b.ste_vmid(1), kVa + 2 * MiB - 0x2000);
        cmd::set_range(c, kVa + 2 * MiB - 0x2000, true, 1, 0, 1, 0);
        b.command(c);
        ASSERT_TRUE(b.sync());
        for (uint64_t page : {0, 7, 300}) EXPECT_EQ(b.dma_read(1, kVa + page * 0x1000, 8).status, kAbort) << page;
    });
}

// Defect 2: with CD.TBI0 the top byte is not part of the translation: every tag uses one TLB
// entry, and a TLBI of the canonical VA removes it.
TEST(SmmuStale, TbiTagsShareOneEntryAndGoWithTheCanonicalVa) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        PageTables pt = b.tables(12, 48, 0);
        pt.map(kVa, kPa, 0x1000, 3, s1::RW);
        Cd cd = cd_for(pt, 0x44);
        cd.set<Cd::TBI0>(1);
        const uint64_t cd_at = b.alloc(64, 64);
        b.put(cd_at, cd);
        b.set_ste(1, ste_s1(cd_at));
        b.put64(kPa, 0x1122334455667788ull);
        for (uint64_t tag : {0x5Aull, 0xA5ull, 0x00ull, 0x5Aull}) {
            const DmaResult r = b.dma_read(1, (tag << 56) | kVa, 8);
            ASSERT_TRUE(r.ok()) << std::hex << tag;
            EXPECT_EQ(r.value(), 0x1122334455667788ull);
        }
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 1u) << "each tag took its own TLB entry";
        pt.set_descriptor(kVa, 3, 0);
        b.command(nh_va(0x44, b.ste_vmid(1), kVa));
        ASSERT_TRUE(b.sync());
        for (uint64_t tag : {0x5Aull, 0xA5ull, 0x00ull})
            EXPECT_EQ(b.dma_read(1, (tag << 56) | kVa, 8).status, kAbort) << "tag " << std::hex << tag << " kept";
        EXPECT_EQ(n("smmu.tcu.faults"), 3u);  // each went to the walk, which found nothing
    });
}

// Defect 3: a global (nG = 0) leaf in a stage-1 walk cache goes with a TLBI_NH_VA of any ASID,
// as a global TLB entry does (§4.4.2.4).
TEST(SmmuStale, GlobalWalkCacheLeafGoesWithTlbiByVaOfAnotherAsid) {
    SmmuBench b({"smmu.tcu.walk_cache.s1l2.leaves=true"});
    b.run([&] {
        b.enable();
        PageTables pt = b.tables(12, 48, 0);
        pt.map(kVa, kPa, 2 * MiB, 2, s1::RW & ~s1::NG);
        const uint64_t cd_at = b.alloc(64, 64);
        b.put(cd_at, cd_for(pt, 0x51));
        b.set_ste(1, ste_s1(cd_at));
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());
        EXPECT_EQ(n("smmu.tcu.walk_cache.s1l2.fills"), 1u);
        pt.set_descriptor(kVa, 2, 0);
        b.command(nh_va(0x52, b.ste_vmid(1), kVa));  // another ASID: global entries go too
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tcu.walk_cache.s1l2.invalidated"), 1u);
        EXPECT_EQ(b.dma_read(1, kVa + 0x3000, 8).status, kAbort);
    });
}

TEST(SmmuStale, GlobalWalkCacheLeafSurvivesTlbiByAsid) {
    SmmuBench b({"smmu.tcu.walk_cache.s1l2.leaves=true"});
    b.run([&] {
        b.enable();
        PageTables pt = b.tables(12, 48, 0);
        pt.map(kVa, kPa, 2 * MiB, 2, s1::RW & ~s1::NG);
        const uint64_t cd_at = b.alloc(64, 64);
        b.put(cd_at, cd_for(pt, 0x51));
        b.set_ste(1, ste_s1(cd_at));
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());
        b.command(cmd::tlbi_nh_asid(0x51, b.ste_vmid(1)));  // spares global entries
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tcu.walk_cache.s1l2.invalidated"), 0u);
    });
}

// Defect 4: when a CMD_SYNC completes, the records of every fault the devices were answered
// before it are in the event queue (§4.7.3).
TEST(SmmuStale, SyncCompletesOnlyWhenEarlierFaultRecordsAreVisible) {
    SmmuBench b({"dma0.pattern=sequential", "dma0.base=0x10000000", "dma0.region=0x100000", "dma0.count=64",
                 "dma0.max_outstanding=16", "dma0.read_fraction=1", "dma0.start=20us", "dma1.enable=false"},
                2, true);
    b.run([&] {
        b.enable();
        PageTables pt = b.tables(12, 48, 0);  // nothing mapped: every access faults
        const uint64_t cd_at = b.alloc(64, 64);
        b.put(cd_at, cd_for(pt));
        b.set_ste(1, ste_s1(cd_at));
        ASSERT_TRUE(b.poll([&] { return n("dma0.transactions") == 64; }));
        EXPECT_EQ(n("dma0.errors"), 64u);
        ASSERT_TRUE(b.sync());
        const uint32_t prod = b.rd32(reg::EVENTQ_PROD), cons = b.rd32(reg::EVENTQ_CONS);
        EXPECT_EQ(QueueIndex(8).used(prod, cons), 64u) << "records visible when CONS passed the sync";
    });
}

// Defect 5: while SMMUEN = 0 with GBPA bypass, an address the output cannot carry (at or
// above 2^OAS) is terminated with an abort and no event (§3.4).
TEST(SmmuStale, GbpaBypassAbortsAddressesAboveOas) {
    SmmuBench b({"smmu.oas=0"});  // 32-bit output
    b.run([&] {
        BenchSetup s;
        s.enable_smmu = false;
        b.enable(s);
        b.put64(kPa, 42);
        EXPECT_TRUE(b.dma_read(1, kPa, 8).ok());
        const DmaResult r = b.dma_read(1, (1ull << 32) + kPa, 8);
        EXPECT_EQ(r.status, kAbort) << "forwarded past the OAS";
        EXPECT_EQ(n("smmu.tbu0.aborted"), 1u);
        EXPECT_TRUE(b.events().empty());
    });
}

// The stale-entry check (models/smmu/stale_check.h) reports an entry that escaped an
// invalidation: here one put back into a TBU's main TLB by hand after the TBU applied the
// TLBI, as a fill race would.
TEST(SmmuStale, CheckReportsAnEntryThatEscapedAnInvalidation) {
    setenv("SMMU_CHECK_STALE", "1", 1);
    SmmuBench b;
    try {
        b.run([&] {
            b.enable();
            PageTables pt = b.tables(12, 48, 0);
            pt.map(kVa, kPa, 0x1000, 3, s1::RW);
            const uint64_t cd_at = b.alloc(64, 64);
            b.put(cd_at, cd_for(pt, 0x61));
            b.set_ste(1, ste_s1(cd_at));
            ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());
            smmu::cache::TlbEntry kept;
            b.smmu.tbu(0).mtlb.for_each([&](const smmu::cache::TlbEntry& e) { kept = e; });
            pt.set_descriptor(kVa, 3, 0);
            b.command(nh_va(0x61, b.ste_vmid(1), kVa));
            b.wait_cycles(2000);  // consumed, and applied in the TBU
            EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 1u);
            b.smmu.tbu(0).mtlb.insert(kept, [](const smmu::cache::TlbEntry&) { return true; });
            b.sync();
            ADD_FAILURE() << "the sync completed with the entry back in the TLB";
        });
        FAIL() << "no report";
    } catch (const sc_core::sc_report& r) {
        EXPECT_NE(std::string(r.what()).find("smmu.tbu0.mtlb holds [0x40000000, +2^12)"), std::string::npos)
            << r.what();
    }
}
