// The command queue, programmed by a bare CPU: which commands are consumed, which stop the
// queue with CERROR_ILL / CERROR_ABT (CMDQ_CONS.ERR, GERROR.CMDQ_ERR), recovery, wrap,
// CMD_SYNC completion signals and the command statistics (reference §4, §7, §9.1, §9.4,
// §9.6; facts §6-7).

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint32_t kIll = cerror::ILL << 24, kAbt = cerror::ABT << 24;  // CMDQ_CONS.ERR
constexpr uint32_t kAfterEnable = 3;  // enable() issues CFGI_STE_RANGE(31), TLBI_NSNH_ALL, CMD_SYNC

Command cmd(uint8_t opcode) {
    Command c;
    c.set<Command::Opcode>(opcode);
    return c;
}

// An address-based TLBI with the range fields.
Command range_tlbi(uint8_t opcode, uint64_t tg, uint64_t ttl, uint64_t num, uint64_t scale) {
    Command c = cmd(opcode);
    c.set<Command::ASID>(1);
    c.set<Command::VMID>(1);
    c.set<Command::Address>(0x12345);
    c.set<Command::TG>(tg);
    c.set<Command::TTL>(ttl);
    c.set<Command::NUM>(num);
    c.set<Command::SCALE>(scale);
    return c;
}

Command sync_cmd(uint64_t cs, uint64_t msi_addr = 0, uint32_t msi_data = 0) {
    Command c = cmd(op::CMD_SYNC);
    c.set<Command::CS>(cs);
    c.set<Command::MSIData>(msi_data);
    c.set_address<Command::MSIAddress>(msi_addr);
    return c;
}

bool cmdq_err_active(SmmuBench& b) { return (b.rd32(reg::GERROR) ^ b.rd32(reg::GERRORN)) & gerror::CMDQ_ERR; }

// Polls `done` (a few hundred ns apart) for up to ~100 us of simulated time.
// Valid on the NS queue: consumed (CONS advances past it), no error.
void expect_consumed(const Command& c, std::initializer_list<std::string> sets = {}) {
    SmmuBench b(sets);
    b.run([&] {
        b.enable();
        ASSERT_EQ(b.rd32(reg::CMDQ_CONS), kAfterEnable);
        b.command(c);
        b.poll([&] { return b.rd32(reg::CMDQ_CONS) == kAfterEnable + 1 || cmdq_err_active(b); });
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), kAfterEnable + 1);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), kAfterEnable + 1);
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 0);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 0);
}

// CERROR_ILL: CONS stays on the command with ERR=1, GERROR.CMDQ_ERR toggles (one GERROR
// interrupt), the command behind it is not consumed.
void expect_illegal(const Command& c, std::initializer_list<std::string> sets = {}) {
    SmmuBench b(sets);
    b.run([&] {
        b.enable();
        b.command(c);
        b.command(cmd(op::TLBI_NSNH_ALL));
        EXPECT_TRUE(b.poll([&] { return cmdq_err_active(b); }));
        b.wait_cycles(2000);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), kIll | kAfterEnable);
        EXPECT_EQ(b.rd32(reg::CMDQ_PROD), kAfterEnable + 2);
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::CMDQ_ERR);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), kAfterEnable);
    EXPECT_EQ(stat("smmu.tcu.cmdq.tlbi"), 1);  // enable()'s TLBI_NSNH_ALL only
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 1);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
}

}  // namespace

// ---- every valid NS command is consumed ----

TEST(SmmuCmdq, PrefetchConfigConsumed) {
    Command c = cmd(op::PREFETCH_CONFIG);
    c.set<Command::StreamID>(5);
    expect_consumed(c);
}
TEST(SmmuCmdq, PrefetchAddrConsumed) {
    Command c = cmd(op::PREFETCH_ADDR);
    c.set<Command::StreamID>(5);
    c.set<Command::Address>(0x40000);
    c.set<Command::PrefetchSize>(3);
    expect_consumed(c);
}
TEST(SmmuCmdq, CfgiSteConsumed) {
    Command c = cmd(op::CFGI_STE);
    c.set<Command::StreamID>(5);
    c.set<Command::Leaf>(1);
    expect_consumed(c);
}
TEST(SmmuCmdq, CfgiSteRangeConsumed) {
    Command c = cmd(op::CFGI_STE_RANGE);
    c.set<Command::StreamID>(0x40);
    c.set<Command::Range>(4);
    expect_consumed(c);
}
TEST(SmmuCmdq, CfgiSteRangeAllConsumed) {
    Command c = cmd(op::CFGI_STE_RANGE);
    c.set<Command::StreamID>(0x1234);  // ignored with Range=31 (CFGI_ALL)
    c.set<Command::Range>(31);
    expect_consumed(c);
}
TEST(SmmuCmdq, CfgiCdConsumed) {
    Command c = cmd(op::CFGI_CD);
    c.set<Command::StreamID>(5);
    c.set<Command::SubstreamID>(3);
    c.set<Command::Leaf>(1);
    expect_consumed(c);
}
TEST(SmmuCmdq, CfgiCdAllConsumed) {
    Command c = cmd(op::CFGI_CD_ALL);
    c.set<Command::StreamID>(5);
    expect_consumed(c);
}
TEST(SmmuCmdq, TlbiNhAllConsumed) {
    Command c = cmd(op::TLBI_NH_ALL);
    c.set<Command::VMID>(3);
    expect_consumed(c);
}
TEST(SmmuCmdq, TlbiNhAsidConsumed) {
    Command c = cmd(op::TLBI_NH_ASID);
    c.set<Command::VMID>(3);
    c.set<Command::ASID>(7);
    expect_consumed(c);
}
TEST(SmmuCmdq, TlbiNhVaConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VA, 0, 0, 0, 0)); }
TEST(SmmuCmdq, TlbiNhVaRangeConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VA, 1, 0, 5, 1)); }
TEST(SmmuCmdq, TlbiNhVaTtlHintConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VA, 1, 3, 0, 0)); }
TEST(SmmuCmdq, TlbiNhVa16kTtl1WithNumConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VA, 2, 1, 1, 0)); }
TEST(SmmuCmdq, TlbiNhVaaConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VAA, 0, 0, 0, 0)); }
TEST(SmmuCmdq, TlbiNhVaaRangeConsumed) { expect_consumed(range_tlbi(op::TLBI_NH_VAA, 3, 2, 31, 3)); }
TEST(SmmuCmdq, TlbiEl2AllConsumed) { expect_consumed(cmd(op::TLBI_EL2_ALL)); }
TEST(SmmuCmdq, TlbiEl2AsidConsumed) {
    Command c = cmd(op::TLBI_EL2_ASID);
    c.set<Command::ASID>(9);
    expect_consumed(c);
}
TEST(SmmuCmdq, TlbiEl2VaConsumed) { expect_consumed(range_tlbi(op::TLBI_EL2_VA, 0, 0, 0, 0)); }
TEST(SmmuCmdq, TlbiEl2VaRangeConsumed) { expect_consumed(range_tlbi(op::TLBI_EL2_VA, 1, 1, 2, 0)); }
TEST(SmmuCmdq, TlbiEl2VaaConsumed) { expect_consumed(range_tlbi(op::TLBI_EL2_VAA, 2, 3, 0, 0)); }
TEST(SmmuCmdq, TlbiS12VmallConsumed) {
    Command c = cmd(op::TLBI_S12_VMALL);
    c.set<Command::VMID>(4);
    expect_consumed(c);
}
TEST(SmmuCmdq, TlbiS2IpaConsumed) { expect_consumed(range_tlbi(op::TLBI_S2_IPA, 0, 0, 0, 0)); }
TEST(SmmuCmdq, TlbiS2IpaRangeConsumed) { expect_consumed(range_tlbi(op::TLBI_S2_IPA, 3, 2, 0, 0)); }
TEST(SmmuCmdq, TlbiNsnhAllConsumed) { expect_consumed(cmd(op::TLBI_NSNH_ALL)); }
TEST(SmmuCmdq, TlbiNsnhAllConsumedWithoutStage1) { expect_consumed(cmd(op::TLBI_NSNH_ALL), {"smmu.s1p=false", "smmu.hyp=false"}); }
TEST(SmmuCmdq, SyncCsNoneConsumed) { expect_consumed(sync_cmd(sync_cs::SIG_NONE)); }
TEST(SmmuCmdq, SyncCsIrqConsumed) { expect_consumed(sync_cmd(sync_cs::SIG_IRQ)); }
TEST(SmmuCmdq, SyncCsSevConsumed) { expect_consumed(sync_cmd(sync_cs::SIG_SEV)); }

// ---- CERROR_ILL ----

TEST(SmmuCmdq, UndefinedOpcodeIsIllegal) { expect_illegal(cmd(0x7F)); }
TEST(SmmuCmdq, CfgiVmsPidmWithoutMpamIsIllegal) { expect_illegal(cmd(op::CFGI_VMS_PIDM)); }
TEST(SmmuCmdq, SSecOnCfgiSteIsIllegal) {
    Command c = cmd(op::CFGI_STE);
    c.set<Command::SSec>(1);
    expect_illegal(c);
}
TEST(SmmuCmdq, SSecOnPrefetchConfigIsIllegal) {
    Command c = cmd(op::PREFETCH_CONFIG);
    c.set<Command::SSec>(1);
    expect_illegal(c);
}
TEST(SmmuCmdq, SyncCs3IsIllegal) { expect_illegal(sync_cmd(3)); }
TEST(SmmuCmdq, RangeTlbiWithoutNumScaleTtlIsIllegal) { expect_illegal(range_tlbi(op::TLBI_NH_VA, 1, 0, 0, 0)); }
TEST(SmmuCmdq, RangeS2IpaWithoutNumScaleTtlIsIllegal) { expect_illegal(range_tlbi(op::TLBI_S2_IPA, 3, 0, 0, 0)); }
TEST(SmmuCmdq, Range16kTtl1WithoutNumScaleIsIllegal) { expect_illegal(range_tlbi(op::TLBI_NH_VAA, 2, 1, 0, 0)); }
TEST(SmmuCmdq, AtcInvIsIllegal) {
    Command c = cmd(op::ATC_INV);
    c.set<Command::StreamID>(5);
    c.set<Command::AtcSize>(52);
    expect_illegal(c);
}
TEST(SmmuCmdq, PriRespIsIllegal) { expect_illegal(cmd(op::PRI_RESP)); }
TEST(SmmuCmdq, ResumeIsIllegal) { expect_illegal(cmd(op::RESUME)); }
TEST(SmmuCmdq, StallTermIsIllegal) { expect_illegal(cmd(op::STALL_TERM)); }
TEST(SmmuCmdq, TlbiEl3AllIsIllegal) { expect_illegal(cmd(op::TLBI_EL3_ALL)); }
TEST(SmmuCmdq, TlbiEl3VaIsIllegal) { expect_illegal(range_tlbi(op::TLBI_EL3_VA, 0, 0, 0, 0)); }
TEST(SmmuCmdq, TlbiEl2AllWithoutHypIsIllegal) { expect_illegal(cmd(op::TLBI_EL2_ALL), {"smmu.hyp=false"}); }
TEST(SmmuCmdq, TlbiEl2AsidWithoutHypIsIllegal) { expect_illegal(cmd(op::TLBI_EL2_ASID), {"smmu.hyp=false"}); }
TEST(SmmuCmdq, TlbiEl2VaWithoutHypIsIllegal) {
    expect_illegal(range_tlbi(op::TLBI_EL2_VA, 0, 0, 0, 0), {"smmu.hyp=false"});
}
TEST(SmmuCmdq, TlbiEl2VaaWithoutHypIsIllegal) {
    expect_illegal(range_tlbi(op::TLBI_EL2_VAA, 0, 0, 0, 0), {"smmu.hyp=false"});
}
TEST(SmmuCmdq, TlbiNhAllWithoutStage1IsIllegal) { expect_illegal(cmd(op::TLBI_NH_ALL), {"smmu.s1p=false", "smmu.hyp=false"}); }
TEST(SmmuCmdq, TlbiNhAsidWithoutStage1IsIllegal) { expect_illegal(cmd(op::TLBI_NH_ASID), {"smmu.s1p=false", "smmu.hyp=false"}); }
TEST(SmmuCmdq, TlbiNhVaWithoutStage1IsIllegal) {
    expect_illegal(range_tlbi(op::TLBI_NH_VA, 0, 0, 0, 0), {"smmu.s1p=false", "smmu.hyp=false"});
}
TEST(SmmuCmdq, TlbiNhVaaWithoutStage1IsIllegal) {
    expect_illegal(range_tlbi(op::TLBI_NH_VAA, 0, 0, 0, 0), {"smmu.s1p=false", "smmu.hyp=false"});
}
TEST(SmmuCmdq, CfgiCdWithoutStage1IsIllegal) { expect_illegal(cmd(op::CFGI_CD), {"smmu.s1p=false", "smmu.hyp=false"}); }
TEST(SmmuCmdq, CfgiCdAllWithoutStage1IsIllegal) { expect_illegal(cmd(op::CFGI_CD_ALL), {"smmu.s1p=false", "smmu.hyp=false"}); }
TEST(SmmuCmdq, TlbiS2IpaWithoutStage2IsIllegal) {
    expect_illegal(range_tlbi(op::TLBI_S2_IPA, 0, 0, 0, 0), {"smmu.s2p=false"});
}
TEST(SmmuCmdq, TlbiS12VmallWithoutStage2IsIllegal) { expect_illegal(cmd(op::TLBI_S12_VMALL), {"smmu.s2p=false"}); }

// ---- CERROR_ABT, recovery, the GERROR toggle protocol ----

TEST(SmmuCmdq, FetchAbortStopsWithAbtAndConsStays) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x5));  // CMDQEN=0: CMDQ_BASE writable
        b.wr64(reg::CMDQ_BASE, kHole | 2);
        b.wr32(reg::CMDQ_PROD, 0);
        b.wr32(reg::CMDQ_CONS, 0);
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
        b.wr32(reg::CMDQ_PROD, 1);
        EXPECT_TRUE(b.poll([&] { return cmdq_err_active(b); }));
        b.wait_cycles(2000);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), kAbt | 0u);
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::CMDQ_ERR);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), kAfterEnable);
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 1);
}

TEST(SmmuCmdq, IllegalCommandFixedBySyncThenAckResumes) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        b.command(cmd(0x7F));                 // slot 3
        b.command(cmd(op::TLBI_NSNH_ALL));    // slot 4
        b.command(sync_cmd(sync_cs::SIG_NONE));  // slot 5
        ASSERT_TRUE(b.poll([&] { return cmdq_err_active(b); }));
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), kIll | 3u);
        b.put(b.cmdq_base() + 3 * Command::kBytes, sync_cmd(sync_cs::SIG_NONE));  // as Linux does
        b.wr32(reg::GERRORN, b.rd32(reg::GERROR));  // acknowledge: no PROD write needed
        EXPECT_TRUE(b.poll([&] { return (b.rd32(reg::CMDQ_CONS) & queue_ptr::kIndexAndWrapMask) == 6; }));
        // ERR is UNKNOWN once no error is active: only the index and wrap are checked.
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS) & queue_ptr::kIndexAndWrapMask, 6u);
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::CMDQ_ERR);
        EXPECT_EQ(b.rd32(reg::GERRORN), gerror::CMDQ_ERR);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), 6);
    EXPECT_EQ(stat("smmu.tcu.cmdq.syncs"), 3);
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 1);
}

TEST(SmmuCmdq, CmdqErrToggledAgainOnlyAfterAck) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        b.command(cmd(0x7F));
        ASSERT_TRUE(b.poll([&] { return cmdq_err_active(b); }));
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::CMDQ_ERR);
        b.put(b.cmdq_base() + 3 * Command::kBytes, sync_cmd(3));  // still illegal
        b.wait_cycles(2000);  // no restart without the acknowledgement
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::CMDQ_ERR);
        EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
        b.wr32(reg::GERRORN, gerror::CMDQ_ERR);
        ASSERT_TRUE(b.poll([&] { return cmdq_err_active(b); }));
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);  // toggled back: active as GERRORN differs
        EXPECT_EQ(b.rd32(reg::GERRORN), gerror::CMDQ_ERR);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), kIll | 3u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 2);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 2);
}

TEST(SmmuCmdq, GerrorBitNotToggledWhileActive) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, kHole, 1));  // its MSI aborts
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::GERROR) != 0; }));
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::MSI_CMDQ_ABT_ERR);
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, kHole, 2));  // aborts again while active
        ASSERT_TRUE(b.poll([&] { return stat("smmu.tcu.msi_aborts") == 2; }));
        b.wait_cycles(200);
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::MSI_CMDQ_ABT_ERR);
        EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
        b.wr32(reg::GERRORN, b.rd32(reg::GERROR));  // acknowledge
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, kHole, 3));
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::GERROR) == 0; }));
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
        EXPECT_EQ(b.rd32(reg::GERRORN), gerror::MSI_CMDQ_ABT_ERR);
    });
    EXPECT_EQ(stat("smmu.tcu.msi_aborts"), 3);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 2);
}

// ---- wrap ----

TEST(SmmuCmdq, MoreCommandsThanEntriesWrap) {
    SmmuBench b;
    b.run([&] {
        BenchSetup s;
        s.cmdq_log2 = 2;  // 4 entries
        b.enable(s);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 3u);
        for (unsigned i = 0; i < 10; ++i) b.command(cmd(op::TLBI_NSNH_ALL));
        ASSERT_TRUE(b.sync());
        // 3 + 10 + 1 = 14 commands: position 14 mod 8 = 6, i.e. wrap bit [2] = 1, index 2.
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 0x6u);
        EXPECT_EQ(b.rd32(reg::CMDQ_PROD), 0x6u);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), 14);
    EXPECT_EQ(stat("smmu.tcu.cmdq.tlbi"), 11);
}

// ---- CMD_SYNC completion signals ----

TEST(SmmuCmdq, SyncIrqWritesMsiDataAndPulsesWire) {
    SmmuBench b;
    uint64_t msi = 0;
    b.run([&] {
        b.enable();
        msi = b.alloc(8, 8);
        b.put64(msi, 0x5A5A5A5A5A5A5A5Aull);
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, msi, 0xCAFEF00Du));
        EXPECT_TRUE(b.poll([&] { return b.get32(msi) == 0xCAFEF00Du; }));
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(b.get64(msi), 0x5A5A5A5ACAFEF00Dull);  // one 32-bit write
    EXPECT_EQ(stat("smmu.tcu.cmdq_sync_irq.pulses"), 1);
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 1);
}

TEST(SmmuCmdq, SyncIrqWithoutMsiSupportOnlyPulsesWire) {
    SmmuBench b({"smmu.msi=false"});
    uint64_t msi = 0;
    b.run([&] {
        b.enable();
        msi = b.alloc(8, 8);
        b.put64(msi, 0x5A5A5A5A5A5A5A5Aull);
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, msi, 0xCAFEF00Du));
        b.wait_cycles(2000);
    });
    EXPECT_EQ(b.get64(msi), 0x5A5A5A5A5A5A5A5Aull);
    EXPECT_EQ(stat("smmu.tcu.cmdq_sync_irq.pulses"), 1);
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 0);
}

TEST(SmmuCmdq, SyncNoneAndSevDoNotSignal) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        const uint64_t msi = b.alloc(8, 8);
        ASSERT_TRUE(b.sync(sync_cs::SIG_NONE, msi, 1));  // MSI fields ignored
        ASSERT_TRUE(b.sync(sync_cs::SIG_SEV, msi, 2));   // IDR0.SEV=0: as NONE
        b.wait_cycles(2000);
        EXPECT_EQ(b.get64(msi), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq_sync_irq.pulses"), 0);
    EXPECT_EQ(stat("smmu.tcu.msi_writes"), 0);
}

TEST(SmmuCmdq, SyncMsiAbortActivatesMsiCmdqAbtErr) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, kHole + 0x40, 0x77));
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 4u);  // consumed all the same
        ASSERT_TRUE(b.poll([&] { return b.rd32(reg::GERROR) != 0; }));
        EXPECT_EQ(b.rd32(reg::GERROR), gerror::MSI_CMDQ_ABT_ERR);
        EXPECT_EQ(b.rd32(reg::GERRORN), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.msi_aborts"), 1);
    EXPECT_EQ(stat("smmu.tcu.cmdq_sync_irq.pulses"), 1);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
}

TEST(SmmuCmdq, NothingConsumedWhileCmdqenIsZero) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x5));  // SMMUEN and EVENTQEN kept
        b.command(sync_cmd(sync_cs::SIG_NONE));
        b.wait_cycles(5000);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 3u);
        EXPECT_EQ(b.rd32(reg::CMDQ_PROD), 4u);
        // CMDQEN 0->1: processing starts as PROD != CONS.
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
        EXPECT_TRUE(b.poll([&] { return b.rd32(reg::CMDQ_CONS) == 4u; }));
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 4u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.syncs"), 2);
}

// ---- statistics ----

TEST(SmmuCmdq, CommandStatisticsCountExactly) {
    SmmuBench b;
    b.run([&] {
        b.enable();  // CFGI_STE_RANGE, TLBI_NSNH_ALL, CMD_SYNC
        b.command(range_tlbi(op::TLBI_NH_VA, 0, 0, 0, 0));
        b.command(range_tlbi(op::TLBI_NH_VA, 1, 0, 4, 0));
        b.command(range_tlbi(op::TLBI_S2_IPA, 0, 0, 0, 0));
        b.command(cmd(op::CFGI_STE));
        b.command(cmd(op::CFGI_CD));
        b.command(cmd(op::PREFETCH_CONFIG));
        ASSERT_TRUE(b.sync());
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ));
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.commands"), 11);
    EXPECT_EQ(stat("smmu.tcu.cmdq.syncs"), 3);
    EXPECT_EQ(stat("smmu.tcu.cmdq.tlbi"), 4);
    EXPECT_EQ(stat("smmu.tcu.cmdq.cfgi"), 3);
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 0);
}

TEST(SmmuCmdq, SyncLatencyHistogramCountsEverySync) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        for (int i = 0; i < 3; ++i) {
            b.command(cmd(op::TLBI_NSNH_ALL));
            ASSERT_TRUE(b.sync());
        }
    });
    const nlohmann::json h = stat("smmu.tcu.cmdq.sync_latency");
    EXPECT_EQ(h["count"], 4);
    // Each sync waits at least its own execution cost (cmd_cycles = 8 at 1 GHz).
    EXPECT_GE(h["min"].get<double>(), 8.0);
}

// ---- beyond the basic list (reference §7.1, facts §7) ----

// The effective base is aligned to the queue size: ADDR bits below it are ignored.
TEST(SmmuCmdq, BaseAlignedDownToQueueSize) {
    SmmuBench b;
    b.run([&] {
        b.enable();  // 256 entries, 4 KiB aligned
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0x5));
        b.wr64(reg::CMDQ_BASE, (b.cmdq_base() + 0x800) | 8);
        b.wr32(reg::CMDQ_PROD, 0);
        b.wr32(reg::CMDQ_CONS, 0);
        ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
        b.put(b.cmdq_base(), cmd(op::TLBI_NSNH_ALL));
        b.put(b.cmdq_base() + 0x800, cmd(0x7F));  // would be illegal if fetched
        b.wr32(reg::CMDQ_PROD, 1);
        EXPECT_TRUE(b.poll([&] { return b.rd32(reg::CMDQ_CONS) == 1u || cmdq_err_active(b); }));
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), 1u);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.tlbi"), 2);
}

// CMD_SYNC MSI: the address is truncated to the OAS (48 bits here) for the write.
TEST(SmmuCmdq, SyncMsiAddressTruncatedToOas) {
    SmmuBench b;
    uint64_t msi = 0;
    b.run([&] {
        b.enable();
        msi = b.alloc(8, 8);
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, msi | (1ull << 52), 0x600DF00Du));
        b.wait_cycles(2000);
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(b.get32(msi), 0x600DF00Du);
    EXPECT_EQ(stat("smmu.tcu.msi_aborts"), 0);
}
