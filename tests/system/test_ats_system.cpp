// PCIe ATS end to end on the real model: devices with an ATC (`<dev>.ats`, models/smmu/ats/
// ats_function.h) behind SMMUs with IDR0.ATS, the driver enabling ATS as Linux does. After a
// strict unmap no device may reach the page through its ATC: the unmap's ATC_INV follows the
// TLBIs' CMD_SYNC on each instance, its own CMD_SYNC waits for the device's completion, and the
// device's next access misses, asks the SMMU and fails.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/system/software_run.h"

namespace smmusim {
namespace {

std::string read(const std::string& rel) {
    std::ifstream in(std::string(SMMU_SOURCE_DIR) + "/" + rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const char* kTwoSmmus = SMMU_SOURCE_DIR "/platforms/examples/two_smmus.json";

std::vector<std::string> ats_on(std::vector<std::string> more = {}) {
    std::vector<std::string> v = {"smmu.ats=true", "dma0.ats=true", "dma1.ats=true"};
    v.insert(v.end(), more.begin(), more.end());
    return v;
}

// One page of StreamID 1's stage-1 domain mapped, read by the device, unmapped, read again.
const char* const kOnePageUnmapped = R"({
  "domains": [{"name": "a", "stage": "s1"}],
  "attach": [{"sid": 1, "domain": "a"}],
  "steps": [
    {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64},
    {"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64}]})";

// The commands the SMMU received from the unmap's first TLBI on.
std::vector<std::string> ops_from_the_unmap(const std::vector<nlohmann::json>& cmd) {
    std::vector<std::string> ops;
    bool on = false;
    for (const auto& c : cmd) {
        const std::string op = c["op"];
        if (op == "TLBI_NH_VA") on = true;
        if (on) ops.push_back(op);
    }
    return ops;
}

void run_shared(const char* order) {
    setenv("SMMU_CHECK_STALE", "1", 1);
    test::SoftwareRun r(read("traces/scenarios/multi_smmu/shared_domain.json"),
                        ats_on({"smmu1.ats=true", std::string("sw.driver.inv_instances=") + order}), kTwoSmmus);
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    for (const char* dev : {"dma0", "dma1"}) {
        const std::string d(dev);
        // Four pages before the unmap: four Translation Requests, four Translated accesses.
        EXPECT_EQ(test::stat(d + ".ats.translation_requests"), 5) << dev;
        EXPECT_EQ(test::stat(d + ".ats.translated"), 4) << dev;
        // After it the ATC no longer holds the page: the access misses, the SMMU's completion
        // has no translation, the access fails.
        EXPECT_EQ(test::stat(d + ".ats.translation_failures"), 1) << dev;
        EXPECT_EQ(test::stat(d + ".errors"), 1) << dev << ": a stale ATC translation after the unmap";
        EXPECT_GE(test::stat(d + ".ats.atc.invalidated"), 1) << dev;
    }
    // Each instance's queue (the cmd log names it): its TLBI and CMD_SYNC, then its ATC_INV and
    // CMD_SYNC.
    for (const char* smmu : {"smmu", "smmu1"}) {
        std::vector<nlohmann::json> mine;
        for (const auto& c : r.cmd)
            if (c["smmu"] == smmu) mine.push_back(c);
        EXPECT_EQ(ops_from_the_unmap(mine), (std::vector<std::string>{"TLBI_NH_VA", "CMD_SYNC", "ATC_INV", "CMD_SYNC"}))
            << smmu;
    }
    // The TBUs translated nothing themselves: every access came translated.
    EXPECT_EQ(test::stat("smmu.tbu0.utlb.misses"), 0);
    EXPECT_EQ(test::stat("smmu1.tbu0.utlb.misses"), 0);
    EXPECT_EQ(test::stat("smmu.tbu0.ats_unchecked"), 4);
    EXPECT_EQ(test::stat("smmu.tcu.atc_invalidations"), test::stat("smmu1.tcu.atc_invalidations"));
}

TEST(AtsSystem, SharedDomainUnmapLeavesNoAtcEntryOnEitherInstanceSerial) { run_shared("serial"); }
TEST(AtsSystem, SharedDomainUnmapLeavesNoAtcEntryOnEitherInstanceParallel) { run_shared("parallel"); }

// The order on each queue: the unmap's TLBI and its CMD_SYNC, then the ATC_INV and its own
// CMD_SYNC (arm_smmu_atc_inv_domain after the TLB sync), and that CMD_SYNC completes only after
// the device's Invalidation Completion (`dma0.ats.inv_latency` later).
TEST(AtsSystem, AtcInvalidationFollowsTheTlbSyncAndItsSyncWaitsForTheDevice) {
    test::SoftwareRun slow(kOnePageUnmapped, ats_on({"dma0.ats.inv_latency=20us"}));
    ASSERT_TRUE(slow.failure_text.empty()) << slow.failure_text;
    EXPECT_EQ(ops_from_the_unmap(slow.cmd),
              (std::vector<std::string>{"TLBI_NH_VA", "CMD_SYNC", "ATC_INV", "CMD_SYNC"}));
    EXPECT_EQ(test::stat("dma0.errors"), 1);
    EXPECT_EQ(test::stat("smmu.tcu.atc_inv_latency")["min"], 20000.0);  // ns
    const double slow_unmap = test::stat("sw.driver.unmap_cycles")["mean"];
    // 20 us at the CPU's 2 GHz: the unmap waited for the device.
    EXPECT_GT(slow_unmap, 40000.0);
}

// A device slower than the SMMU's ATC invalidation timeout: the unmap's CMD_SYNC fails with
// CERROR_ATC_INV_SYNC (GERROR.CMDQ_ERR, CONS left on it), the driver acknowledges and the SMMU
// runs the CMD_SYNC again, as often as it takes (Linux arm_smmu_cmdq_skip_err); the unmap ends
// after the device completes, and the page is gone from its ATC.
TEST(AtsSystem, AnAtcInvalidationTimeoutFailsTheSyncWhichIsRetried) {
    test::SoftwareRun r(kOnePageUnmapped, ats_on({"dma0.ats.inv_latency=35us", "smmu.tcu.atc_inv_timeout=10us"}));
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    size_t timeouts = 0;
    for (const auto& c : r.cmd)
        if (c.value("error", std::string()) == "CERROR_ATC_INV_SYNC") {
            EXPECT_EQ(c["op"], "CMD_SYNC");
            ++timeouts;
        }
    // The attach's whole-ATC invalidation (arm_smmu_enable_ats) and the unmap's each time out
    // at about 10, 20 and 30 us (each retry waits its own 10 us from its restart: 2 or 3 times),
    // then their sync completes once the device has.
    EXPECT_GE(timeouts, 4u);
    EXPECT_LE(timeouts, 6u);
    EXPECT_EQ(test::stat("smmu.tcu.cmdq.errors"), int64_t(timeouts));
    EXPECT_GT(test::stat("sw.driver.unmap_cycles")["mean"], 70000.0);  // >= 35 us at 2 GHz
    EXPECT_EQ(test::stat("dma0.errors"), 1);  // the page is not reachable after the unmap
}

// Linux enables ATS in the device only under a translating domain, after flushing its ATC
// (arm_smmu_enable_ats: ATC_INV of the whole ATC, CMD_SYNC, then pci_enable_ats); under an
// identity domain the device's accesses go untranslated and the SMMU bypasses them.
TEST(AtsSystem, AtsIsEnabledInTheDeviceOnlyUnderATranslatingDomain) {
    const char* scenario = R"({
      "domains": [{"name": "a", "stage": "s1"}, {"name": "id", "stage": "bypass"}],
      "attach": [{"sid": 1, "domain": "a"}, {"sid": 2, "domain": "id"}],
      "steps": [
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64},
        {"op": "dma", "dev": "dma1", "sid": 2, "iova": "0x80000000", "size": 64}]})";
    test::SoftwareRun r(scenario, ats_on());
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    EXPECT_EQ(test::stat("dma0.ats.translated"), 1);
    EXPECT_EQ(test::stat("dma0.ats.untranslated"), 0);
    EXPECT_EQ(test::stat("dma1.ats.translated"), 0);
    EXPECT_EQ(test::stat("dma1.ats.untranslated"), 1);
    EXPECT_EQ(test::stat("dma1.errors"), 0);
    // The attach of StreamID 1: its STE, then the whole-ATC invalidation and its sync.
    bool ste = false, inv = false;
    for (const auto& c : r.cmd) {
        if (c["op"] == "CFGI_STE" && c.value("sid", -1) == 1) ste = true;
        if (c["op"] == "ATC_INV") {
            EXPECT_TRUE(ste) << "the ATC is flushed after the STE allows ATS";
            EXPECT_EQ(c.value("sid", -1), 1);
            inv = true;
        }
    }
    EXPECT_TRUE(inv);
}

// Without IDR0.ATS (or with sw.driver.ats=false) the driver never enables ATS: the device
// with an ATC sends its accesses untranslated, and the results are those of a device without one.
TEST(AtsSystem, WithoutAtsInTheSmmuTheDeviceTranslatesNothing) {
    test::SoftwareRun r(read("traces/scenarios/multi_smmu/shared_domain.json"), {"dma0.ats=true", "dma1.ats=true"},
                        kTwoSmmus);
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    EXPECT_EQ(test::stat("dma0.ats.translated"), 0);
    EXPECT_EQ(test::stat("dma0.ats.untranslated"), 5);
    EXPECT_EQ(test::stat("dma0.errors"), 1);  // the access after the unmap faults in the SMMU
    EXPECT_EQ(test::stat("smmu.tcu.atc_invalidations"), 0);
}

}  // namespace
}  // namespace smmusim

namespace smmusim {
namespace {

// sw.workload.devices=spread: CPU c drives device c, every device in one domain attached on its
// own instance; each unmap reaches both instances (their TLBIs and their devices' ATCs).
TEST(AtsSystem, SpreadNicDomainIsInvalidatedOnEveryInstanceAndEveryAtc) {
    setenv("SMMU_CHECK_STALE", "1", 1);
    test::SoftwareRun r("", ats_on({"smmu1.ats=true", "cpus=2", "sw.workload.cpus=0", "sw.workload.devices=spread",
                                    "sw.nic.packets=20", "sw.nic.ring_bytes=0"}),
                        kTwoSmmus);
    ASSERT_TRUE(r.failure_text.empty()) << r.failure_text;
    EXPECT_EQ(test::stat("sw.workload.dma_errors"), 0);
    const int64_t unmaps = test::stat("sw.driver.unmap_cycles")["count"];
    EXPECT_EQ(unmaps, 40);  // 20 packets on each CPU, all in the one domain
    // Every unmap sends one ATC_INV to each instance's device, plus one per device at its attach.
    EXPECT_EQ(test::stat("smmu.tcu.atc_invalidations"), unmaps + 1);
    EXPECT_EQ(test::stat("smmu1.tcu.atc_invalidations"), unmaps + 1);
    EXPECT_GT(test::stat("dma1.ats.translated"), 0);
    EXPECT_EQ(test::stat("dma1.ats.translation_failures"), 0);
}

}  // namespace
}  // namespace smmusim
