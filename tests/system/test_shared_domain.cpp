// A domain shared by two SMMU instances on the real model (platforms/examples/two_smmus.json,
// traces/scenarios/multi_smmu/shared_domain.json): after a strict unmap neither SMMU
// translates the IOVA any more (the DMA of both devices faults, and the stale-entry check,
// models/smmu/stale_check.h, is on), and each command queue received exactly what the
// invalidation array's walk yields: its own instance's range TLBI and one CMD_SYNC.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "models/smmu/arch/command_builders.h"
#include "tests/system/software_run.h"

namespace smmusim {
namespace {

using test::num;

std::string read(const std::string& rel) {
    std::ifstream in(std::string(SMMU_SOURCE_DIR) + "/" + rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The raw dwords of the four-page range TLBI_NH_VA of ASID `asid` (NUM 0, SCALE 2, TTL 3, TG 4K).
std::vector<std::string> range4(uint16_t asid) {
    smmu::arch::Command c = smmu::arch::cmd::tlbi_by_address(smmu::arch::op::TLBI_NH_VA, asid, 0);
    smmu::arch::cmd::set_range(c, 0x10000000, true, 1, 3, 0, 2);
    char b[2][24];
    std::snprintf(b[0], sizeof b[0], "0x%016llx", static_cast<unsigned long long>(c.dw[0]));
    std::snprintf(b[1], sizeof b[1], "0x%016llx", static_cast<unsigned long long>(c.dw[1]));
    return {b[0], b[1]};
}

void run_shared(const char* order, bool ecmdq = false) {
    setenv("SMMU_CHECK_STALE", "1", 1);
    std::vector<std::string> sets = {std::string("sw.driver.inv_instances=") + order};
    if (ecmdq) sets.insert(sets.end(), {"smmu.ecmdqs=2", "smmu1.ecmdqs=2", "sw.driver.ecmdq=true"});
    test::SoftwareRun r(read("traces/scenarios/multi_smmu/shared_domain.json"), sets,
                        SMMU_SOURCE_DIR "/platforms/examples/two_smmus.json");
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    // Four translations per device before the unmap, one fault each after it.
    ASSERT_EQ(r.xlate.size(), 10u);
    for (const char* dev : {"dma0", "dma1"}) {
        std::vector<nlohmann::json> mine;
        for (const auto& x : r.xlate)
            if (x["dev"] == dev) mine.push_back(x);
        ASSERT_EQ(mine.size(), 5u) << dev;
        for (size_t i = 0; i < 4; ++i) EXPECT_EQ(mine[i]["status"], "ok") << dev << " " << mine[i];
        EXPECT_EQ(mine[4]["status"], "fault") << dev << ": a stale translation after the unmap";
    }
    // The unmap's commands: from the first TLBI on, smmu's (the domain's ASID 1) and smmu1's
    // (ASID 2 there: its own domain 'other' holds 1), one CMD_SYNC each, on its own queue (the
    // MSI address is the sync's slot in that queue).
    size_t first = r.cmd.size();
    for (size_t i = 0; i < r.cmd.size(); ++i)
        if (r.cmd[i]["op"] == "TLBI_NH_VA") {
            first = i;
            break;
        }
    ASSERT_LT(first, r.cmd.size());
    std::vector<nlohmann::json> tlbi, syncs;
    for (size_t i = first; i < r.cmd.size(); ++i) (r.cmd[i]["op"] == "CMD_SYNC" ? syncs : tlbi).push_back(r.cmd[i]);
    ASSERT_EQ(tlbi.size(), 2u);
    EXPECT_EQ(tlbi[0]["raw"].get<std::vector<std::string>>(), range4(1));
    EXPECT_EQ(tlbi[1]["raw"].get<std::vector<std::string>>(), range4(2));
    ASSERT_EQ(syncs.size(), 2u);
    EXPECT_NE(num(syncs[0]["msi_addr"]) >> 16, num(syncs[1]["msi_addr"]) >> 16);
    EXPECT_EQ(test::stat("smmu.tcu.faults"), 1);
    EXPECT_EQ(test::stat("smmu1.tcu.faults"), 1);
    EXPECT_EQ(test::stat("sw.driver.commands_per_unmap")["max"], 4);  // both instances' commands
    if (ecmdq) {  // every command on the CPU's ECMDQ of each instance
        EXPECT_EQ(test::stat("smmu.tcu.cmdq.commands"), test::stat("smmu.tcu.cmdq.ecmdq0.commands"));
        EXPECT_EQ(test::stat("smmu1.tcu.cmdq.commands"), test::stat("smmu1.tcu.cmdq.ecmdq0.commands"));
    }
}

TEST(SharedDomain, SerialUnmapLeavesNoStaleTranslationInEitherSmmu) { run_shared("serial"); }
TEST(SharedDomain, ParallelUnmapLeavesNoStaleTranslationInEitherSmmu) { run_shared("parallel"); }
TEST(SharedDomain, ParallelUnmapOnEcmdqs) { run_shared("parallel", true); }
TEST(SharedDomain, SerialUnmapOnEcmdqs) { run_shared("serial", true); }

}  // namespace
}  // namespace smmusim
