// The built-in workloads on several CPUs of the base platform (cpus, sw.workload.cpus,
// sw.workload.devices): every CPU its own queue on the shared device, or its own device; lazy
// mode's flush queues fill per CPU.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::SoftwareRun;
using test::stat;

namespace {
uint64_t u(const std::string& name) { return stat(name).get<uint64_t>(); }
}  // namespace

// 300 packets per CPU into 256-entry queues: a queue fills, and its flush lets the other CPUs
// free what it covered before theirs fill (queue_iova frees first), so fewer flushes than
// CPUs; one shared queue never fills.
TEST(BaseSoftwarePerCpu, FourCpusShareTheNicAndEachFillsItsOwnFlushQueue) {
    SoftwareRun r("", {"cpus=4", "sw.workload.cpus=4", "sw.nic.packets=300", "sw.driver.policy=lazy"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.workload.dma_jobs"), 4u * 300 * 2);  // a descriptor and a packet each
    EXPECT_EQ(u("sw.workload.dma_errors"), 0u);
    EXPECT_TRUE(r.event.empty());
    EXPECT_GE(u("sw.driver.fq_flushes"), 2u);  // a full queue's, and the end's
    EXPECT_LE(u("sw.driver.fq_flushes"), 5u);
    EXPECT_EQ(u("sw.driver.fq_timeouts"), 0u);
    EXPECT_GT(u("sw.iova.rcache_hits"), 0u);
    EXPECT_EQ(u("sw.iova.tree_allocs") + u("sw.iova.rcache_hits"), 4u * 301);
}

TEST(BaseSoftwarePerCpu, TheSingleQueueIsSharedByTheFourCpus) {
    SoftwareRun r("", {"cpus=4", "sw.workload.cpus=4", "sw.nic.packets=300", "sw.driver.policy=lazy",
                       "sw.driver.fq_queues=single"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.workload.dma_errors"), 0u);
    EXPECT_EQ(u("sw.driver.fq_flushes"), 1u);  // 1200 < 32767 entries: only the end drains it
    EXPECT_EQ(u("sw.iova.rcache_hits"), 0u);
}

TEST(BaseSoftwarePerCpu, OwnDevicesGiveEachCpuItsDeviceAndDomain) {
    SoftwareRun r("", {"cpus=2", "sw.workload.cpus=2", "sw.workload.devices=own", "sw.nic.packets=200"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.transactions"), 200u * 7);
    EXPECT_EQ(u("dma1.transactions"), 200u * 7);
    EXPECT_EQ(u("dma0.errors") + u("dma1.errors"), 0u);
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 400u);  // strict: one per unmap, both ASIDs
}

TEST(BaseSoftwarePerCpu, StorageOnEveryCpuOfTheCluster) {
    SoftwareRun r("", {"cpus=4", "sw.workload.cpus=0", "sw.workload=storage", "sw.storage.requests=50"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.workload.dma_jobs"), 4u * 50);
    EXPECT_EQ(u("sw.workload.dma_errors"), 0u);
}

// Eight CPUs map into one shared, initially empty domain at once, with no lock around the page
// table: the tables their first maps all need are created by several CPUs together, and the
// losers of the compare-and-swap walk into the winner's tables (Linux arm_lpae_install_table).
// A lost mapping would be a translation fault on the NIC's DMA.
TEST(BaseSoftwarePerCpu, EightCpusBuildTheSharedDomainsTablesWithoutLosingAMapping) {
    SoftwareRun r("", {"cpus=8", "sw.workload.cpus=8", "sw.nic.packets=200", "cpu_traffic.enable=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.workload.dma_jobs"), 8u * 200 * 2);
    EXPECT_EQ(u("sw.workload.dma_errors"), 0u);
    EXPECT_EQ(u("smmu.tcu.faults"), 0u);
    EXPECT_TRUE(r.event.empty());
}
