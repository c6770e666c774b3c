// The software stack end to end on the `base` platform: the driver programs the SMMU through
// registers and tables, devices DMA through it, and what lands where is read back from the
// logs a user reads (--xlate-log, --cmd-log, --event-log) and from stats.

#include <gtest/gtest.h>

#include "sw/driver/tlb_inv.h"
#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using nlohmann::json;
using test::hex;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

constexpr uint64_t kIova = 0x10000000, kIpa = 0x40000000, kPa = 0x80200000;

std::string domain_json(const std::string& stage, uint64_t granule) {
    if (stage == "nested")
        return R"({"name": "host", "stage": "s2", "granule": )" + std::to_string(granule) +
               R"(, "ias": 40}, {"name": "d", "stage": "nested", "parent": "host", "granule": )" +
               std::to_string(granule) + "}";
    return R"({"name": "d", "stage": ")" + stage + R"(", "granule": )" + std::to_string(granule) +
           (stage == "s2" ? R"(, "ias": 40})" : "}");
}

// Maps `size` at kIova to kPa in domain d (through kIpa on the parent when nested).
std::string map_json(const std::string& stage, uint64_t size, uint64_t pa = kPa, const char* prot = "rw") {
    const std::string p = std::string(R"(, "prot": ")") + prot + "\"}";
    if (stage == "nested")
        return R"({"op": "map", "domain": "d", "iova": ")" + hex(kIova) + R"(", "pa": ")" + hex(kIpa) +
               R"(", "size": ")" + hex(size) + "\"" + p + R"(, {"op": "map", "domain": "host", "iova": ")" +
               hex(kIpa) + R"(", "pa": ")" + hex(pa) + R"(", "size": ")" + hex(size) + "\"" + p;
    return R"({"op": "map", "domain": "d", "iova": ")" + hex(kIova) + R"(", "pa": ")" + hex(pa) +
           R"(", "size": ")" + hex(size) + "\"" + p;
}

std::string dma_json(uint64_t count, uint64_t stride, const char* rw = "w", uint32_t sid = 1) {
    return R"({"op": "dma", "sid": )" + std::to_string(sid) + R"(, "iova": ")" + hex(kIova) +
           R"(", "size": 64, "rw": ")" + rw + R"(", "count": )" + std::to_string(count) +
           R"(, "stride": )" + std::to_string(stride) + "}";
}

std::string scenario(const std::string& domains, const std::string& steps, const std::string& attach = "") {
    return R"({"domains": [)" + domains + R"(], "attach": [)" +
           (attach.empty() ? std::string(R"({"sid": 1, "domain": "d"})") : attach) + R"(], "steps": [)" + steps +
           "]}";
}


class Stages : public ::testing::TestWithParam<std::tuple<std::string, uint64_t>> {};

}  // namespace

TEST_P(Stages, TranslationsLandWhereTheMappingsSay) {
    const auto& [stage, g] = GetParam();
    SoftwareRun r(scenario(domain_json(stage, g), map_json(stage, 4 * g) + "," + dma_json(4, g) + "," +
                                                      R"({"op": "dma", "sid": 1, "iova": ")" + hex(kIova + 3 * g + 128) +
                                                      R"(", "size": 64, "rw": "r"})"));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 5u);
    for (uint64_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r.xlate[i]["status"], "ok") << r.xlate[i];
        EXPECT_EQ(num(r.xlate[i]["iova"]), kIova + i * g);
        EXPECT_EQ(num(r.xlate[i]["pa"]), kPa + i * g) << r.xlate[i];
    }
    EXPECT_EQ(num(r.xlate[4]["pa"]), kPa + 3 * g + 128);
    EXPECT_TRUE(r.event.empty());
}

INSTANTIATE_TEST_SUITE_P(AllGranules, Stages,
                         ::testing::Combine(::testing::Values("s1", "s2", "nested"),
                                            ::testing::Values(4096, 16384, 65536)),
                         [](const auto& p) {
                             return std::get<0>(p.param) + "_" + std::to_string(std::get<1>(p.param) / 1024) + "K";
                         });

TEST(BaseSoftware, DmaAfterUnmapFaultsAndARemapLandsOnTheNewAddress) {
    const uint64_t pa2 = 0x90000000;
    SoftwareRun r(scenario(domain_json("s1", 4096),
                           map_json("s1", 0x4000) + "," + dma_json(4, 4096) + "," +
                               R"({"op": "unmap", "domain": "d", "iova": ")" + hex(kIova) + R"(", "size": "0x4000"},)" +
                               dma_json(4, 4096) + "," + map_json("s1", 0x4000, pa2) + "," + dma_json(4, 4096)));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 12u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r.xlate[i]["status"], "ok");
    for (int i = 4; i < 8; ++i) {
        EXPECT_EQ(r.xlate[i]["status"], "fault") << r.xlate[i];
        EXPECT_EQ(r.xlate[i]["event"], "F_TRANSLATION");
    }
    for (int i = 8; i < 12; ++i) EXPECT_EQ(num(r.xlate[i]["pa"]), pa2 + uint64_t(i - 8) * 4096) << r.xlate[i];
    ASSERT_EQ(r.event.size(), 4u);
    EXPECT_EQ(r.event[0]["type"], "F_TRANSLATION");
    EXPECT_EQ(num(r.event[0]["addr"]), kIova);
    EXPECT_EQ(r.event[0]["sid"], 1);
    EXPECT_EQ(r.event[0]["s2"], false);
}

TEST(BaseSoftware, StageTwoUnmapUnderANestedDomainLeavesNoCombinedEntry) {
    // The parent's mapping goes: the nested translation faults at stage 2 with the IPA.
    SoftwareRun r(scenario(domain_json("nested", 4096),
                           map_json("nested", 0x2000) + "," + dma_json(2, 4096) + "," +
                               R"({"op": "unmap", "domain": "host", "iova": ")" + hex(kIpa) + R"(", "size": "0x2000"},)" +
                               dma_json(2, 4096)));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 4u);
    EXPECT_EQ(r.xlate[1]["status"], "ok");
    EXPECT_EQ(r.xlate[2]["status"], "fault");
    EXPECT_EQ(r.xlate[2]["s2"], true);
    ASSERT_GE(r.event.size(), 1u);
    EXPECT_EQ(r.event[0]["type"], "F_TRANSLATION");
    EXPECT_EQ(r.event[0]["s2"], true);
    EXPECT_EQ(r.event[0]["class"], "IN");
    EXPECT_EQ(num(r.event[0]["ipa"]), kIpa);
    // Linux adds TLBI_NH_ALL for a stage-2 domain that nests others.
    EXPECT_EQ(r.commands("TLBI_S2_IPA").size(), 1u);
    EXPECT_EQ(r.commands("TLBI_NH_ALL").size(), 1u);
}

namespace {

// The by-address TLBIs and CMD_SYNCs after the attach, grouped: each group ends at a sync.
std::vector<std::vector<json>> unmap_groups(const SoftwareRun& r) {
    size_t start = 0;
    for (size_t i = 0; i < r.cmd.size(); ++i)
        if (r.cmd[i]["op"] == "PREFETCH_CONFIG") start = i + 1;
    std::vector<std::vector<json>> groups(1);
    for (size_t i = start; i < r.cmd.size(); ++i) {
        if (r.cmd[i]["op"] == "CMD_SYNC") groups.emplace_back();
        else groups.back().push_back(r.cmd[i]);
    }
    groups.pop_back();
    return groups;
}

void expect_same(const std::vector<json>& got, const std::vector<smmu::arch::Command>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(num(got[i]["raw"][0]), want[i].dw[0]) << i;
        EXPECT_EQ(num(got[i]["raw"][1]), want[i].dw[1]) << i;
    }
}

}  // namespace

TEST(BaseSoftware, StrictUnmapIssuesLinuxsRangeCommandsAndOneSync) {
    // Each size is mapped at a 2 MiB-aligned IOVA and PA (so 512 pages are one block), then
    // unmapped: the commands must be __arm_smmu_tlb_inv_range's for the gathered leaves.
    const uint64_t sizes[] = {1, 2, 3, 17, 47, 64, 100, 512, 513, 1000};
    std::string steps;
    uint64_t iova = kIova;
    for (uint64_t pages : sizes) {
        const std::string sz = hex(pages * 4096);
        steps += R"({"op": "map", "domain": "d", "iova": ")" + hex(iova) + R"(", "pa": ")" + hex(0x80000000 + (iova - kIova)) +
                 R"(", "size": ")" + sz + R"("}, {"op": "unmap", "domain": "d", "iova": ")" + hex(iova) +
                 R"(", "size": ")" + sz + R"("},)";
        iova += uint64_t(8) << 20;
    }
    steps.pop_back();
    SoftwareRun r(scenario(domain_json("s1", 4096), steps));
    ASSERT_FALSE(r.failure) << r.failure_text;
    const auto groups = unmap_groups(r);
    sw::driver::InvTarget t;
    t.asid = 1;
    size_t g = 0;
    iova = kIova;
    for (uint64_t pages : sizes) {
        SCOPED_TRACE(std::to_string(pages) + " pages");
        const uint64_t blocks = pages / 512, rest = pages % 512;
        if (blocks) {  // the 2 MiB leaves gather first, then the pages (a page-size change syncs)
            ASSERT_LT(g, groups.size());
            expect_same(groups[g++], sw::driver::range_commands(t, iova, blocks << 21, 2u << 20, true, true));
        }
        if (rest) {
            ASSERT_LT(g, groups.size());
            expect_same(groups[g++],
                        sw::driver::range_commands(t, iova + (blocks << 21), rest * 4096, 4096, true, true));
        }
        iova += uint64_t(8) << 20;
    }
    EXPECT_EQ(g, groups.size());
    // The worked example of the reference: 47 pages = NUM 14 SCALE 0, then NUM 0 SCALE 5.
    EXPECT_EQ(groups[4].size(), 2u);
    EXPECT_EQ(groups[4][0]["num"], 14);
    EXPECT_EQ(groups[4][1]["scale"], 5);
    EXPECT_EQ(stat("sw.driver.commands_per_unmap")["count"], 10);
}

TEST(BaseSoftware, WithoutRangeInvalidationOneCommandPerPageInBatchesOf64) {
    SoftwareRun r(scenario(domain_json("s1", 4096),
                           R"({"op": "map", "domain": "d", "iova": ")" + hex(kIova) +
                               R"(", "pa": "0x80000000", "size": "0x64000"}, {"op": "unmap", "domain": "d", "iova": ")" +
                               hex(kIova) + R"(", "size": "0x64000"})"),
                  {"smmu.ril=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    const auto va = r.commands("TLBI_NH_VA");
    ASSERT_EQ(va.size(), 100u);
    for (size_t i = 0; i < va.size(); ++i) {
        EXPECT_EQ(num(va[i]["addr"]), kIova + i * 4096);
        EXPECT_EQ(va[i]["tg"], 0);
    }
    // One CMD_SYNC for the unmap: the first 64 go without one.
    EXPECT_EQ(unmap_groups(r).size(), 1u);
    EXPECT_EQ(stat("sw.driver.commands_per_unmap")["max"], 101);
}
