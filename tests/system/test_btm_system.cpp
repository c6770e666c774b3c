// Broadcast TLB maintenance end to end on the base platform (issue 18 part 3): a `tlbi` scenario
// step is a CPU's TLBI ...IS and the DSB ISH after it, through the cluster's DVM port and the
// interconnect's DVM node to the SMMU (smmu.btm), where it invalidates what the architecture
// says. Linux's DMA domains have CD.ASET = 1: a VMALLE1IS of the host (VMID 0) removes their
// entries all the same (the over-invalidation §3.17 warns of, which device traffic then pays in
// misses), ASIDE1IS of any ASID spares them. With CR2.PTM = 1 (mainline Linux, sw.driver.btm
// off) the SMMU ignores broadcasts; without IDR0.BTM they do not reach it.

#include <gtest/gtest.h>

#include <string>

#include "models/core/stats.h"
#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::SoftwareRun;
using test::stat;

namespace {

// 16 pages mapped and read by the device, the CPU's TLBI step(s), the 16 pages read again.
std::string scenario(const std::string& tlbis) {
    return R"({
  "domains": [{"name": "a", "stage": "s1"}],
  "attach": [{"sid": 1, "domain": "a"}],
  "steps": [
    {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x10000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "count": 16, "stride": 4096},
    )" + tlbis + R"(,
    {"op": "dma", "sid": 1, "iova": "0x10000000", "count": 16, "stride": 4096}]})";
}

const std::string kVmall = R"({"op": "tlbi", "instr": "VMALLE1IS", "vmid": 0})";
const std::string kAsids = R"({"op": "tlbi", "instr": "ASIDE1IS", "xt": "0x0000000000000000"},
    {"op": "tlbi", "instr": "ASIDE1IS", "xt": "0x0001000000000000"},
    {"op": "tlbi", "instr": "ASIDE1IS", "xt": "0x0002000000000000"},
    {"op": "tlbi", "instr": "ASIDE1IS", "xt": "0x0003000000000000"})";

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

}  // namespace

TEST(BtmSystem, HostVmallReachesTheSmmuAndTheDeviceMissesAgain) {
    SoftwareRun r(scenario(kVmall), {"smmu.btm=true", "sw.driver.btm=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("cpu_dvm.tlbis"), 1u);
    EXPECT_EQ(n("cpu_dvm.syncs"), 1u);
    EXPECT_EQ(n("dvm.syncs"), 1u);
    EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 1u);
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 32u);  // every page walked again
    EXPECT_GT(stat("cpu_dvm.sync_wait")["max"].get<double>(), 0.0);
}

TEST(BtmSystem, AsidBroadcastsSpareLinuxsNonSharedAsids) {
    SoftwareRun r(scenario(kAsids), {"smmu.btm=true", "sw.driver.btm=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 4u);
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 16u);
}

TEST(BtmSystem, MainlinePtmMakesTheSmmuIgnoreThem) {
    SoftwareRun r(scenario(kVmall), {"smmu.btm=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(n("smmu.tcu.dvm_ignored"), 1u);
    EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 0u);
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 16u);
}

TEST(BtmSystem, WithoutBtmCpuTlbisDoNotReachTheSmmu) {
    SoftwareRun r(scenario(kVmall), {"sw.driver.btm=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(core::StatsRegistry::instance().find("dvm.tlbis"), nullptr);
    EXPECT_EQ(core::StatsRegistry::instance().find("smmu.tcu.dvm_tlbis"), nullptr);
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 16u);
}
