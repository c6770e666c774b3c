// Linux's command queue driven by several CPUs at once through the real SMMU model (TCU,
// TBUs, interconnect, DRAM) on the CPU cluster: every core's TLBIs are consumed exactly once
// and in its order, every CMD_SYNC completes, and contending cores' commands merge under
// shared CMDQ_PROD writes. Also four software threads sharing one core (they interleave at
// every timed access, which the lock-free algorithm must survive too).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/json_log.h"
#include "models/core/param_registry.h"
#include "models/smmu/arch/command_builders.h"
#include "platforms/soc.h"
#include "platforms/topology.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/page_alloc.h"
#include "sw/hal/timed_bus.h"
#include "tests/common/test_util.h"
#include "tests/system/cluster_cmdq.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using platforms::Soc;

namespace {

struct Publishes : sw::driver::Observer {
    std::vector<uint64_t> sizes;
    uint64_t calls = 0;
    std::set<unsigned> cpus;
    std::vector<std::string> warnings;
    void prod_published(unsigned, uint64_t n) override { sizes.push_back(n); }
    void cmdq_issued(unsigned cpu, const sw::driver::CmdqCpuTimes&) override {
        ++calls;
        cpus.insert(cpu);
    }
    void warning(const std::string& w) override { warnings.push_back(w); }
};

// `cores` cores, four software threads spread over them, each issuing kCalls lists of two
// TLBIs and a CMD_SYNC after the first thread's reset.
void run(unsigned cores) {
    constexpr unsigned kThreads = 4, kCalls = 25;
    core::ParamRegistry::instance().apply_set("cpu_traffic.enable=false");
    core::ParamRegistry::instance().apply_set("cpus=" + std::to_string(cores));
    const std::string log = test::temp_file("", ".cmd");
    core::JsonLog::open(core::LogId::Cmd, log, "cmd");
    Publishes obs;
    test::BaseDriver m(obs);
    Soc& soc = m.soc;
    sw::driver::SmmuDriver& drv = m.drv;
    unsigned failed = 0;
    test::start_tlbi_threads(soc, drv, kThreads, cores, kCalls, failed);
    const uint64_t reset_calls = 3;  // CFGI_ALL, TLBI_EL2_ALL, TLBI_NSNH_ALL, each with a sync
    sc_core::sc_start();
    core::JsonLog::close_all();
    ASSERT_TRUE(soc.cluster.failure().empty()) << soc.cluster.failure();
    EXPECT_EQ(failed, 0u);
    EXPECT_TRUE(obs.warnings.empty()) << obs.warnings.front();
    uint64_t syncs = 0;
    const auto seen = test::thread_pages(log, &syncs);  // asid -> page numbers, in consumption order
    std::remove(log.c_str());
    ASSERT_EQ(seen.size(), kThreads);
    for (const auto& [asid, pages] : seen) {
        ASSERT_EQ(pages.size(), 2u * kCalls) << "asid " << asid;
        for (uint64_t i = 0; i < pages.size(); ++i) ASSERT_EQ(pages[i], i) << "asid " << asid;
    }
    EXPECT_EQ(syncs, kThreads * kCalls + reset_calls);
    EXPECT_EQ(obs.calls, kThreads * kCalls + reset_calls);
    EXPECT_EQ(obs.cpus.size(), cores);
    EXPECT_LT(obs.sizes.size(), obs.calls) << "no CMDQ_PROD write published several threads' commands";
    uint64_t total = 0;
    for (uint64_t n : obs.sizes) total += n;
    EXPECT_EQ(total, kThreads * kCalls * 3 + reset_calls * 2);
}

}  // namespace

TEST(CmdqConcurrent, FourCoresInvalidatingAtOnceThroughTheRealSmmu) { run(4); }
TEST(CmdqConcurrent, FourThreadsOnOneCoreInvalidatingAtOnceThroughTheRealSmmu) { run(1); }
