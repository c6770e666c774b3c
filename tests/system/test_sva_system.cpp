// Shared virtual addressing end to end on the base platform (issue 18 part 4): a process's page
// table shared with a device through an SVA domain attached to a PASID. The process's munmap
// clears the PTEs and flushes as Linux arm64 does (sw/mm/tlb_flush.h); the SMMU's TLBs are then
// invalidated through the mmu notifier by command-queue TLBIs under the SMMU's own ASID
// (mainline arm-smmu-v3-sva.c, CD.ASET = 1), or, with broadcast TLB maintenance (smmu.btm and
// sw.driver.btm, the posted SVA BTM patches: the CPU's ASID in the CD, ASET = 0), by the CPU's
// own TLBIs and no command at all. Either way the device faults on the unmapped pages at once.

#include <gtest/gtest.h>

#include <string>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

// A DMA domain on the requests without PASID, the process (CPU ASID `asid`) on PASID 1: 16 pages
// pinned and read by the device, `unmap` pages munmapped, the 16 read again.
std::string scenario(unsigned unmap, unsigned pages = 16, unsigned asid = 9) {
    const std::string size = std::to_string(pages * 4096);
    return R"({"domains": [{"name": "dma", "stage": "s1"}, {"name": "proc", "stage": "sva", "asid": )" +
           std::to_string(asid) + R"(}],
  "attach": [{"sid": 1, "domain": "dma"}, {"sid": 1, "ssid": 1, "domain": "proc"}],
  "steps": [
    {"op": "map", "domain": "proc", "iova": "0x400000", "pa": "0x80100000", "size": )" + size + R"(},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096},
    {"op": "unmap", "domain": "proc", "iova": "0x400000", "size": )" + std::to_string(unmap * 4096) + R"(},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096}]})";
}

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

// The second pass's log line for page `i` (the log is in completion order: faults come first).
const nlohmann::json& second_pass(const SoftwareRun& r, unsigned i) {
    static const nlohmann::json none;
    for (size_t k = 16; k < r.xlate.size(); ++k)
        if (num(r.xlate[k]["iova"]) == 0x400000u + i * 4096) return r.xlate[k];
    ADD_FAILURE() << "no second access to page " << i;
    return none;
}

// The second pass: the first `faulting` pages fault, the rest translate.
void expect_second_pass(const SoftwareRun& r, unsigned faulting) {
    ASSERT_EQ(r.xlate.size(), 32u);
    for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(second_pass(r, i)["status"], i < faulting ? "fault" : "ok") << "page " << i;
}

const std::vector<std::string> kBtm = {"smmu.btm=true", "sw.driver.btm=true"};

}  // namespace

// Mainline: the SMMU's own ASID; one range TLBI_NH_VA with Leaf = 0 for the 4 pages
// (arm_smmu_tlb_inv_range_cmd: SCALE = __ffs(4) = 2, NUM = 0), one CMD_SYNC.
TEST(SvaSystem, MainlineInvalidatesThroughTheCommandQueueUnderTheSmmusAsid) {
    SoftwareRun r(scenario(4));
    ASSERT_FALSE(r.failure) << r.failure_text;
    const auto tlbis = r.commands("TLBI_NH_VA");
    ASSERT_EQ(tlbis.size(), 1u);
    EXPECT_NE(tlbis[0]["asid"], 9);  // not the CPU's ASID
    EXPECT_EQ(tlbis[0]["leaf"], false);
    EXPECT_EQ(num(tlbis[0]["addr"]), 0x400000u);
    EXPECT_EQ(tlbis[0]["scale"], 2);
    EXPECT_EQ(tlbis[0]["num"], 0);
    EXPECT_EQ(tlbis[0]["ttl"], 0);
    expect_second_pass(r, 4);
    EXPECT_EQ(core::StatsRegistry::instance().find("dvm.tlbis"), nullptr);
}

// Without range invalidation on the SMMU: one TLBI_NH_VA per page.
TEST(SvaSystem, MainlineWithoutRilTlbisEachPage) {
    SoftwareRun r(scenario(4), {"smmu.ril=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 4u);
    expect_second_pass(r, 4);
}

// 600 pages: the CPU (no FEAT_TLBIRANGE) flushes the whole mm (ASIDE1IS), whose notifier
// covers everything: TLBI_NH_ASID. Twice: the level-3 table of the whole 2 MiB at 0x400000 is
// freed, and flushed (512 pages: the whole mm too) before it may be reused; then the munmap's
// own flush.
TEST(SvaSystem, AWholeMmFlushInvalidatesTheAsid) {
    SoftwareRun r(scenario(600, 600));
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 0u);
    EXPECT_EQ(r.commands("TLBI_NH_ASID").size(), 2u);
    expect_second_pass(r, 16);
}

// With BTM: no command-queue TLBI; the CPU's 4 VALE1IS (Neoverse N1: no range TLBIs) reach the
// SMMU and its DSB waits for their DVM Sync.
TEST(SvaSystem, WithBtmTheCpusTlbisInvalidateTheSmmu) {
    SoftwareRun r(scenario(4), kBtm);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 0u);
    EXPECT_EQ(n("cpu_dvm.tlbis"), 4u);
    EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 4u);
    EXPECT_EQ(n("cpu_dvm.syncs"), 1u);
    expect_second_pass(r, 4);
}

TEST(SvaSystem, WithBtmAndRangeTlbisOneRangeOperation) {
    std::vector<std::string> sets = kBtm;
    sets.push_back("cluster.tlbi_range=true");
    SoftwareRun r(scenario(4), sets);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("cpu_dvm.tlbis"), 1u);
    expect_second_pass(r, 4);
}

// BTM needs the CPU's ASID in the CD; one of the SMMU's DMA domains holds ASID 1 here.
TEST(SvaSystem, WithBtmACpuAsidHeldByADmaDomainIsRefused) {
    SoftwareRun r(scenario(4, 16, 1), kBtm);
    ASSERT_TRUE(r.failure);
    EXPECT_NE(r.failure_text.find("held by another domain"), std::string::npos) << r.failure_text;
}

namespace {

// A 2 MiB block of the process (a huge page), read by the device, then one page in it munmapped:
// the block is split into a table of pages first.
std::string block_scenario() {
    return R"({"domains": [{"name": "dma", "stage": "s1"}, {"name": "proc", "stage": "sva", "asid": 9}],
  "attach": [{"sid": 1, "domain": "dma"}, {"sid": 1, "ssid": 1, "domain": "proc"}],
  "steps": [
    {"op": "map", "domain": "proc", "iova": "0x400000", "pa": "0x80200000", "size": "2MiB"},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096},
    {"op": "unmap", "domain": "proc", "iova": "0x403000", "size": 4096},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096}]})";
}

// After the split the other pages translate to the same physical pages, page 3 faults.
void expect_split_right(const SoftwareRun& r) {
    ASSERT_EQ(r.xlate.size(), 32u);
    for (unsigned i = 0; i < 16; ++i) {
        const nlohmann::json& x = second_pass(r, i);
        EXPECT_EQ(x["status"], i == 3 ? "fault" : "ok") << "page " << i;
        if (i != 3 && x.contains("pa")) {
            EXPECT_EQ(num(x["pa"]), 0x80200000u + i * 4096) << "page " << i;
        }
    }
}

}  // namespace

// Without BBML2 the CPU splits with break-before-make: the block invalid, flushed at once (one
// TLBI for the block: flush_pmd_tlb_range), the table, then the munmap's page flush.
TEST(SvaSystem, ABlockSplitBreaksBeforeMakeWithAFlushOfTheBlock) {
    SoftwareRun r(block_scenario(), kBtm);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("cpu_dvm.tlbis"), 2u);  // VAE1IS of the block, VALE1IS of the page
    EXPECT_EQ(n("cpu_dvm.syncs"), 2u);
    expect_split_right(r);
}

TEST(SvaSystem, ABlockSplitThroughTheCommandQueueWithoutBtm) {
    SoftwareRun r(block_scenario());
    ASSERT_FALSE(r.failure) << r.failure_text;
    const auto tlbis = r.commands("TLBI_NH_VA");
    ASSERT_EQ(tlbis.size(), 2u);
    // The block's 512 pages (SCALE 9, NUM 0), then the page (Linux's range of one page is two:
    // SCALE 1, NUM 0), both Leaf = 0.
    EXPECT_EQ(num(tlbis[0]["addr"]), 0x400000u);
    EXPECT_EQ(tlbis[0]["scale"], 9);
    EXPECT_EQ(num(tlbis[1]["addr"]), 0x403000u);
    EXPECT_EQ(tlbis[1]["scale"], 1);
    expect_split_right(r);
}

// CPUs with BBML2_NOABORT split without the break: only the munmap's flush of the page, whose
// TLBI also removes the SMMU's entry of the whole old block (a TLBI by VA hits a block entry
// holding the address).
TEST(SvaSystem, WithBbml2TheSplitNeedsNoFlushOfItsOwn) {
    std::vector<std::string> sets = kBtm;
    sets.push_back("cluster.bbml2_noabort=true");
    SoftwareRun r(block_scenario(), sets);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("cpu_dvm.tlbis"), 1u);
    expect_split_right(r);
}

TEST(SvaSystem, Bbml2CpusNeedAnSmmuWithBbml2) {
    SoftwareRun r(block_scenario(), {"cluster.bbml2_noabort=true", "smmu.bbml=1"});
    ASSERT_TRUE(r.failure);
    EXPECT_NE(r.failure_text.find("SVA needs 2"), std::string::npos) << r.failure_text;
}

// The map benchmark's SVA form (sw.mapbench.sva): each CPU's process munmaps through its own
// notifier; mainline: one TLBI_NH_VA (range) + CMD_SYNC per munmap; with BTM: none.
TEST(SvaSystem, MapbenchSvaUnmapsEachCpusProcess) {
    SoftwareRun r("", {"sw.workload=mapbench", "sw.mapbench.sva=true", "sw.mapbench.ops=5", "cpus=2",
                       "sw.workload.cpus=0"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("sw.mapbench.pairs"), 10u);
    const auto tlbis = r.commands("TLBI_NH_VA");
    ASSERT_EQ(tlbis.size(), 10u);
    EXPECT_NE(tlbis[0]["asid"], 256);  // the SMMU's ASIDs, not the processes'
    EXPECT_EQ(r.commands("CFGI_CD").size() >= 2, true);  // a CD per process (PASIDs 1 and 2)
}

TEST(SvaSystem, MapbenchSvaWithBtmSendsNoCommandTlbi) {
    std::vector<std::string> sets = {"sw.workload=mapbench", "sw.mapbench.sva=true", "sw.mapbench.ops=5", "cpus=2",
                                     "sw.workload.cpus=0"};
    sets.insert(sets.end(), kBtm.begin(), kBtm.end());
    SoftwareRun r("", sets);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 0u);
    EXPECT_EQ(n("cpu_dvm.tlbis"), 10u);
    EXPECT_EQ(n("cpu_dvm.syncs"), 10u);
}

// The munmap of a whole 2 MiB block: its flush carries the block's level (TTL 2) and stride, as
// Linux's tlb_get_level; with range TLBIs one RVALE1IS of 512 pages. A level-3 hint would spare
// the SMMU's block entry and leave the device the freed memory.
TEST(SvaSystem, ABlockMunmapFlushesWithTheBlocksLevel) {
    std::vector<std::string> sets = kBtm;
    sets.push_back("cluster.tlbi_range=true");
    SoftwareRun r(R"({"domains": [{"name": "dma", "stage": "s1"}, {"name": "proc", "stage": "sva", "asid": 9}],
  "attach": [{"sid": 1, "domain": "dma"}, {"sid": 1, "ssid": 1, "domain": "proc"}],
  "steps": [
    {"op": "map", "domain": "proc", "iova": "0x400000", "pa": "0x80200000", "size": "2MiB"},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096},
    {"op": "unmap", "domain": "proc", "iova": "0x400000", "size": "2MiB"},
    {"op": "dma", "sid": 1, "ssid": 1, "iova": "0x400000", "count": 16, "stride": 4096}]})",
                  sets);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("cpu_dvm.tlbis"), 1u);
    expect_second_pass(r, 16);
}
