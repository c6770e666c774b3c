// A non-coherent SMMU (smmu.coherent=false, IDR0.COHACC = 0) behind CPUs with write-back data
// caches (cluster.cache.size, issue 18), end to end on the base platform: the driver cleans
// io-pgtable's descriptor writes to the point of coherency as Linux does, so the SMMU's walks
// see them; without the cleans (sw.driver.skip_cleans, fault injection) a walk after an unmap
// and a remap reads the old descriptor from DRAM and the device reaches the old page. The
// queues, stream table and CDs are non-cacheable (dma_alloc_coherent), so they need no cleans.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

// Map a page to 0x80000000, map 1 MiB elsewhere (with a 4 KiB cache its PTE lines evict the
// first page's, writing it back), DMA to the page, unmap it, map it to 0x80200000, DMA again.
const char* kRemap = R"({
  "domains": [{"name": "a", "stage": "s1"}],
  "attach": [{"sid": 1, "domain": "a"}],
  "steps": [
    {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
    {"op": "map", "domain": "a", "iova": "0x20000000", "pa": "0x81000000", "size": "0x100000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "r"},
    {"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x1000"},
    {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80200000", "size": "0x1000"},
    {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "r"}]})";

std::vector<std::string> sets(bool coherent, bool skip) {
    return {"cluster.cache.size=4096", std::string("smmu.coherent=") + (coherent ? "true" : "false"),
            std::string("sw.driver.skip_cleans=") + (skip ? "true" : "false")};
}

}  // namespace

TEST(NonCoherentWalk, WithTheCleansTheWalkReadsTheNewDescriptor) {
    SoftwareRun r(kRemap, sets(false, false));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(num(r.xlate[0]["pa"]), 0x80000000u);
    EXPECT_EQ(num(r.xlate[1]["pa"]), 0x80200000u);
    EXPECT_GT(stat("cluster.cache.cmos").get<uint64_t>(), 0u);
    EXPECT_GT(stat("cluster.cache.write_backs").get<uint64_t>(), 0u);
    EXPECT_TRUE(r.event.empty());
}

TEST(NonCoherentWalk, WithoutTheCleansTheWalkReadsTheOldDescriptor) {
    SoftwareRun r(kRemap, sets(false, true));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(r.xlate[1]["status"], "ok");
    EXPECT_EQ(num(r.xlate[1]["pa"]), 0x80000000u);  // the unmapped page: DRAM's stale PTE
    EXPECT_EQ(stat("cluster.cache.cmos").get<uint64_t>(), 0u);
}

TEST(NonCoherentWalk, ACoherentSmmuNeedsNoCleans) {
    SoftwareRun r(kRemap, sets(true, true));
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 2u);
    EXPECT_EQ(num(r.xlate[1]["pa"]), 0x80200000u);
    EXPECT_EQ(stat("cluster.cache.cmos").get<uint64_t>(), 0u);
    EXPECT_GT(stat("dram.snoop_hits").get<uint64_t>(), 0u);  // the walks snooped the CPU's dirty lines
}

TEST(NonCoherentWalk, WithoutTheCleansNewTablesAreInvisible) {
    // Nothing evicts the new tables' lines: DRAM still holds the zeroed root, the walk faults.
    SoftwareRun r(R"({
      "domains": [{"name": "a", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "a"}],
      "steps": [
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "r"}]})",
                  {"cluster.cache.size=65536", "smmu.coherent=false", "sw.driver.skip_cleans=true"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 1u);
    EXPECT_NE(r.xlate[0]["status"], "ok");
    ASSERT_FALSE(r.event.empty());
    EXPECT_EQ(r.event[0]["type"], "F_TRANSLATION");
}

TEST(NonCoherentSmmu, QueuesStreamTableAndCdsNeedNoCleans) {
    // The built-in workload on a non-coherent SMMU with large caches: every command, STE and CD
    // reaches the SMMU (no command error, no bad STE/CD event), and only page-table lines are
    // cleaned.
    SoftwareRun r("", {"cluster.cache.size=65536", "smmu.coherent=false"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_TRUE(r.event.empty());
    EXPECT_EQ(stat("smmu.tcu.faults").get<uint64_t>(), 0u);
    EXPECT_GT(stat("cluster.cache.cmos").get<uint64_t>(), 0u);
    EXPECT_GT(stat("smmu.tcu.cmdq.commands").get<uint64_t>(), 0u);
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors").get<uint64_t>(), 0u);
}

TEST(NonCoherentSmmu, CpusMappingAtOnceEachCleanTheirOwnWrites) {
    // Linux's map benchmark on four CPUs in one domain: their map and unmap calls interleave in
    // one table, each with its own run of descriptors to clean (a shared run once cleaned
    // another CPU's gather after its call had returned).
    SoftwareRun r("", {"cluster.cache.size=65536", "smmu.coherent=false", "cpus=4", "sw.workload=mapbench",
                       "sw.workload.cpus=0", "sw.mapbench.ops=40", "sw.mapbench.pages=16"});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(stat("sw.mapbench.pairs").get<uint64_t>(), 4u * 40u);  // sw.mapbench.ops per CPU
    EXPECT_GT(stat("cluster.cache.cmos").get<uint64_t>(), 0u);
    EXPECT_EQ(stat("smmu.tcu.faults").get<uint64_t>(), 0u);
}
