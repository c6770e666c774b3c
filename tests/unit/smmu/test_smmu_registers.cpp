// The programming interface (reference §1, facts §9-10): ID registers from the parameters,
// the CR0 / IRQ_CTRL / GBPA update protocols, write guards, the GERROR pair, access sizes,
// page 1, RES0 space and reserved bits.

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

// IDR values with the default parameters, field by field (reference §1.3-1.4):
// IDR0: S2P, S1P, TTF=AArch64 (0b10 @3:2), COHACC, HYP, ASID16, MSI, SEV (@14), VMID16, CD2L,
//       TTENDIAN=LE (0b10 @22:21), STALL_MODEL=terminate only (0b01 @25:24), ST_LEVEL=01 (@28:27).
constexpr uint32_t kIdr0 = 0x1 | 0x2 | 0x8 | 0x10 | 0x200 | 0x1000 | 0x2000 | 0x4000 | 0x40000 | 0x80000 |
                           0x400000 | 0x1000000 | 0x8000000;
// IDR1: SIDSIZE=16, SSIDSIZE=20 (@10:6), EVENTQS=19 (@20:16), CMDQS=19 (@25:21).
constexpr uint32_t kIdr1 = 16 | (20u << 6) | (19u << 16) | (19u << 21);
// IDR3: XNX (@4, with stage 2), RIL (@10), BBML=2 (@12:11).
constexpr uint32_t kIdr3 = 0x10 | 0x400 | (2u << 11);
// IDR5: OAS=5 (48 bits), GRAN4K, GRAN16K, GRAN64K (@4, 5, 6).
constexpr uint32_t kIdr5 = 5 | 0x10 | 0x20 | 0x40;
constexpr uint32_t kIidr = 0x43B | (0x483u << 20);  // Arm, MMU-600
constexpr uint32_t kAidrV32 = 0x02, kAidrV31 = 0x01;

constexpr uint32_t kAckLatency = 1000;  // cycles of 1 ns: long enough to observe the old ACK

struct Id {
    uint32_t off, value;
};

void expect_ids(std::initializer_list<std::string> sets, std::vector<Id> ids) {
    SmmuBench b(sets);
    b.run([&] {
        for (const Id& id : ids) EXPECT_EQ(b.rd32(id.off), id.value) << std::hex << "offset 0x" << id.off;
    });
}

// Writes `value` to a guarded register (64-bit when `wide`) while its enable is set: ignored.
// Then clears the enable by writing `ctl` (CR0 or IRQ_CTRL) = `keep`: the write takes.
void expect_guarded(uint32_t off, bool wide, uint64_t value, uint32_t ctl, uint32_t keep) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        auto rd = [&] { return wide ? b.rd64(off) : b.rd32(off); };
        auto wr = [&] { wide ? b.wr64(off, value) : b.wr32(off, uint32_t(value)); };
        const uint64_t before = rd();
        ASSERT_NE(before, value);
        wr();
        EXPECT_EQ(rd(), before) << "written while enabled";
        ASSERT_TRUE(b.write_ack(ctl, ctl == reg::CR0 ? reg::CR0ACK : reg::IRQ_CTRLACK, keep));
        wr();
        EXPECT_EQ(rd(), value) << "written while disabled";
    });
}

uint32_t elapsed_ns(const sc_core::sc_time& since) {
    return uint32_t((sc_core::sc_time_stamp() - since).to_seconds() * 1e9 + 0.5);
}

}  // namespace

// ---- ID registers ----

TEST(SmmuRegisters, IdRegistersWithDefaults) {
    expect_ids({}, {{reg::IDR0, kIdr0},
                    {reg::IDR1, kIdr1},
                    {reg::IDR2, 0},
                    {reg::IDR3, kIdr3},
                    {reg::IDR4, 0},
                    {reg::IDR5, kIdr5},
                    {reg::IIDR, kIidr},
                    {reg::AIDR, kAidrV32}});
}
TEST(SmmuRegisters, Idr0WithoutStage2) { expect_ids({"smmu.s2p=false"}, {{reg::IDR0, kIdr0 & ~0x1u}}); }
TEST(SmmuRegisters, Idr0WithoutStage1) {
    expect_ids({"smmu.s1p=false", "smmu.hyp=false"}, {{reg::IDR0, kIdr0 & ~0x2u & ~(1u << 9)}});
}
// HYP (EL2 stage-1 contexts) without stage 1 is a contradiction the parameters refuse
// (issue 19: the driver's reset TLBI_EL2_ALL was then illegal and waited out two timeouts).
TEST(SmmuRegisters, HypWithoutStage1IsRefused) {
    smmusim::test::Presets p({"smmu.s1p=false"});
    const std::string msg = smmusim::test::input_error([] { smmusim::smmu::Smmu s("smmu", 1); });
    EXPECT_NE(msg.find("smmu.s1p"), std::string::npos) << msg;
    EXPECT_NE(msg.find("smmu.hyp=false"), std::string::npos) << msg;
}
TEST(SmmuRegisters, Idr0WithoutHyp) { expect_ids({"smmu.hyp=false"}, {{reg::IDR0, kIdr0 & ~0x200u}}); }
TEST(SmmuRegisters, Idr0WithoutMsi) { expect_ids({"smmu.msi=false"}, {{reg::IDR0, kIdr0 & ~0x2000u}}); }
TEST(SmmuRegisters, Idr1SidSize12) { expect_ids({"smmu.sidsize=12"}, {{reg::IDR1, (kIdr1 & ~0x3Fu) | 12}}); }
TEST(SmmuRegisters, Idr1QueueSizes) {
    expect_ids({"smmu.cmdqs=8", "smmu.eventqs=7"}, {{reg::IDR1, 16 | (20u << 6) | (7u << 16) | (8u << 21)}});
}
TEST(SmmuRegisters, WithoutRangeInvalidationIdr3AndAidrReportV31) {
    expect_ids({"smmu.ril=false"}, {{reg::IDR3, kIdr3 & ~0x400u}, {reg::AIDR, kAidrV31}});
}
TEST(SmmuRegisters, Idr5Oas40Bits) { expect_ids({"smmu.oas=2"}, {{reg::IDR5, (kIdr5 & ~0x7u) | 2}}); }
TEST(SmmuRegisters, Idr5Without16kGranule) { expect_ids({"smmu.gran16k=false"}, {{reg::IDR5, kIdr5 & ~0x20u}}); }

// ---- update protocols ----

TEST(SmmuRegisters, Cr0AckFollowsAfterAckLatency) {
    SmmuBench b({"smmu.tcu.ack_latency=1000"});
    b.run([&] {
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        b.wr32(reg::CR0, 0x1);
        EXPECT_EQ(b.rd32(reg::CR0), 0x1u);  // the written value reads back at once
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0x0u);
        while (b.rd32(reg::CR0ACK) != 0x1u) ASSERT_LT(elapsed_ns(t0), 10 * kAckLatency);
        EXPECT_GE(elapsed_ns(t0), kAckLatency);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0x1u);
    });
}

TEST(SmmuRegisters, IrqCtrlAckFollowsAfterAckLatency) {
    SmmuBench b({"smmu.tcu.ack_latency=1000"});
    b.run([&] {
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        b.wr32(reg::IRQ_CTRL, 0x5);
        EXPECT_EQ(b.rd32(reg::IRQ_CTRL), 0x5u);
        EXPECT_EQ(b.rd32(reg::IRQ_CTRLACK), 0x0u);
        while (b.rd32(reg::IRQ_CTRLACK) != 0x5u) ASSERT_LT(elapsed_ns(t0), 10 * kAckLatency);
        EXPECT_GE(elapsed_ns(t0), kAckLatency);
        b.wr32(reg::IRQ_CTRL, 0x1);  // EVENTQ_IRQEN off: the ACK keeps the old value for a while
        EXPECT_EQ(b.rd32(reg::IRQ_CTRLACK), 0x5u);
        ASSERT_TRUE(b.write_ack(reg::IRQ_CTRL, reg::IRQ_CTRLACK, 0x1));
    });
}

TEST(SmmuRegisters, GbpaUpdateProtocol) {
    SmmuBench b({"smmu.tcu.ack_latency=1000"});
    b.run([&] {
        EXPECT_EQ(b.rd32(reg::GBPA), 0x00001000u);  // reset: SHCFG = incoming, Update = 0
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        b.wr32(reg::GBPA, (1u << 31) | (1u << 20) | 0x2000);  // ABORT, SHCFG = OSH
        EXPECT_EQ(b.rd32(reg::GBPA), 0x80102000u);          // Update reads 1 until applied
        b.wr32(reg::GBPA, (1u << 31) | 0x3000);              // while Update = 1: ignored
        EXPECT_EQ(b.rd32(reg::GBPA), 0x80102000u);
        while (b.rd32(reg::GBPA) >> 31) ASSERT_LT(elapsed_ns(t0), 10 * kAckLatency);
        EXPECT_GE(elapsed_ns(t0), kAckLatency);
        EXPECT_EQ(b.rd32(reg::GBPA), 0x00102000u);
        b.wr32(reg::GBPA, 0x3000);  // without Update: ignored
        EXPECT_EQ(b.rd32(reg::GBPA), 0x00102000u);
        b.wr32(reg::GBPA, (1u << 31) | 0x3000);
        EXPECT_EQ(b.rd32(reg::GBPA), 0x80003000u);
        while (b.rd32(reg::GBPA) >> 31) ASSERT_LT(elapsed_ns(t0), 20 * kAckLatency);
        EXPECT_EQ(b.rd32(reg::GBPA), 0x00003000u);
    });
}

// ---- write guards (v3.2: ignored while the enable is 1 in CR0 or its ACK) ----

TEST(SmmuRegisters, StrtabBaseGuardedBySmmuen) {
    expect_guarded(reg::STRTAB_BASE, true, (1ull << 62) | (kDram + 0x40000), reg::CR0, 0xC);
}
TEST(SmmuRegisters, StrtabBaseCfgGuardedBySmmuen) {
    expect_guarded(reg::STRTAB_BASE_CFG, false, 0x10000 | (6u << 6) | 10, reg::CR0, 0xC);
}
TEST(SmmuRegisters, Cr2GuardedBySmmuen) { expect_guarded(reg::CR2, false, 0x3, reg::CR0, 0xC); }
TEST(SmmuRegisters, CmdqBaseGuardedByCmdqen) {
    expect_guarded(reg::CMDQ_BASE, true, (1ull << 62) | (kDram + 0x100000) | 5, reg::CR0, 0x5);
}
TEST(SmmuRegisters, CmdqConsGuardedByCmdqen) { expect_guarded(reg::CMDQ_CONS, false, 0x7, reg::CR0, 0x5); }
TEST(SmmuRegisters, EventqBaseGuardedByEventqen) {
    expect_guarded(reg::EVENTQ_BASE, true, (1ull << 62) | (kDram + 0x200000) | 4, reg::CR0, 0x9);
}
TEST(SmmuRegisters, EventqProdGuardedByEventqen) { expect_guarded(reg::EVENTQ_PROD, false, 0x5, reg::CR0, 0x9); }
TEST(SmmuRegisters, EventqIrqCfg0GuardedByEventqIrqen) {
    expect_guarded(reg::EVENTQ_IRQ_CFG0, true, kDram + 0x300000, reg::IRQ_CTRL, 0x1);
}
TEST(SmmuRegisters, GerrorIrqCfg1GuardedByGerrorIrqen) {
    expect_guarded(reg::GERROR_IRQ_CFG1, false, 0xDEADBEEF, reg::IRQ_CTRL, 0x4);
}

// The guard uses the enable in CR0 and in CR0ACK: it holds while an Update is in progress.
TEST(SmmuRegisters, GuardHoldsWhileCr0UpdateInProgress) {
    SmmuBench b({"smmu.tcu.ack_latency=1000"});
    b.run([&] {
        b.enable();
        const uint32_t cfg = b.rd32(reg::STRTAB_BASE_CFG);
        b.wr32(reg::CR0, 0xC);  // SMMUEN 1 -> 0 requested, CR0ACK.SMMUEN still 1
        b.wr32(reg::STRTAB_BASE_CFG, 0x10006);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0xDu);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE_CFG), cfg);
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::CR0ACK) == 0xCu; }));
        b.wr32(reg::STRTAB_BASE_CFG, 0x10006);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE_CFG), 0x10006u);
        b.wr32(reg::CR0, 0xD);  // SMMUEN 0 -> 1 requested: guarded at once
        b.wr32(reg::STRTAB_BASE_CFG, 0x8);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0xCu);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE_CFG), 0x10006u);
    });
}

// ---- GERROR / GERRORN ----

TEST(SmmuRegisters, GerrornReadWriteGerrorReadOnly) {
    SmmuBench b;
    b.run([&] {
        b.wr32(reg::GERROR, 0xFFFFFFFFu);  // read-only: ignored
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
        b.wr32(reg::GERRORN, gerror::EVENTQ_ABT_ERR | gerror::CMDQ_ERR);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0x5u);
        b.wr32(reg::GERRORN, 0xFFFFFFFFu);  // bit 1 and bits [31:9] are RES0
        EXPECT_EQ(b.rd32(reg::GERRORN), 0x1FDu);
        b.wr32(reg::GERRORN, 0);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0u);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
}

// ---- access sizes ----

TEST(SmmuRegisters, SixtyFourBitAndTwoHalvesAgree) {
    SmmuBench b;
    b.run([&] {
        const uint64_t strtab = (1ull << 62) | 0xABCDEF000040ull;  // RA, ADDR[47:6]
        b.wr64(reg::STRTAB_BASE, strtab);
        EXPECT_EQ(b.rd64(reg::STRTAB_BASE), strtab);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE), 0xEF000040u);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE + 4), 0x4000ABCDu);
        // CMDQ_BASE written as two halves (low, then high), read as one.
        b.wr32(reg::CMDQ_BASE, 0x12345685u);  // ADDR[31:5], LOG2SIZE = 5
        b.wr32(reg::CMDQ_BASE + 4, 0x40001234u);
        EXPECT_EQ(b.rd64(reg::CMDQ_BASE), 0x4000123412345685ull);
        // Each half on its own.
        b.wr32(reg::CMDQ_BASE + 4, 0x00005678u);
        EXPECT_EQ(b.rd64(reg::CMDQ_BASE), 0x0000567812345685ull);
        // EVENTQ_IRQ_CFG0: ADDR[55:2]; bits [1:0] are RES0.
        b.wr64(reg::EVENTQ_IRQ_CFG0, 0x0000ABCDEF00001Full);
        EXPECT_EQ(b.rd64(reg::EVENTQ_IRQ_CFG0), 0x0000ABCDEF00001Cull);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG0), 0xEF00001Cu);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG0 + 4), 0x0000ABCDu);
        b.wr32(reg::GERROR_IRQ_CFG0, 0x87654320u);
        b.wr32(reg::GERROR_IRQ_CFG0 + 4, 0x00001234u);
        EXPECT_EQ(b.rd64(reg::GERROR_IRQ_CFG0), 0x0000123487654320ull);
    });
}

TEST(SmmuRegisters, BadSizeOrAlignmentGetsErrorResponse) {
    SmmuBench b;
    b.run([&] {
        uint64_t v = 0;
        EXPECT_EQ(b.mmio(reg::IDR0, 2, false, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(b.mmio(reg::IDR0, 1, false, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(b.mmio(reg::IDR0 + 2, 4, false, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(b.mmio(reg::STRTAB_BASE + 4, 8, false, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        v = 0x1;
        EXPECT_EQ(b.mmio(reg::CR0, 2, true, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        v = 0x100;
        EXPECT_EQ(b.mmio(reg::CR0 - 1, 4, true, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        v = 0xABC0;
        EXPECT_EQ(b.mmio(reg::STRTAB_BASE + 4, 8, true, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
        // The refused writes changed nothing.
        EXPECT_EQ(b.rd32(reg::CR0), 0u);
        EXPECT_EQ(b.rd64(reg::STRTAB_BASE), 0u);
        EXPECT_EQ(b.rd32(reg::STRTAB_BASE_CFG), 0u);
        // The legal sizes answer OK.
        EXPECT_EQ(b.mmio(reg::IDR0, 4, false, v), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(v, kIdr0);
        EXPECT_EQ(b.mmio(reg::STRTAB_BASE, 8, false, v), tlm::TLM_OK_RESPONSE);
    });
}

// ---- layout: page 1, RES0 space, features absent ----

TEST(SmmuRegisters, EventqProdConsLiveOnPage1) {
    SmmuBench b;
    b.run([&] {
        b.wr64(reg::EVENTQ_BASE, b.alloc(32 << 4, 32 << 4) | 4);  // 16 entries: PROD bits [4:0]
        b.wr32(0x100A8, 0x3);  // EVENTQ_PROD (EVENTQEN=0: writable)
        b.wr32(0x100AC, 0x80000002u);
        EXPECT_EQ(b.rd32(0x100A8), 0x3u);
        EXPECT_EQ(b.rd32(0x100AC), 0x80000002u);
        EXPECT_EQ(b.rd32(0x0A8), 0u);  // page 0: nothing there
        EXPECT_EQ(b.rd32(0x0AC), 0u);
        b.wr32(0x0A8, 0x5);
        b.wr32(0x0AC, 0x1);
        EXPECT_EQ(b.rd32(0x100A8), 0x3u);
        EXPECT_EQ(b.rd32(0x100AC), 0x80000002u);
        EXPECT_EQ(b.rd32(0x0A8), 0u);
    });
}

// RES0 space, and registers of features not implemented (STATUSR without DORMHINT, PRIQ_BASE
// without PRI, the Secure bank).
TEST(SmmuRegisters, UnknownOffsetsReadZeroIgnoreWrites) {
    SmmuBench b;
    b.run([&] {
        for (uint32_t off : {0x030u, 0x03Cu, 0x040u /* STATUSR */, 0x048u /* AGBPA */, 0x0E0u, 0x0C0u /* PRIQ_BASE */,
                             0x8000u /* Secure bank */}) {
            b.wr32(off, 0xFFFFFFFFu);
            EXPECT_EQ(b.rd32(off), 0u) << std::hex << "offset 0x" << off;
        }
        EXPECT_EQ(b.rd64(0x030), 0u);
        // Nothing else changed.
        EXPECT_EQ(b.rd32(reg::CR0), 0u);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0u);
        EXPECT_EQ(b.rd32(reg::IDR0), kIdr0);
    });
}

TEST(SmmuRegisters, MsiConfigRes0WithoutMsi) {
    SmmuBench b({"smmu.msi=false"});
    b.run([&] {
        b.wr64(reg::GERROR_IRQ_CFG0, kDram + 0x1000);
        b.wr32(reg::GERROR_IRQ_CFG1, 0x1111);
        b.wr32(reg::GERROR_IRQ_CFG2, 0x11);
        b.wr64(reg::EVENTQ_IRQ_CFG0, kDram + 0x2000);
        b.wr32(reg::EVENTQ_IRQ_CFG1, 0x2222);
        b.wr32(reg::EVENTQ_IRQ_CFG2, 0x11);
        EXPECT_EQ(b.rd64(reg::GERROR_IRQ_CFG0), 0u);
        EXPECT_EQ(b.rd32(reg::GERROR_IRQ_CFG1), 0u);
        EXPECT_EQ(b.rd32(reg::GERROR_IRQ_CFG2), 0u);
        EXPECT_EQ(b.rd64(reg::EVENTQ_IRQ_CFG0), 0u);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG1), 0u);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG2), 0u);
    });
}

TEST(SmmuRegisters, MsiConfigWritableWithMsi) {
    SmmuBench b;
    b.run([&] {
        b.wr64(reg::GERROR_IRQ_CFG0, kDram + 0x1000);
        b.wr32(reg::GERROR_IRQ_CFG1, 0x1111);
        b.wr32(reg::GERROR_IRQ_CFG2, 0x11);
        b.wr32(reg::EVENTQ_IRQ_CFG1, 0x2222);
        b.wr32(reg::EVENTQ_IRQ_CFG2, 0xFF);  // SH [5:4], MemAttr [3:0]; the rest RES0
        EXPECT_EQ(b.rd64(reg::GERROR_IRQ_CFG0), kDram + 0x1000);
        EXPECT_EQ(b.rd32(reg::GERROR_IRQ_CFG1), 0x1111u);
        EXPECT_EQ(b.rd32(reg::GERROR_IRQ_CFG2), 0x11u);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG1), 0x2222u);
        EXPECT_EQ(b.rd32(reg::EVENTQ_IRQ_CFG2), 0x3Fu);
    });
}

TEST(SmmuRegisters, Cr0ReservedBitsReadZero) {
    SmmuBench b;
    b.run([&] {
        // SMMUEN plus ATSCHK (no ATS), bit 5, VMW (no IDR0.VMW), bit 9, DPT_WALK_EN, bit 31.
        b.wr32(reg::CR0, 0x800007F1u);
        EXPECT_EQ(b.rd32(reg::CR0), 0x1u);
        b.wait_cycles(200);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0x1u);
        b.wr32(reg::CR0, 0x10);  // ATSCHK alone
        EXPECT_EQ(b.rd32(reg::CR0), 0x0u);
        b.wait_cycles(200);
        EXPECT_EQ(b.rd32(reg::CR0ACK), 0x0u);
    });
}

// Facts §8: EVENTQ_PROD bits [19:QS+1] are RAZ (QS = EVENTQ_BASE.LOG2SIZE); CONS stores them.
TEST(SmmuRegisters, EventqProdBitsAboveWrapReadZero) {
    SmmuBench b;
    b.run([&] {
        b.wr64(reg::EVENTQ_BASE, (kDram + 0x10000) | 2);  // 4 entries: [1:0] index, [2] wrap
        b.wr32(reg::EVENTQ_PROD, 0x800000FFu);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), 0x80000007u);
        b.wr32(reg::EVENTQ_CONS, 0x800000FFu);
        EXPECT_EQ(b.rd32(reg::EVENTQ_CONS), 0x800000FFu);
    });
}
