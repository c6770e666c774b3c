// The event queue as software sees it: records and PROD, the empty->non-empty interrupt
// (wired or MSI), wrap, overflow (OVFLG / OVACKFLG), a disabled queue and a queue whose
// writes abort (GERROR.EVENTQ_ABT_ERR) (reference §7.2-7.3, §9.6; facts §8).
//
// Faults come from DMA with StreamIDs whose STE is left invalid: one C_BAD_STE each (a
// different StreamID every time, so that no two records could be merged).

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint32_t kOvflg = 1u << 31;

// A transaction whose STE is invalid: aborted, one C_BAD_STE for `sid`.
void fault(SmmuBench& b, uint32_t sid) {
    EXPECT_EQ(b.dma_read(sid, 0x1000 + sid * 0x100, 8).status, tlm::TLM_GENERIC_ERROR_RESPONSE);
}

// Waits until EVENTQ_PROD reads `prod`.
bool wait_prod(SmmuBench& b, uint32_t prod) {
    return b.poll([&] { return b.rd32(reg::EVENTQ_PROD) == prod; });
}

// Waits until the event queue has dealt with `n` records in all (written or discarded).
bool wait_handled(SmmuBench& b, uint64_t n) {
    return b.poll([&] {
        return stat("smmu.tcu.eventq.written").get<uint64_t>() + stat("smmu.tcu.eventq.discarded").get<uint64_t>() >= n;
    });
}

// dw0 of a C_BAD_STE record for `sid` (no SubstreamID): every other bit is RES0.
uint64_t bad_ste_dw0(uint32_t sid) { return (uint64_t(sid) << 32) | evt::C_BAD_STE; }

// The record in slot `index` of the queue at `base`, checked whole.
void expect_record(SmmuBench& b, uint64_t base, unsigned index, uint32_t sid) {
    const uint64_t a = base + uint64_t(index) * EventRecord::kBytes;
    EXPECT_EQ(b.get64(a), bad_ste_dw0(sid)) << "slot " << index;
    EXPECT_EQ(b.get64(a + 8), 0u) << "slot " << index;
    EXPECT_EQ(b.get64(a + 16), 0u) << "slot " << index;
    EXPECT_EQ(b.get64(a + 24), 0u) << "slot " << index;
}

std::vector<uint32_t> sids(const std::vector<EventRecord>& ev) {
    std::vector<uint32_t> out;
    for (const EventRecord& e : ev) {
        EXPECT_EQ(e.type(), evt::C_BAD_STE);
        out.push_back(uint32_t(e.get<EventRecord::StreamID>()));
    }
    return out;
}

}  // namespace

TEST(SmmuEventq, FaultWritesOneRecordAndAdvancesProd) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        for (unsigned i = 0; i < 8; ++i) b.put64(b.eventq_base() + i * 8, 0xA5A5A5A5A5A5A5A5ull);  // slots 0-1
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0u);
        fault(b, 7);
        EXPECT_TRUE(wait_prod(b, 1));
        b.wait_cycles(2000);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 1u);
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 0u);
        expect_record(b, b.eventq_base(), 0, 7);  // all 32 bytes written
        for (unsigned i = 4; i < 8; ++i) EXPECT_EQ(b.get64(b.eventq_base() + i * 8), 0xA5A5A5A5A5A5A5A5ull);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.written"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq.discarded"), 0);
}

TEST(SmmuEventq, IrqPulsesOnlyOnEmptyToNonEmpty) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        fault(b, 10);
        ASSERT_TRUE(wait_prod(b, 1));
        EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 1);
        fault(b, 11);  // the queue is not empty: no new interrupt
        ASSERT_TRUE(wait_prod(b, 2));
        b.wait_cycles(500);
        EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 1);
        EXPECT_EQ(sids(b.events(2)), (std::vector<uint32_t>{10, 11}));
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 2u);
        fault(b, 12);  // empty again: interrupts
        ASSERT_TRUE(wait_prod(b, 3));
        b.wait_cycles(500);
        EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 2);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 2);
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 0);
}

TEST(SmmuEventq, IrqNotSignalledWhileIrqenIsZero) {
    SmmuBench b;
    b.run([&] {
        BenchSetup s;
        s.eventq_irq = false;
        b.enable(s);
        fault(b, 13);
        ASSERT_TRUE(wait_prod(b, 1));
        b.wait_cycles(500);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 0);
}

TEST(SmmuEventq, MsiWrittenInsteadOfWire) {
    SmmuBench b;
    uint64_t msi = 0;
    b.run([&] {
        msi = b.alloc(8, 8);
        b.put64(msi, 0x5A5A5A5A5A5A5A5Aull);
        // Configured while EVENTQ_IRQEN=0 (enable() sets it afterwards).
        b.wr64(reg::EVENTQ_IRQ_CFG0, msi);
        b.wr32(reg::EVENTQ_IRQ_CFG1, 0x1234ABCDu);
        EXPECT_EQ(b.rd64(reg::EVENTQ_IRQ_CFG0), msi);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG1), 0x1234ABCDu);
        b.enable();
        fault(b, 20);
        ASSERT_TRUE(wait_prod(b, 1));
        EXPECT_TRUE(b.poll([&] { return b.get32(msi) == 0x1234ABCDu; }));
    });
    EXPECT_EQ(b.get64(msi), 0x5A5A5A5A1234ABCDull);
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 0);
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 1);
}

TEST(SmmuEventq, QueueWrapsWithFourEntries) {
    SmmuBench b;
    b.run([&] {
        BenchSetup s;
        s.evtq_log2 = 2;  // 4 entries: PROD/CONS [1:0] index, [2] wrap
        b.enable(s);
        for (uint32_t sid = 50; sid < 53; ++sid) fault(b, sid);
        ASSERT_TRUE(wait_prod(b, 3));
        EXPECT_EQ(sids(b.events(3)), (std::vector<uint32_t>{50, 51, 52}));
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 3u);
        for (uint32_t sid = 53; sid < 56; ++sid) fault(b, sid);
        ASSERT_TRUE(wait_prod(b, 0x6));  // wrap 1, index 2
        expect_record(b, b.eventq_base(), 3, 53);
        expect_record(b, b.eventq_base(), 0, 54);
        expect_record(b, b.eventq_base(), 1, 55);
        EXPECT_EQ(sids(b.events(3)), (std::vector<uint32_t>{53, 54, 55}));
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 0x6u);
        // Four more fill the queue exactly: PROD wraps back to wrap 0, index 2; no overflow.
        for (uint32_t sid = 56; sid < 60; ++sid) fault(b, sid);
        ASSERT_TRUE(wait_prod(b, 0x2));
        b.wait_cycles(500);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0x2u);
        EXPECT_EQ(sids(b.events(4)), (std::vector<uint32_t>{56, 57, 58, 59}));
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 0x2u);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.written"), 10);
    EXPECT_EQ(stat("smmu.tcu.eventq.overflows"), 0);
}

TEST(SmmuEventq, OverflowFlaggedOnceThenAckedAndRecordsResume) {
    SmmuBench b;
    b.run([&] {
        BenchSetup s;
        s.evtq_log2 = 2;
        b.enable(s);
        for (uint32_t sid = 20; sid < 24; ++sid) fault(b, sid);
        ASSERT_TRUE(wait_prod(b, 0x4));  // full: wrap 1, index 0
        fault(b, 24);                     // lost: overflow
        ASSERT_TRUE(wait_prod(b, kOvflg | 0x4));
        fault(b, 25);  // lost again: not signalled again
        ASSERT_TRUE(wait_handled(b, 6));
        b.wait_cycles(500);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), kOvflg | 0x4);
        for (unsigned i = 0; i < 4; ++i) expect_record(b, b.eventq_base(), i, 20 + i);  // nothing overwritten
        // Drain, acknowledging with OVACKFLG = OVFLG.
        EXPECT_EQ(sids(b.events()), (std::vector<uint32_t>{20, 21, 22, 23}));
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), kOvflg | 0x4);
        fault(b, 26);
        ASSERT_TRUE(wait_prod(b, kOvflg | 0x5));
        expect_record(b, b.eventq_base(), 0, 26);
        EXPECT_EQ(sids(b.events(1)), (std::vector<uint32_t>{26}));
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.written"), 5);
    EXPECT_EQ(stat("smmu.tcu.eventq.discarded"), 2);
    EXPECT_EQ(stat("smmu.tcu.eventq.overflows"), 1);
}

TEST(SmmuEventq, NewOverflowAfterAckTogglesAgain) {
    SmmuBench b;
    b.run([&] {
        BenchSetup s;
        s.evtq_log2 = 2;
        b.enable(s);
        for (uint32_t sid = 30; sid < 35; ++sid) fault(b, sid);
        ASSERT_TRUE(wait_prod(b, kOvflg | 0x4));
        EXPECT_EQ(b.events().size(), 4u);  // drain + acknowledge
        for (uint32_t sid = 35; sid < 40; ++sid) fault(b, sid);  // 4 fit, the 5th overflows
        ASSERT_TRUE(wait_prod(b, 0x0));  // OVFLG toggled back to 0: differs from OVACKFLG = 1
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), kOvflg | 0x4);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.overflows"), 2);
    EXPECT_EQ(stat("smmu.tcu.eventq.discarded"), 2);
}

TEST(SmmuEventq, DisabledQueueWritesNothing) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x9));  // EVENTQEN=0, SMMUEN and CMDQEN kept
        fault(b, 40);
        ASSERT_TRUE(wait_handled(b, 1));
        b.wait_cycles(500);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0u);  // unchanged, and no OVFLG
        EXPECT_EQ(b.get64(b.eventq_base()), 0u);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.written"), 0);
    EXPECT_EQ(stat("smmu.tcu.eventq.discarded"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq.overflows"), 0);
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 0);
}

TEST(SmmuEventq, WriteAbortActivatesEventqAbtErrUntilAcknowledged) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x9));
        b.wr64(reg::EVENTQ_BASE, kHole | 4);
        b.wr32(reg::EVENTQ_PROD, 0);
        b.wr32(reg::EVENTQ_CONS, 0);
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
        fault(b, 41);
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::GERROR) != 0; }));
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::EVENTQ_ABT_ERR);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0u);  // not advanced past the failed entry
        // Point the queue at memory again; the error is still active: nothing is written.
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x9));
        b.wr64(reg::EVENTQ_BASE, b.eventq_base() | 8);
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
        fault(b, 42);
        ASSERT_TRUE(wait_handled(b, 2));
        b.wait_cycles(500);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0u);
        EXPECT_EQ(b.get64(b.eventq_base()), 0u);
        // Acknowledged: writable again.
        b.wr32(reg::GERRORN, b.rd32(reg::GERROR));
        fault(b, 43);
        ASSERT_TRUE(wait_prod(b, 1));
        expect_record(b, b.eventq_base(), 0, 43);
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::EVENTQ_ABT_ERR);
        EXPECT_EQ(b.rd32(reg::GERRORN), gerror::EVENTQ_ABT_ERR);
    });
    EXPECT_EQ(stat("smmu.tcu.eventq.write_aborts"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq.written"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq.discarded"), 2);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 1);  // only for the record written
}

// An aborted event-queue MSI activates GERROR.MSI_EVENTQ_ABT_ERR (facts §8); the record stays.
TEST(SmmuEventq, MsiAbortActivatesMsiEventqAbtErr) {
    SmmuBench b;
    b.run([&] {
        b.wr64(reg::EVENTQ_IRQ_CFG0, kHole + 0x100);
        b.wr32(reg::EVENTQ_IRQ_CFG1, 0x1);
        b.enable();
        fault(b, 21);
        ASSERT_TRUE(wait_prod(b, 1));
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::GERROR) != 0; }));
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::MSI_EVENTQ_ABT_ERR);
        expect_record(b, b.eventq_base(), 0, 21);
    });
    EXPECT_EQ(stat("smmu.tcu.msi_aborts"), 1);
    EXPECT_EQ(stat("smmu.tcu.eventq_irq.pulses"), 0);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
}
