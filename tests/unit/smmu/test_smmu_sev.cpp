// The SMMU's WFE wake-up events (IDR0.SEV): CMD_SYNC with CS=SIG_SEV sends one (§4.7.3), the
// command queue becoming non-full after it was full sends one (§4.1.2), and without IDR0.SEV
// SIG_SEV is SIG_NONE: nothing is sent.

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

// Counts the notifications of the TCU's event signal (what the platform wires to the CPUs).
struct SevCounter {
    unsigned seen = 0;
    explicit SevCounter(SmmuBench& b) {
        sc_core::sc_spawn([this, &b] {
            for (;;) {
                sc_core::wait(b.smmu.tcu.interrupts().sev_event);
                ++seen;
            }
        });
    }
};

Command tlbi_all() {
    Command c;
    c.set<Command::Opcode>(op::TLBI_NSNH_ALL);
    return c;
}

}  // namespace

TEST(SmmuSev, Idr0ReportsSev) {
    SmmuBench b;
    b.run([&] { EXPECT_NE(b.rd32(reg::IDR0) & (1u << 14), 0u); });
}

TEST(SmmuSev, SyncWithSigSevSendsAnEvent) {
    SmmuBench b;
    SevCounter sev(b);
    unsigned before = 99, after_none = 99, after_sev = 99;
    b.run([&] {
        b.enable();
        before = sev.seen;
        ASSERT_TRUE(b.sync(sync_cs::SIG_NONE));
        b.wait_cycles(10);
        after_none = sev.seen;
        ASSERT_TRUE(b.sync(sync_cs::SIG_SEV));
        b.wait_cycles(10);
        after_sev = sev.seen;
    });
    EXPECT_EQ(after_none, before);
    EXPECT_EQ(after_sev, before + 1);
    EXPECT_EQ(stat("smmu.tcu.sevs"), 1);
}

TEST(SmmuSev, WithoutSevSigSevIsSigNone) {
    SmmuBench b({"smmu.sev=false"});
    SevCounter sev(b);
    b.run([&] {
        EXPECT_EQ(b.rd32(reg::IDR0) & (1u << 14), 0u);
        b.enable();
        ASSERT_TRUE(b.sync(sync_cs::SIG_SEV));
        b.wait_cycles(10);
    });
    EXPECT_EQ(sev.seen, 0u);
    EXPECT_EQ(stat("smmu.tcu.sevs"), 0);
}

TEST(SmmuSev, AFullQueueBecomingNonFullSendsOneEvent) {
    SmmuBench b;
    SevCounter sev(b);
    BenchSetup s;
    s.cmdq_log2 = 2;  // 4 entries
    unsigned before = 99;
    b.run([&] {
        b.enable(s);
        before = sev.seen;
        // Four commands behind one PROD write fill the queue; the SMMU's first consumption
        // makes it non-full (one event), the others find it non-full already.
        ASSERT_TRUE(b.submit({tlbi_all(), tlbi_all(), tlbi_all(), tlbi_all()}));
        b.wait_cycles(10);
    });
    EXPECT_EQ(sev.seen, before + 1);
}
