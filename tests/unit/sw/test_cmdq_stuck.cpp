// A command queue whose fetch keeps aborting at one slot (CERROR_ABT every time, e.g. queue
// memory the SMMU cannot reach) is stuck: the driver stops with an error naming it instead of
// retrying for ever (issue 19, item 5).

#include <gtest/gtest.h>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/regs.h"
#include "sw/driver/cmdq.h"
#include "sw/driver/errors.h"
#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint64_t kRegs = 0x2B400000;

class CommandQueueStuck : public ::testing::TestWithParam<sw::driver::CmdqAlgo> {};

TEST_P(CommandQueueStuck, RepeatedFetchAbortsAtOneSlotStopTheSoftware) {
    // An SMMU that never consumes a command: every fetch aborts at CONS 0.
    sw::hal::DirectBus bus([](uint64_t pa, uint64_t, bool write, unsigned) -> uint64_t {
        if (!write && pa == kRegs + reg::CMDQ_CONS) return uint64_t(cerror::ABT) << 24;
        return 0;
    });
    sw::hal::PageAllocator mem(0x100000000ull, 1 << 20);
    sw::driver::DriverConfig cfg;
    cfg.regs = kRegs;
    cfg.sync = sw::driver::SyncMode::PollCons;
    cfg.poll_timeout = 1000;
    cfg.cmdq = GetParam();
    sw::driver::Observer obs;
    sw::driver::CommandQueue q(bus, mem, cfg, obs, 8);
    // The first aborts are retried (the GERROR handler acknowledges and the SMMU refetches)...
    q.recover_error();
    EXPECT_FALSE(q.issue(cmd::sync(sync_cs::SIG_SEV), true));  // a timeout, not an error yet
    // ...until the same slot has aborted too often.
    for (int i = 0; i < 10; ++i) q.recover_error();
    try {
        q.issue(cmd::sync(sync_cs::SIG_SEV), true);
        FAIL() << "no error";
    } catch (const sw::driver::DriverError& e) {
        EXPECT_NE(std::string(e.what()).find("command queue is stuck"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("aborted"), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CommandQueueStuck,
                         ::testing::Values(sw::driver::CmdqAlgo::Linux, sw::driver::CmdqAlgo::Simple),
                         [](const ::testing::TestParamInfo<sw::driver::CmdqAlgo>& i) {
                             return i.param == sw::driver::CmdqAlgo::Linux ? "Linux" : "Simple";
                         });

}  // namespace
