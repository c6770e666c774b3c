// The command queue through the real SMMU model on the base platform: with Linux's algorithm
// (sw.driver.cmdq=linux, the default) and the simple one, every command and sync of the NIC
// workload completes and the queue's stats add up (one CPU: every call its own owner, one
// CMDQ_PROD write per call; its time split into space, owner and sync waits).

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using test::SoftwareRun;
using test::stat;

namespace {

uint64_t u(const std::string& name) { return stat(name).get<uint64_t>(); }

}  // namespace

struct Case {
    const char* algo;
    const char* sync;
};

class CmdqSystem : public ::testing::TestWithParam<Case> {};

// (One platform per process: the simple queue's run is its own test case.)
TEST_P(CmdqSystem, TheNicWorkloadsCommandsAllCompleteAndTheStatsAddUp) {
    SoftwareRun r("", {"sw.nic.packets=200", std::string("sw.driver.cmdq=") + GetParam().algo,
                       std::string("sw.driver.sync=") + GetParam().sync});
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(u("sw.driver.sync_timeouts"), 0u);
    EXPECT_EQ(u("sw.driver.warnings"), 0u);
    EXPECT_EQ(r.commands("TLBI_NH_VA").size(), 200u);  // one per unmap, each with its sync
    EXPECT_EQ(r.commands("CMD_SYNC").size(), u("sw.driver.syncs"));
    const auto pp = stat("sw.driver.cmdq.commands_per_publish");
    const uint64_t publishes = u("sw.driver.cmdq.publishes");
    EXPECT_EQ(uint64_t(pp["mean"].get<double>() * double(publishes) + 0.5), u("sw.driver.commands"));
    EXPECT_GE(publishes, u("sw.driver.syncs"));  // one CPU: every call publishes its own commands
    const uint64_t issue = u("sw.driver.cmdq.cpu0.issue_cycles"), space = u("sw.driver.cmdq.cpu0.space_cycles"),
                   owner = u("sw.driver.cmdq.cpu0.owner_cycles"), sync = u("sw.driver.cmdq.cpu0.sync_cycles");
    EXPECT_GT(sync, 0u);
    EXPECT_GE(issue, space + owner + sync);
    if (std::string(GetParam().algo) == "simple") EXPECT_EQ(owner, 0u);
    else EXPECT_GT(owner, 0u);  // the owner's owner_prod and valid-map reads, even alone
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CmdqSystem,
                         ::testing::Values(Case{"linux", "msi"}, Case{"linux", "poll"}, Case{"simple", "msi"},
                                           Case{"simple", "poll"}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                             return std::string(i.param.algo) + "_" + i.param.sync;
                         });
