// Lazy (non-strict) unmap on the base platform, as Linux's dma-iommu: flush queues per CPU or
// one shared, their timer, and the IOVA allocator's per-CPU caches that reuse freed IOVAs
// only after the flush that covers them.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::SoftwareRun;
using test::stat;

namespace {

uint64_t u(const std::string& name) { return stat(name).get<uint64_t>(); }

// Three map / DMA / unmap rounds of one page at the same IOVA, then a DMA of a page that
// stays mapped.
const char* kRounds = R"({"domains": [{"name": "d", "stage": "s1"}], "attach": [{"sid": 1, "domain": "d"}],
  "steps": [
    {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64},
    {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x1000"},
    {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80001000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64},
    {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x1000"},
    {"op": "map", "domain": "d", "iova": "0x20000000", "pa": "0x80002000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x20000000", "size": 64}]})";

}  // namespace

// Nothing is invalidated on unmap; the queue is drained once at the end of the software.
TEST(BaseSoftwareLazy, AScenarioQueuesItsUnmapsAndTheEndDrainsThem) {
    SoftwareRun r(kRounds, {"sw.driver.policy=lazy"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_TRUE(r.commands("TLBI_NH_VA").empty());
    EXPECT_EQ(r.commands("TLBI_NH_ASID").size(), 1u);
    EXPECT_EQ(u("sw.driver.fq_flushes"), 1u);
    EXPECT_EQ(u("sw.driver.fq_timeouts"), 0u);
    EXPECT_EQ(u("sw.workload.dma_errors"), 0u);
}

TEST(BaseSoftwareLazy, ATinyQueueFlushesWhenFull) {
    SoftwareRun r(kRounds, {"sw.driver.policy=lazy", "sw.driver.fq_entries=2"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(r.commands("TLBI_NH_ASID").size(), 2u);  // the second unmap finds the ring full
    EXPECT_EQ(u("sw.driver.fq_flushes"), 2u);
}

// Linux's defaults (256 entries per CPU, 10 ms): 300 packets fill the one CPU's queue once;
// each freed IOVA comes back from the CPU's range cache.
TEST(BaseSoftwareLazy, TheNicWorkloadReusesIovasFromTheRangeCacheAfterEachFlush) {
    SoftwareRun r("", {"sw.nic.packets=300", "sw.driver.policy=lazy"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("dma0.errors"), 0u);
    EXPECT_TRUE(r.event.empty());
    EXPECT_EQ(u("sw.driver.fq_flushes"), 2u);  // one full queue, then the end
    EXPECT_EQ(u("sw.driver.fq_timeouts"), 0u);
    // 300 packet buffers + the ring: 255 + 16 in flight could not be reused before the flush.
    EXPECT_GT(u("sw.iova.tree_allocs"), 255u);
    EXPECT_GT(u("sw.iova.rcache_hits"), 0u);
    EXPECT_EQ(u("sw.iova.tree_allocs") + u("sw.iova.rcache_hits"), 301u);
}

TEST(BaseSoftwareLazy, TheSingleQueueTakesLinuxsLargerSizeAndTimeout) {
    SoftwareRun r("", {"sw.nic.packets=300", "sw.driver.policy=lazy", "sw.driver.fq_queues=single"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.driver.fq_flushes"), 1u);  // 32768 entries: only the end drains it
    EXPECT_EQ(u("sw.iova.rcache_hits"), 0u);  // nothing freed before then
    EXPECT_EQ(u("sw.iova.tree_allocs"), 301u);
}

TEST(BaseSoftwareLazy, TheTimerFlushesWithCountedTimeouts) {
    SoftwareRun r("", {"sw.nic.packets=20", "sw.driver.policy=lazy", "sw.driver.fq_timeout=5us",
                       "sw.nic.cpu_cycles=20000", "sw.nic.in_flight=2"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_GE(u("sw.driver.fq_timeouts"), 5u);
    EXPECT_LE(u("sw.driver.fq_timeouts"), u("sw.driver.fq_flushes"));
}

TEST(BaseSoftwareLazy, StrictRunsUseTheRangeCacheAtOnce) {
    SoftwareRun r("", {"sw.nic.packets=300"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.driver.fq_flushes"), 0u);
    EXPECT_LE(u("sw.iova.tree_allocs"), 17u + 1u);  // in flight at once, and the ring
    EXPECT_EQ(u("sw.iova.tree_allocs") + u("sw.iova.rcache_hits"), 301u);
}
