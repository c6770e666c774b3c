// Driver policies and table formats on the base platform: CMD_SYNC completion modes, lazy
// invalidation, the study knobs (batch size, full-flush threshold), 2-level CD tables, linear
// stream tables, and the built-in workloads.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using nlohmann::json;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

uint64_t u(const std::string& name) { return stat(name).get<uint64_t>(); }

// The built-in NIC workload, small.
SoftwareRun nic(std::vector<std::string> sets) {
    sets.push_back("sw.nic.packets=300");
    return SoftwareRun("", sets);
}

void expect_clean_nic(const SoftwareRun& r) {
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.transactions"), 300u * 7);  // a descriptor, then 1536-byte packets in 256-byte bursts
    EXPECT_EQ(u("dma0.errors"), 0u);
    EXPECT_EQ(u("sw.driver.sync_timeouts"), 0u);
    EXPECT_EQ(u("sw.driver.warnings"), 0u);
    EXPECT_TRUE(r.event.empty());
}

}  // namespace

TEST(BaseSoftwarePolicies, EmptyScenarioRunsOnlyTheReset) {
    SoftwareRun r(R"({})");
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_TRUE(r.xlate.empty());
    ASSERT_EQ(r.commands("CFGI_STE_RANGE").size(), 1u);
    EXPECT_EQ(r.commands("CFGI_STE_RANGE")[0]["range"], 31);
    EXPECT_EQ(r.commands("TLBI_EL2_ALL").size(), 1u);  // the SMMU has HYP
    EXPECT_EQ(r.commands("TLBI_NSNH_ALL").size(), 1u);
    EXPECT_EQ(r.commands("CMD_SYNC").size(), 3u);
}

TEST(BaseSoftwarePolicies, StrictNicUnmapsWithOneRangeCommandAndOneSync) {
    SoftwareRun r = nic({});
    expect_clean_nic(r);
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 300u);
    EXPECT_EQ(stat("sw.driver.commands_per_unmap")["max"], 2);
    EXPECT_EQ(u("smmu.tbu0.mtlb.invalidated"), 300u);  // each unmap removes its page, nothing else
    // The default is Linux's choice for a coherent SMMU with MSIs: the sync's MSI over its slot.
    for (const json& c : r.commands("CMD_SYNC")) EXPECT_EQ(c["cs"], 1);
}

TEST(BaseSoftwarePolicies, SyncByPollingCons) {
    SoftwareRun r = nic({"sw.driver.sync=poll"});
    expect_clean_nic(r);
    for (const json& c : r.commands("CMD_SYNC")) EXPECT_EQ(c["cs"], 2);  // CONS polling: CS=SEV
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 0);
}

TEST(BaseSoftwarePolicies, AutoSyncPollsConsWithoutMsis) {
    SoftwareRun r = nic({"smmu.msi=false"});
    expect_clean_nic(r);
    for (const json& c : r.commands("CMD_SYNC")) EXPECT_EQ(c["cs"], 2);
}

TEST(BaseSoftwarePolicies, SyncByMsiWriteBackOverItsOwnSlot) {
    SoftwareRun r = nic({"sw.driver.sync=msi"});
    expect_clean_nic(r);
    const auto syncs = r.commands("CMD_SYNC");
    ASSERT_FALSE(syncs.empty());
    for (const json& c : syncs) {
        EXPECT_EQ(c["cs"], 1);
        EXPECT_EQ(c["msi_data"], 0);
        EXPECT_NE(num(c["msi_addr"]), 0u);
    }
    EXPECT_EQ(u("smmu.tcu.msi_writes"), syncs.size());
}

TEST(BaseSoftwarePolicies, SyncByWiredInterrupt) {
    SoftwareRun r = nic({"sw.driver.sync=irq"});
    expect_clean_nic(r);
    const auto syncs = r.commands("CMD_SYNC");
    for (const json& c : syncs) {
        EXPECT_EQ(c["cs"], 1);
        EXPECT_EQ(num(c["msi_addr"]), 0u);
    }
    EXPECT_EQ(u("smmu.tcu.cmdq_sync_irq.pulses"), syncs.size());
}

TEST(BaseSoftwarePolicies, LazyInvalidatesWholeAsidsFromTheFlushQueue) {
    SoftwareRun r = nic({"sw.driver.policy=lazy", "sw.driver.fq_entries=64"});
    expect_clean_nic(r);
    EXPECT_TRUE(r.commands("TLBI_NH_VA").empty());
    const uint64_t flushes = u("sw.driver.fq_flushes");
    EXPECT_GE(flushes, 300u / 63);
    EXPECT_EQ(r.commands("TLBI_NH_ASID").size(), flushes);
    for (const json& c : r.commands("TLBI_NH_ASID")) EXPECT_EQ(c["asid"], 1);
    EXPECT_LT(stat("sw.driver.unmap_cycles")["p50"].get<double>(), 500.0);  // no waiting on the common path
}

TEST(BaseSoftwarePolicies, LazyFlushesOnTheTimerToo) {
    // Few packets, a short timeout and long CPU work between packets: the timer fires first.
    SoftwareRun r("", {"sw.nic.packets=20", "sw.driver.policy=lazy", "sw.driver.fq_timeout=5us",
                       "sw.nic.cpu_cycles=20000", "sw.nic.in_flight=2"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_GE(u("sw.driver.fq_flushes"), 5u);
    EXPECT_LT(stat("sw.driver.fq_flush_entries")["max"].get<double>(), 20.0);
}

TEST(BaseSoftwarePolicies, BatchSizeSplitsLongCommandListsWithoutExtraSyncs) {
    // 32 pages without RIL, batches of 8: 32 TLBIs, published in four PROD writes, one sync.
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s1"}], "attach": [{"sid": 1, "domain": "d"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x20000"},
                {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x20000"}]})",
                  {"smmu.ril=false", "sw.driver.batch=8"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 32u);
    EXPECT_EQ(stat("sw.driver.commands_per_unmap")["max"], 33);
}

TEST(BaseSoftwarePolicies, FullFlushThresholdReplacesLargeRanges) {
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s1"}], "attach": [{"sid": 1, "domain": "d"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x20000"},
                {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x20000"},
                {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x2000"},
                {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x2000"}]})",
                  {"sw.driver.full_flush_pages=16"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_ASID").size(), 1u);  // 32 pages >= 16
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 1u);    // 2 pages < 16
}

TEST(BaseSoftwarePolicies, TwoLevelCdTableAllocatesLeavesOnDemand) {
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s1"}, {"name": "e", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "d"}, {"sid": 1, "ssid": 1500, "domain": "e"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
                {"op": "map", "domain": "e", "iova": "0x10000000", "pa": "0x80100000", "size": "0x1000"},
                {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "w"},
                {"op": "dma", "sid": 1, "ssid": 1500, "iova": "0x10000000", "rw": "w"}]})",
                  {"sw.driver.ssid_bits=11"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(num(r.xlate[0]["pa"]), 0x80000000u);
    EXPECT_EQ(num(r.xlate[1]["pa"]), 0x80100000u);
    // A new leaf: its L1CD is followed by CFGI_CD with Leaf=0.
    int l1 = 0;
    for (const json& c : r.commands("CFGI_CD")) l1 += c["leaf"] == false;
    EXPECT_EQ(l1, 2);  // the leaf of SSID 0 and the leaf of SSID 1500
}

TEST(BaseSoftwarePolicies, LinearStreamTableWhenStreamIdsAreFew) {
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s2", "ias": 40}], "attach": [{"sid": 2, "domain": "d"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x40000000", "pa": "0x80000000", "size": "0x1000"},
                {"op": "dma", "dev": "dma1", "sid": 2, "iova": "0x40000000", "rw": "r"}]})",
                  {"smmu.sidsize=8"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 1u);
    EXPECT_EQ(r.xlate[0]["dev"], "dma1");
    EXPECT_EQ(num(r.xlate[0]["pa"]), 0x80000000u);
    EXPECT_EQ(u("sw.driver.table_bytes") >= 256u * 64, true);
}

TEST(BaseSoftwarePolicies, StorageWorkloadMapsLargeBuffersWithBlocks) {
    SoftwareRun r("", {"sw.workload=storage", "sw.storage.requests=20", "sw.storage.request_bytes=2MiB"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma1.transactions"), 20u * 512);
    EXPECT_EQ(u("dma1.errors"), 0u);
    // 2 MiB buffers at 2 MiB-aligned IOVAs and PAs are one block each: one walk per request.
    EXPECT_LE(u("smmu.tcu.walks"), 20u * 2);
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 20u);
    for (const json& c : r.commands("TLBI_NH_VA")) EXPECT_EQ(c["ttl"], 2);
}

TEST(BaseSoftwarePolicies, BatchesLargerThanTheQueueAreSplitNotDropped) {
    // 1000 per-page TLBIs through a 128-entry queue in batches of 2048: nothing may be lost.
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s1"}], "attach": [{"sid": 1, "domain": "d"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80001000", "size": "0x3E8000"},
                {"op": "dma", "sid": 1, "iova": "0x10200000", "rw": "w"},
                {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x3E8000"},
                {"op": "dma", "sid": 1, "iova": "0x10200000", "rw": "w"}]})",
                  {"smmu.ril=false", "sw.driver.batch=2048", "sw.driver.cmdq_log2=7"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 1000u);
    EXPECT_EQ(u("sw.driver.sync_timeouts"), 0u);
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(r.xlate[1]["status"], "fault");
}

TEST(BaseSoftwarePolicies, BypassForRequestsWithoutSubstreamBesideSubstreamDomains) {
    SoftwareRun r(R"({"domains": [{"name": "b", "stage": "bypass"}, {"name": "p", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "b"}, {"sid": 1, "ssid": 3, "domain": "p"}],
      "steps": [{"op": "map", "domain": "p", "iova": "0x10000000", "pa": "0x80100000", "size": "0x1000"},
                {"op": "dma", "sid": 1, "iova": "0x80200000", "rw": "w"},
                {"op": "dma", "sid": 1, "ssid": 3, "iova": "0x10000000", "rw": "w"}]})");
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(num(r.xlate[0]["pa"]), 0x80200000u);  // S1DSS=BYPASS
    EXPECT_EQ(num(r.xlate[1]["pa"]), 0x80100000u);
}

TEST(BaseSoftwarePolicies, SubstreamsBesideAStageTwoDomainAreRefused) {
    SoftwareRun r(R"({"domains": [{"name": "s", "stage": "s2", "ias": 40}, {"name": "p", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "s"}, {"sid": 1, "ssid": 3, "domain": "p"}]})");
    EXPECT_NE(r.failure_text.find("attach[1]"), std::string::npos) << r.failure_text;
    EXPECT_NE(r.failure_text.find("SubstreamIDs need a stage-1, nested, bypass or abort domain"), std::string::npos)
        << r.failure_text;
}

TEST(BaseSoftwarePolicies, ACdTableCannotMoveUnderANestedParent) {
    SoftwareRun r(R"({"domains": [{"name": "a", "stage": "s1"}, {"name": "h", "stage": "s2", "ias": 40},
                                  {"name": "g", "stage": "nested", "parent": "h"}],
      "attach": [{"sid": 1, "domain": "a"}, {"sid": 1, "domain": "h"}, {"sid": 1, "domain": "g"}]})");
    EXPECT_NE(r.failure_text.find("attach[2]"), std::string::npos) << r.failure_text;
    EXPECT_NE(r.failure_text.find("CD table"), std::string::npos) << r.failure_text;
}

TEST(BaseSoftwarePolicies, LinearCdTablesHoldAtMost1024SubstreamIds) {
    SoftwareRun r(R"({"domains": [{"name": "p", "stage": "s1"}], "attach": [{"sid": 1, "ssid": 2000, "domain": "p"}]})",
                  {"smmu.cd2l=false", "sw.driver.ssid_bits=20"});
    EXPECT_NE(r.failure_text.find("SubstreamID 2000 beyond the device's 10 SubstreamID bits"), std::string::npos)
        << r.failure_text;
}

TEST(BaseSoftwarePolicies, ExtraTbusTakePartInEveryInvalidation) {
    SoftwareRun r("", {"sw.nic.packets=50", "smmu.tbus=4"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    const uint64_t n = u("smmu.tbu0.invalidations");
    EXPECT_GT(n, 50u);
    for (int i = 1; i < 4; ++i) EXPECT_EQ(u("smmu.tbu" + std::to_string(i) + ".invalidations"), n) << i;
    EXPECT_EQ(u("dma2.transactions"), 0u);  // idle masters behind the extra TBUs
    EXPECT_EQ(u("dma3.transactions"), 0u);
}

TEST(BaseSoftwarePolicies, PatternTrafficBehindExtraTbusStopsWithTheSoftware) {
    SoftwareRun r("", {"sw.nic.packets=20", "smmu.tbus=3", "dma2.enable=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_GT(u("dma2.transactions"), 0u);  // unattached StreamID 3: its traffic faults, and ends
    EXPECT_EQ(u("dma0.transactions"), 140u);  // 20 packets: a descriptor and six 256-byte bursts each
}

TEST(BaseSoftwarePolicies, FootprintWorkloadWalksPagesAtEveryStage) {
    std::vector<std::string> set = {"sw.workload=footprint", "sw.footprint.stage=nested",
                                    "sw.footprint.bytes=64MiB", "sw.footprint.accesses=2000"};
    for (const char* c : {"s1l0", "s1l1", "s1l2", "s1l3", "s2l0", "s2l1", "s2l2", "s2l3"})
        set.push_back(std::string("smmu.tcu.walk_cache.") + c + ".enable=false");
    SoftwareRun r("", set);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.transactions"), 2000u);
    EXPECT_EQ(u("dma0.errors"), 0u);
    // 64 MiB of 4K pages is 16384 pages, beyond the TLB reach: most reads miss and walk both
    // stages.
    const uint64_t walks = u("smmu.tcu.walks");
    EXPECT_GT(walks, 1000u);
    // Uncached, each walk reads the four stage-1 levels; each stage-1 table address is
    // translated by a stage-2 walk ending at a 2 MiB block (the guest's table memory is
    // block-mapped: 3 reads), and the data's IPA by one ending at a 4K page (4 reads): the
    // data is page-mapped at stage 2 too. A CD fetch is translated through stage 2 as well.
    EXPECT_EQ(u("smmu.tcu.ptw_reads_s1"), 4 * walks);
    EXPECT_GT(u("smmu.tcu.cd_fetches"), 0u);
    EXPECT_EQ(u("smmu.tcu.ptw_reads_s2"), (4 * 3 + 4) * walks + 3 * u("smmu.tcu.cd_fetches"));
    // Every read landed in the pool, two granules up (stage 1 one granule off, stage 2 another).
    for (const json& x : r.xlate) {
        const uint64_t pa = num(x["pa"]);
        EXPECT_GE(pa, 0x80002000u);
        EXPECT_LT(pa, 0x80002000u + (256u << 20));
        EXPECT_EQ(pa & 0xFFF, num(x["iova"]) & 0xFFF);
    }
}

// The footprint workload's warm-up reads are not measured: the statistics restart after them,
// the walker's descriptor-read counts included.
TEST(BaseSoftwarePolicies, FootprintWarmupIsExcludedFromTheStats) {
    std::vector<std::string> set = {"sw.workload=footprint", "sw.footprint.bytes=64MiB",
                                    "sw.footprint.accesses=300", "sw.footprint.warmup=200"};
    for (const char* c : {"s1l0", "s1l1", "s1l2", "s1l3"})
        set.push_back(std::string("smmu.tcu.walk_cache.") + c + ".enable=false");
    SoftwareRun r("", set);
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.xlate.size(), 500u);  // the log has every read
    EXPECT_EQ(u("dma0.transactions"), 300u);
    const uint64_t walks = u("smmu.tcu.walks");
    EXPECT_GT(walks, 200u);
    EXPECT_LE(walks, 300u);
    EXPECT_EQ(u("smmu.tcu.ptw_reads_s1"), 4 * walks);  // uncached: four reads per walk, since the reset
    EXPECT_EQ(stat("smmu.tbu0.xlate_latency")["count"].get<uint64_t>(), 300u);
    EXPECT_EQ(u("sw.workload.dma_jobs"), 1u);  // the software's own counts restart too
}

// With sw.footprint.contiguous the leaves carry the contiguous hint (each stage's output one
// 64 KiB run off, so runs fit and 2 MiB blocks do not) and a TLB entry covers a run: 64 MiB is
// 1024 runs, inside the main TLB's reach, where 16384 pages are not.
TEST(BaseSoftwarePolicies, FootprintContiguousHintWidensTheTlbReach) {
    SoftwareRun r("", {"sw.workload=footprint", "sw.footprint.bytes=64MiB", "sw.footprint.accesses=1000",
                       "sw.footprint.warmup=4000", "sw.footprint.contiguous=true", "smmu.tcu.contiguous=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.errors"), 0u);
    EXPECT_LT(u("smmu.tcu.walks"), 100u);  // without the hint about 7 in 8 reads walk
    for (const json& x : r.xlate) {
        const uint64_t pa = num(x["pa"]);
        EXPECT_EQ(pa & 0xFFFF, num(x["iova"]) & 0xFFFF);  // run-aligned output
        EXPECT_NE(pa & 0x1FFFFF, num(x["iova"]) & 0x1FFFFF);  // but no block would fit
    }
}

// A 40-bit OAS and the 16K granule: Linux up to 6.13 starts a 40-bit IPA at level 1, which the
// Arm ARM forbids below 42 PA bits (S2InvalidSL): the SMMU rejects the STE and every access
// faults. Linux 6.14's rule (sw.driver.s2_concat=mandatory) starts at level 2 with 16 tables.
TEST(BaseSoftwarePolicies, Stage2Of16KWithFortyBitOasNeedsMandatoryConcatenation) {
    SoftwareRun r("", {"sw.workload=footprint", "sw.footprint.stage=s2", "sw.footprint.granule=16384",
                       "sw.footprint.bytes=64MiB", "sw.footprint.accesses=100", "smmu.oas=2",
                       "sw.driver.s2_concat=mandatory"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.errors"), 0u);
    EXPECT_EQ(u("smmu.tcu.faults"), 0u);
    // Two levels (16 concatenated level-2 tables, then the page): the leaf, once the level-2
    // walk cache holds the table descriptors.
    EXPECT_GT(u("smmu.tcu.walks"), 0u);
    EXPECT_LE(u("smmu.tcu.ptw_reads_s2"), u("smmu.tcu.walks") + 32);
}

TEST(BaseSoftwarePolicies, Stage2Of16KWithFortyBitOasLinux613StartIsRejected) {
    SoftwareRun r("", {"sw.workload=footprint", "sw.footprint.stage=s2", "sw.footprint.granule=16384",
                       "sw.footprint.bytes=64MiB", "sw.footprint.accesses=100", "smmu.oas=2"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.errors"), 100u);
    ASSERT_FALSE(r.event.empty());
    EXPECT_EQ(r.event[0]["type"], "C_BAD_STE");
}
