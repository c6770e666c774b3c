// The map benchmark workload (sw.workload=mapbench, Linux's kernel/dma/map_benchmark.c): each
// CPU maps and unmaps one buffer in a loop with no DMA. What its stats must show: every pair
// counted, one invalidation per strict unmap as the SMMU's features allow, the command queue
// shared by every CPU with nothing lost, lazy mode's flushes instead of per-unmap TLBIs, and a
// throughput that is the pairs over the CPUs' time in them.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::SoftwareRun;
using test::stat;

namespace {
uint64_t u(const std::string& name) { return stat(name).get<uint64_t>(); }
double f(const std::string& name) { return stat(name).get<double>(); }
// The TLBIs of the unmaps: the probe's reset issues TLBI_EL2_ALL and TLBI_NSNH_ALL first, as
// arm_smmu_device_reset does.
uint64_t unmap_tlbis() { return u("sw.driver.tlbi") - 2; }
}  // namespace

TEST(BaseMapbench, OneCpuStrictOnePageIsOneTlbiAndOneSyncPerPair) {
    SoftwareRun r("", {"sw.workload=mapbench", "sw.mapbench.ops=300"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.mapbench.pairs"), 300u);
    EXPECT_EQ(u("sw.workload.dma_jobs"), 0u);
    EXPECT_EQ(unmap_tlbis(), 300u);
    EXPECT_EQ(stat("sw.mapbench.unmap_cycles").at("count").get<uint64_t>(), 300u);
    // Every command the driver wrote, the SMMU executed.
    EXPECT_EQ(u("smmu.tcu.cmdq.commands"), u("sw.driver.commands"));
    // pairs per CPU-second at the default 2 GHz core clock.
    const double expect = 300.0 / (double(u("sw.mapbench.pair_cycles")) * 0.5e-9);
    EXPECT_NEAR(f("sw.mapbench.pairs_per_cpu_s"), expect, expect * 1e-9);
    // A pair is at least its unmap's CMD_SYNC round trip: well under a million per second.
    EXPECT_LT(f("sw.mapbench.pairs_per_cpu_s"), 1e7);
    EXPECT_GT(f("sw.mapbench.pairs_per_cpu_s"), 1e5);
}

TEST(BaseMapbench, SixteenPagesAreOneRangeTlbiWithRil) {
    SoftwareRun r("", {"sw.workload=mapbench", "sw.mapbench.ops=50", "sw.mapbench.pages=16", "smmu.ril=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(unmap_tlbis(), 50u);
}

TEST(BaseMapbench, SixteenPagesWithoutRilArePerPageTlbis) {
    SoftwareRun r("", {"sw.workload=mapbench", "sw.mapbench.ops=50", "sw.mapbench.pages=16", "smmu.ril=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(unmap_tlbis(), 16u * 50);
}

// Eight CPUs on the one device and domain: every CPU's pairs counted, nothing lost in the
// shared Linux command queue, and the CPUs slow each other down.
TEST(BaseMapbench, EightCpusShareTheQueueAndLoseNothing) {
    SoftwareRun r("", {"cpus=8", "sw.workload=mapbench", "sw.workload.cpus=0", "sw.mapbench.ops=200"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.mapbench.pairs"), 8u * 200);
    EXPECT_EQ(unmap_tlbis(), 8u * 200);
    EXPECT_EQ(u("smmu.tcu.cmdq.commands"), u("sw.driver.commands"));
    EXPECT_GT(stat("sw.driver.cmdq.commands_per_publish").at("max").get<double>(), 2.0)
        << "some CPUs' TLBI + CMD_SYNC pairs went out under another CPU's PROD write";
    EXPECT_GT(stat("sw.mapbench.unmap_cycles").at("mean").get<double>(),
              2.0 * stat("sw.mapbench.unmap_cycles").at("min").get<double>());
}

// Lazy: unmaps queue their IOVAs; the flushes are whole-ASID TLBIs, a few per 256 unmaps.
TEST(BaseMapbench, LazyFlushesInsteadOfATlbiPerUnmap) {
    SoftwareRun r("", {"cpus=4", "sw.workload=mapbench", "sw.workload.cpus=0", "sw.mapbench.ops=600",
                       "sw.driver.policy=lazy"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.mapbench.pairs"), 4u * 600);
    EXPECT_GE(u("sw.driver.fq_flushes"), 1u);
    EXPECT_LT(u("sw.driver.tlbi"), 4u * 600 / 50);
}

// Warm-up pairs are done but not counted in the benchmark's own stats.
TEST(BaseMapbench, WarmupPairsAreDoneButNotCounted) {
    SoftwareRun r("", {"sw.workload=mapbench", "sw.mapbench.ops=100", "sw.mapbench.warmup=20"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.mapbench.pairs"), 100u);
    EXPECT_EQ(stat("sw.mapbench.unmap_cycles").at("count").get<uint64_t>(), 100u);
    EXPECT_EQ(unmap_tlbis(), 120u);
}
