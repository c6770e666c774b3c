// The pkvm platform: host devices on the hypervisor's shadow stage 2, donations that take
// pages away from them, reclaim, the host's own nested stage 1, and every invalidation policy
// leaving nothing stale in any TBU or TCU cache.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using nlohmann::json;
using test::hex;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

// Host traffic off: scenarios alone drive the devices.
SoftwareRun pkvm(const std::string& scenario, std::vector<std::string> sets = {}) {
    sets.insert(sets.begin(), {"dma0.enable=false", "dma1.enable=false"});
    return SoftwareRun(scenario, sets, "pkvm");
}

constexpr uint64_t kPage = 0x180000000ull;  // in the default donation pool

std::string dma(uint64_t addr, const char* rw = "w", uint32_t sid = 1) {
    return R"({"op": "dma", "sid": )" + std::to_string(sid) + R"(, "dev": "dma)" + std::to_string(sid - 1) +
           R"(", "iova": ")" + hex(addr) + R"(", "rw": ")" + rw + "\"}";
}

}  // namespace

TEST(Pkvm, HostDevicesReachHostMemoryAtIdentityAddresses) {
    SoftwareRun r = pkvm(R"({"steps": [)" + dma(0x80001000) + "," + dma(0x200000040, "r", 2) + "," + dma(kPage) + "]}");
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 3u);
    for (const json& x : r.xlate) {
        EXPECT_EQ(x["status"], "ok") << x;
        EXPECT_EQ(x["pa"], x["iova"]);
    }
    // One VMID for both devices; the series' shadow holds 4 KiB pages only: a level-3 table
    // per 2 MiB of the 7.75 GiB.
    EXPECT_GE(stat("sw.hyp.shadow_table_bytes").get<uint64_t>(), 3968u * 4096);
    EXPECT_EQ(stat("sw.hyp.host_memory_bytes").get<uint64_t>(), 0x270000000ull - 0x80000000ull);
}

TEST(Pkvm, DmaToDonatedMemoryFaultsAtStageTwoAndReclaimRestoresIt) {
    SoftwareRun r = pkvm(R"({"steps": [)" + dma(kPage + 0x40) + R"(,
        {"op": "donate", "pa": ")" + hex(kPage) + R"(", "size": "0x1000", "to": "guest"},)" +
                         dma(kPage + 0x40) + "," + dma(kPage + 0x1000) + R"(,
        {"op": "reclaim", "pa": ")" + hex(kPage) + R"(", "size": "0x1000"},)" +
                         dma(kPage + 0x40) + "]}");
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 4u);
    EXPECT_EQ(r.xlate[0]["status"], "ok");
    EXPECT_EQ(r.xlate[1]["status"], "fault");
    EXPECT_EQ(r.xlate[1]["s2"], true);
    EXPECT_EQ(r.xlate[2]["status"], "ok");  // the next page is still the host's
    EXPECT_EQ(r.xlate[3]["status"], "ok");
    ASSERT_EQ(r.event.size(), 1u);
    EXPECT_EQ(r.event[0]["type"], "F_TRANSLATION");
    EXPECT_EQ(r.event[0]["s2"], true);
    EXPECT_EQ(num(r.event[0]["ipa"]), kPage);
    EXPECT_EQ(num(r.event[0]["addr"]), kPage + 0x40);
    EXPECT_EQ(stat("sw.hyp.blocks_split").get<uint64_t>(), 0u);  // pages only: nothing to split
}

TEST(Pkvm, HostStageOneNestsOnTheShadowAndCannotMapDonatedPages) {
    const std::string donate = R"({"op": "donate", "pa": ")" + hex(kPage) + R"(", "size": "0x1000", "to": "hyp"})";
    // Without the series' TLBI_NH_ALL the donation still needs one: the host nests stage 1.
    SoftwareRun r = pkvm(R"({"domains": [{"name": "d", "stage": "s1"}], "attach": [{"sid": 1, "domain": "d"}],
      "steps": [{"op": "map", "domain": "d", "iova": "0x10000000", "pa": ")" + hex(kPage) + R"(", "size": "0x2000"},)" +
                             dma(0x10000000) + "," + donate + "," + dma(0x10000000) + "," + dma(0x10001000) + "]}",
                         {"sw.hyp.nh_all=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 3u);
    EXPECT_EQ(num(r.xlate[0]["pa"]), kPage);
    EXPECT_EQ(r.xlate[1]["status"], "fault");  // the host's stage 1 still maps it; stage 2 does not
    EXPECT_EQ(r.xlate[1]["s2"], true);
    EXPECT_EQ(num(r.xlate[2]["pa"]), kPage + 0x1000);
    ASSERT_EQ(r.event.size(), 1u);
    EXPECT_EQ(num(r.event[0]["ipa"]), kPage);
    // The host's TLBI_NSNH_ALL at boot (as TLBI_NH_ALL of its VMID), then the donation's.
    EXPECT_EQ(r.commands("TLBI_NH_ALL").size(), 2u);
}

TEST(Pkvm, HostCannotMapDonatedPages) {
    const std::string donate = R"({"op": "donate", "pa": ")" + hex(kPage) + R"(", "size": "0x1000", "to": "hyp"})";
    SoftwareRun refused = pkvm(R"({"domains": [{"name": "d", "stage": "s1"}], "steps": [)" + donate +
                               R"(, {"op": "map", "domain": "d", "iova": "0x10000000", "pa": ")" + hex(kPage) +
                               R"(", "size": "0x1000"}]})");
    EXPECT_NE(refused.failure_text.find("steps[1] (map): map: page 0x180000000 is donated to the hypervisor"),
              std::string::npos)
        << refused.failure_text;
}

TEST(Pkvm, DonatingTwiceIsRefused) {
    SoftwareRun twice = pkvm(R"({"steps": [{"op": "donate", "pa": "0x180000000", "size": "0x1000", "to": "guest"},
        {"op": "donate", "pa": "0x180000000", "size": "0x2000", "to": "guest"}]})");
    EXPECT_NE(twice.failure_text.find("steps[1] (donate): donate of [0x180000000, 0x180002000): page 0x180000000 is "
                                      "donated to a guest, not owned by the host"),
              std::string::npos)
        << twice.failure_text;
}

TEST(Pkvm, ReclaimOutsideHostMemoryIsRefused) {
    SoftwareRun outside = pkvm(R"({"steps": [{"op": "reclaim", "pa": "0x270000000", "size": "0x1000"}]})");
    EXPECT_NE(outside.failure_text.find("outside host memory"), std::string::npos) << outside.failure_text;
}

TEST(Pkvm, HostMayOnlyCreateStageOneDomains) {
    SoftwareRun s1only = pkvm(R"({"domains": [{"name": "x", "stage": "s2"}]})");
    EXPECT_NE(s1only.failure_text.find("the host may only create s1 domains"), std::string::npos)
        << s1only.failure_text;
}

namespace {
class Policies : public ::testing::TestWithParam<std::string> {};
}  // namespace

// A donation completes only once no host device can reach the pages: each device warmed its
// TLBs on them, and the first access after the hypercall returns faults (with the old
// `sw.hyp.gather` > 1, the donation returned before its TLBI and sync, and these succeeded).
TEST_P(Policies, NoStaleTranslationInAnyCache) {
    const std::string& policy = GetParam();
    // Every SMMU cache on, leaves in the walk caches: anything stale would be found.
    std::vector<std::string> sets = {"sw.hyp.policy=" + policy, "smmu.tcu.tlb.enable=true",
                                     "smmu.tcu.ipa_cache.enable=true"};
    for (int l = 0; l < 4; ++l) sets.push_back("smmu.tcu.walk_cache.s2l" + std::to_string(l) + ".leaves=true");
    std::string steps;
    for (int i = 0; i < 4; ++i) steps += dma(kPage + i * 0x1000) + "," + dma(kPage + i * 0x1000, "r", 2) + ",";
    for (int i = 0; i < 4; ++i)
        steps += R"({"op": "donate", "pa": ")" + hex(kPage + i * 0x1000) + R"(", "size": "0x1000", "to": "guest"},)" +
                 dma(kPage + i * 0x1000) + "," + dma(kPage + i * 0x1000, "r", 2) + ",";
    steps += dma(kPage + 0x10000);
    SoftwareRun r = pkvm(R"({"steps": [)" + steps + "]}", sets);
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 17u);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(r.xlate[i]["status"], "ok") << i;
    for (int i = 8; i < 16; ++i) {
        EXPECT_EQ(r.xlate[i]["status"], "fault") << i << " " << r.xlate[i];
        EXPECT_EQ(r.xlate[i]["s2"], true);
    }
    EXPECT_EQ(r.xlate[16]["status"], "ok");
    EXPECT_GE(stat("sw.hyp.syncs_per_donation")["min"], 1);  // each donation synced before returning
    EXPECT_EQ(stat("sw.hyp.donations").get<uint64_t>(), 4u);
    if (policy == "vmid") {
        EXPECT_FALSE(r.commands("TLBI_S12_VMALL").empty());
        EXPECT_TRUE(r.commands("TLBI_S2_IPA").empty());
    } else {
        EXPECT_FALSE(r.commands("TLBI_S2_IPA").empty());
    }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Policies, ::testing::Values("page", "range", "vmid", "gather", "blocks"),
                         [](const auto& p) { return p.param; });

TEST(Pkvm, BuiltInDonationWorkloadRunsWithHostTraffic) {
    SoftwareRun r("", {"sw.pkvm.donations=64"}, "pkvm");
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(stat("sw.hyp.donations").get<uint64_t>(), 64u);
    EXPECT_EQ(stat("sw.hyp.reclaims").get<uint64_t>(), 64u);
    EXPECT_EQ(stat("sw.hyp.donated_bytes").get<uint64_t>(), 0u);
    EXPECT_GT(stat("dma0.transactions").get<uint64_t>(), 1000u);
    EXPECT_EQ(stat("dma0.errors").get<uint64_t>(), 0u);  // host traffic never touches the pool
    EXPECT_EQ(stat("dma1.errors").get<uint64_t>(), 0u);
    EXPECT_TRUE(r.event.empty());
}

namespace {
// A host device streams to a page next to the donated one, in the same shadow block, while the
// donation splits that block: with break-before-make (BBML0) the block is invalid for a moment
// and the stream faults on host-owned pages; with BBML2 it never does.
SoftwareRun donation_under_live_dma(unsigned bbml) {
    const std::string stream = R"({"op": "dma", "sid": 2, "dev": "dma1", "iova": ")" + hex(kPage + 0x200000) +
                               R"(", "size": 64, "rw": "w", "count": 3000, "stride": 0, "async": true})";
    return pkvm(R"({"steps": [)" + stream + R"(,
        {"op": "donate", "pa": ")" + hex(kPage) + R"(", "size": "0x1000", "to": "guest"},
        {"op": "wait"}]})",
                {"smmu.bbml=" + std::to_string(bbml), "sw.hyp.policy=blocks"});
}
}  // namespace

TEST(Pkvm, BreakBeforeMakeTransientlyFaultsLiveDmaAndIsCounted) {
    SoftwareRun r = donation_under_live_dma(0);
    ASSERT_FALSE(r.failure) << r.failure_text;
    uint64_t faults = 0;
    for (const json& x : r.xlate) faults += x["status"] == "fault";
    EXPECT_GT(faults, 0u) << "the stream never met the invalid block";
    EXPECT_EQ(stat("sw.hyp.bbm_faults").get<uint64_t>(), r.event.size());
    EXPECT_GT(stat("sw.hyp.bbm_faults").get<uint64_t>(), 0u);
    EXPECT_GT(stat("sw.hyp.blocks_split").get<uint64_t>(), 0u);
}

TEST(Pkvm, WithBbml2LiveDmaNeverFaultsDuringASplit) {
    SoftwareRun r = donation_under_live_dma(2);
    ASSERT_FALSE(r.failure) << r.failure_text;
    for (const json& x : r.xlate) ASSERT_EQ(x["status"], "ok") << x;
    EXPECT_EQ(r.xlate.size(), 3000u);
    EXPECT_EQ(stat("sw.hyp.bbm_faults").get<uint64_t>(), 0u);
    EXPECT_GT(stat("sw.hyp.blocks_split").get<uint64_t>(), 0u);
}

// The host's own driver runs on trapped registers: its commands go through the hypervisor,
// which refuses a stage-2 TLBI (CERROR_ILL in the host's view, the command replaced by a
// CMD_SYNC by the host's GERROR handler) and copies the rest with the host VMID.
TEST(Pkvm, HostCommandQueueIsTrappedAndFiltered) {
    SoftwareRun r = pkvm(R"({"steps": [{"op": "command", "raw": ["0x28", "0x0"]},
                                       {"op": "command", "raw": ["0x0000000000000011", "0x0"]}]})");
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(stat("sw.hyp.refused_commands").get<uint64_t>(), 1u);
    EXPECT_GT(stat("sw.hyp.trapped_accesses").get<uint64_t>(), 20u);
    EXPECT_GT(stat("sw.hyp.emulated_commands").get<uint64_t>(), 2u);
    EXPECT_TRUE(r.commands("TLBI_S12_VMALL").empty());  // the host's never reached the SMMU
    ASSERT_FALSE(r.commands("TLBI_NH_ASID").empty());
    EXPECT_NE(r.commands("TLBI_NH_ASID")[0]["vmid"], 0);  // given the host VMID
    EXPECT_EQ(stat("sw.driver.gerrors").get<uint64_t>(), 0u);  // the real SMMU never saw an error
}

// The host kernel on four CPUs, each with its own NIC queue on the shared host device: the
// host's Linux command queue uses the platform's atomics through the trapped bus and the
// hypervisor emulates each trapped access under the SMMU's lock (the series'
// smmu_dabt_handler), so every host command is emulated once and no DMA fails. (Before, the
// host's atomics were a read and a write: concurrent CPUs corrupted the host's queue.)
TEST(Pkvm, HostOnFourCpusSharesItsQueueThroughTheTrapsWithoutLoss) {
    SoftwareRun r("", {"dma0.enable=false", "dma1.enable=false", "cpus=4", "sw.workload=nic", "sw.workload.cpus=4",
                       "sw.nic.packets=100"},
                  "pkvm");
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(stat("sw.workload.dma_errors").get<uint64_t>(), 0u);
    EXPECT_EQ(stat("sw.workload.dma_jobs").get<uint64_t>(), 4u * 100 * 2);  // a descriptor and a packet each
    EXPECT_EQ(stat("smmu.tcu.faults").get<uint64_t>(), 0u);
    EXPECT_EQ(stat("sw.hyp.refused_commands").get<uint64_t>(), 0u);
    EXPECT_GT(stat("cpu1.atomics").get<uint64_t>(), 0u) << "the host's queue on CPU 1 used atomics";
}
