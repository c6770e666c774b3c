// Enhanced command queues (smmu.ecmdqs; reference §3.5.6, §6.2.5, §6.3.45-51, §6.3.107-109),
// programmed by a bare CPU: ID registers and the control page, the EN/ENACK handshake and
// its write guards, commands on two ECMDQs each consumed once and in its queue's order, a
// CMD_SYNC on an ECMDQ completing after that queue's commands, and an error on one ECMDQ
// stopping that queue only (its CONS.ERR and ERR_REASON, GERROR.CMDQP_ERR, not CMDQ_ERR).

#include <fstream>
#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/core/json_log.h"
#include "models/smmu/arch/queue.h"
#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr unsigned kQueues = 4;
constexpr uint32_t kStride = reg::ECMDQ_PAGE_SIZE / kQueues;
constexpr uint32_t kEn = 1u << 31, kEnack = 1u << 31, kErr = 1u << 23;
constexpr unsigned kLog2 = 6;  // 64 entries per ECMDQ

uint32_t ecmdq_reg(unsigned q, uint32_t r) { return reg::ECMDQ_PAGE + q * kStride + r; }

Command cfgi_ste(uint32_t sid) {
    Command c;
    c.set<Command::Opcode>(op::CFGI_STE);
    c.set<Command::StreamID>(sid);
    c.set<Command::Leaf>(1);
    return c;
}

Command msi_sync(uint64_t addr, uint32_t data) {
    Command c;
    c.set<Command::Opcode>(op::CMD_SYNC);
    c.set<Command::CS>(sync_cs::SIG_IRQ);
    c.set<Command::MSIData>(data);
    c.set_address<Command::MSIAddress>(addr);
    return c;
}

// An ECMDQ driven by the test: its ring in DRAM, a shadow PROD.
struct Ecmdq {
    SmmuBench& b;
    unsigned q;
    uint64_t ring = 0;
    uint32_t prod = 0;

    Ecmdq(SmmuBench& bench, unsigned index) : b(bench), q(index) {}
    // BASE, PROD = CONS = 0, then EN; waits for ENACK.
    bool enable() {
        const uint64_t bytes = uint64_t(Command::kBytes) << kLog2;
        ring = b.alloc(bytes, bytes);
        b.wr64(ecmdq_reg(q, reg::ECMDQ_BASE), ring | kLog2);
        b.wr32(ecmdq_reg(q, reg::ECMDQ_PROD), 0);
        b.wr32(ecmdq_reg(q, reg::ECMDQ_CONS), 0);
        b.wr32(ecmdq_reg(q, reg::ECMDQ_PROD), kEn);
        return b.poll([&] { return (b.rd32(ecmdq_reg(q, reg::ECMDQ_CONS)) & kEnack) != 0; });
    }
    // Writes the commands, then PROD once (EN and `errack` with it).
    void submit(const std::vector<Command>& cmds, uint32_t errack = 0) {
        const QueueIndex qi(kLog2);
        for (const Command& c : cmds) {
            b.put(ring + uint64_t(qi.index(prod)) * Command::kBytes, c);
            prod = qi.next(prod);
        }
        b.wr32(ecmdq_reg(q, reg::ECMDQ_PROD), kEn | errack | prod);
    }
    uint32_t cons() { return b.rd32(ecmdq_reg(q, reg::ECMDQ_CONS)); }
    bool drained() { return QueueIndex(kLog2).pos(cons()) == prod; }
};

bool gerror_active(SmmuBench& b, uint32_t bit) { return (b.rd32(reg::GERROR) ^ b.rd32(reg::GERRORN)) & bit; }

}  // namespace

TEST(SmmuEcmdq, AbsentByDefault) {
    SmmuBench b;
    b.run([&] {
        EXPECT_EQ(get<idr1::ECMDQ>(b.rd32(reg::IDR1)), 0u);
        EXPECT_EQ(b.rd32(reg::IDR6), 0u);  // RES0
        EXPECT_EQ(b.rd32(reg::CMDQ_CONTROL_PAGE_BASE), 0u);
        uint64_t v = 0;
        // No control page: the register frame ends after page 1.
        EXPECT_NE(b.mmio(reg::ECMDQ_PAGE + reg::ECMDQ_CONS, 4, false, v), tlm::TLM_OK_RESPONSE);
    });
}

TEST(SmmuEcmdq, IdRegistersAndControlPage) {
    SmmuBench b({"smmu.ecmdqs=4"});
    b.run([&] {
        EXPECT_EQ(get<idr1::ECMDQ>(b.rd32(reg::IDR1)), 1u);
        const uint32_t i6 = b.rd32(reg::IDR6);
        EXPECT_EQ(get<idr6::LOG2NUMQ>(i6), 2u);
        EXPECT_EQ(get<idr6::LOG2NUMP>(i6), 0u);
        const uint64_t cp = b.rd64(reg::CMDQ_CONTROL_PAGE_BASE);
        EXPECT_EQ(get<cmdq_cp_base::PRESET>(cp), 1u);
        EXPECT_EQ(get<cmdq_cp_base::CMDQGS>(cp), cmdq_cp_base::CMDQGS_64K);
        EXPECT_EQ(get<cmdq_cp_base::ADDR>(cp) << 16, reg::ECMDQ_PAGE);
        EXPECT_EQ(b.rd32(reg::CMDQ_CONTROL_PAGE_CFG), 1u);     // EN: RES1
        EXPECT_EQ(b.rd32(reg::CMDQ_CONTROL_PAGE_STATUS), 1u);  // ENACK: RES1
        b.wr64(reg::CMDQ_CONTROL_PAGE_BASE, 0);                // RO
        EXPECT_EQ(b.rd64(reg::CMDQ_CONTROL_PAGE_BASE), cp);
        // Page 1 of the control pages does not exist (LOG2NUMP = 0): RES0.
        EXPECT_EQ(b.rd64(reg::CMDQ_CONTROL_PAGE_BASE + reg::CMDQ_CONTROL_PAGE_STRIDE), 0u);
        // Between the queues' registers: RES0.
        b.wr32(ecmdq_reg(1, 0x40), 0xFFFFFFFF);
        EXPECT_EQ(b.rd32(ecmdq_reg(1, 0x40)), 0u);
    });
}

TEST(SmmuEcmdq, CountMustBeAPowerOfTwo) {
    EXPECT_NE(input_error([] { SmmuBench b({"smmu.ecmdqs=3"}); }).find("power of two"), std::string::npos);
}
TEST(SmmuEcmdq, NeedsMsiAndCoherency) {  // IDR1.ECMDQ implies IDR0.MSI and COHACC
    EXPECT_NE(input_error([] { SmmuBench b({"smmu.ecmdqs=4", "smmu.msi=false"}); }).find("smmu.msi"),
              std::string::npos);
}
TEST(SmmuEcmdq, AtMost256) {
    EXPECT_NE(input_error([] { SmmuBench b({"smmu.ecmdqs=512"}); }), "(no error)");
}

TEST(SmmuEcmdq, EnableHandshakeAndWriteGuards) {
    SmmuBench b({"smmu.ecmdqs=4", "smmu.tcu.ack_latency=5000"});  // a transition long enough to see
    b.run([&] {
        b.enable();
        Ecmdq e(b, 2);
        const uint64_t bytes = uint64_t(Command::kBytes) << kLog2;
        e.ring = b.alloc(bytes, bytes);
        b.wr64(ecmdq_reg(2, reg::ECMDQ_BASE), e.ring | kLog2);
        EXPECT_EQ(b.rd64(ecmdq_reg(2, reg::ECMDQ_BASE)), e.ring | kLog2);
        b.wr32(ecmdq_reg(2, reg::ECMDQ_CONS), 5);  // RD writable while disabled
        EXPECT_EQ(b.rd32(ecmdq_reg(2, reg::ECMDQ_CONS)), 5u);
        b.wr32(ecmdq_reg(2, reg::ECMDQ_CONS), 0);
        b.wr32(ecmdq_reg(2, reg::ECMDQ_PROD), kEn);
        // ENACK follows after the acknowledge latency; meanwhile PROD, BASE and CONS are RO.
        EXPECT_EQ(b.rd32(ecmdq_reg(2, reg::ECMDQ_CONS)) & kEnack, 0u);
        b.wr32(ecmdq_reg(2, reg::ECMDQ_PROD), kEn | 7);
        EXPECT_EQ(b.rd32(ecmdq_reg(2, reg::ECMDQ_PROD)), kEn);
        EXPECT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(2, reg::ECMDQ_CONS)) & kEnack) != 0; }));
        b.wr64(ecmdq_reg(2, reg::ECMDQ_BASE), 0x1234000);  // enabled: RO
        EXPECT_EQ(b.rd64(ecmdq_reg(2, reg::ECMDQ_BASE)), e.ring | kLog2);
        b.wr32(ecmdq_reg(2, reg::ECMDQ_CONS), 9);
        EXPECT_EQ(b.rd32(ecmdq_reg(2, reg::ECMDQ_CONS)), kEnack);
        // The other queues stay disabled.
        EXPECT_EQ(b.rd32(ecmdq_reg(1, reg::ECMDQ_CONS)), 0u);
        // Disable: ENACK goes to 0.
        b.wr32(ecmdq_reg(2, reg::ECMDQ_PROD), 0);
        EXPECT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(2, reg::ECMDQ_CONS)) & kEnack) == 0; }));
        // CR1's queue attributes are read-only while an ECMDQ is enabled (§3.5.6.1).
        EXPECT_TRUE(e.enable());
        const uint32_t cr1 = b.rd32(reg::CR1);
        b.wr32(reg::CR1, cr1 ^ 0x3F);
        EXPECT_EQ(b.rd32(reg::CR1), cr1);
    });
}

TEST(SmmuEcmdq, TwoQueuesEachCommandOnceInItsQueuesOrder) {
    const std::string path = temp_file("", ".jsonl");
    core::JsonLog::open(core::LogId::Cmd, path, "test");
    SmmuBench b({"smmu.ecmdqs=4"});
    b.run([&] {
        b.enable();
        Ecmdq e0(b, 0), e3(b, 3);
        ASSERT_TRUE(e0.enable());
        ASSERT_TRUE(e3.enable());
        std::vector<Command> a, c;
        for (uint32_t i = 0; i < 20; ++i) a.push_back(cfgi_ste(100 + i)), c.push_back(cfgi_ste(200 + i));
        // Interleaved PROD writes, and one on the main queue too.
        e0.submit({a.begin(), a.begin() + 10});
        e3.submit({c.begin(), c.begin() + 10});
        b.command(cfgi_ste(300));
        e3.submit({c.begin() + 10, c.end()});
        e0.submit({a.begin() + 10, a.end()});
        EXPECT_TRUE(b.poll([&] { return e0.drained() && e3.drained(); }));
        EXPECT_TRUE(b.sync());
    });
    ASSERT_TRUE(core::JsonLog::close(core::LogId::Cmd));
    std::map<uint32_t, unsigned> seen;
    std::vector<uint32_t> q0, q3;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j.at("op") != "CFGI_STE") continue;
        const uint32_t sid = j.at("sid");
        ++seen[sid];
        if (sid >= 100 && sid < 200) q0.push_back(sid);
        if (sid >= 200 && sid < 300) q3.push_back(sid);
    }
    std::remove(path.c_str());
    ASSERT_EQ(q0.size(), 20u);
    ASSERT_EQ(q3.size(), 20u);
    for (uint32_t i = 0; i < 20; ++i) {
        EXPECT_EQ(q0[i], 100 + i);
        EXPECT_EQ(q3[i], 200 + i);
    }
    for (const auto& [sid, n] : seen) EXPECT_EQ(n, 1u) << sid;
    EXPECT_EQ(seen.count(300), 1u);
    EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq0.commands"), 20);
    EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq3.commands"), 20);
    EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq1.commands"), 0);
}

// The sync's MSI is written after every earlier command of its queue was consumed: when
// software sees it, CONS has passed them all (and the sync).
void sync_after_its_queue(const char* engines) {
    {
        SmmuBench b({"smmu.ecmdqs=4", engines});
        b.run([&] {
            b.enable();
            Ecmdq e(b, 1), other(b, 2);
            ASSERT_TRUE(e.enable());
            ASSERT_TRUE(other.enable());
            const uint64_t flag = b.alloc(64, 64);
            b.put64(flag, 0xFFFFFFFF);
            std::vector<Command> cmds, busy;
            for (uint32_t i = 0; i < 30; ++i) cmds.push_back(cfgi_ste(i)), busy.push_back(cfgi_ste(500 + i));
            cmds.push_back(msi_sync(flag, 0x5A));
            other.submit(busy);
            e.submit(cmds);
            EXPECT_TRUE(b.poll([&] { return b.get32(flag) == 0x5A; }));
            EXPECT_EQ(QueueIndex(kLog2).pos(e.cons()), e.prod) << engines;
            EXPECT_TRUE(b.poll([&] { return other.drained(); }));
        });
        EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq1.commands"), 31) << engines;
    }
}

TEST(SmmuEcmdq, SyncCompletesAfterItsQueuesCommandsOneEngine) { sync_after_its_queue("smmu.tcu.cmdq_engines=1"); }
TEST(SmmuEcmdq, SyncCompletesAfterItsQueuesCommandsFourEngines) { sync_after_its_queue("smmu.tcu.cmdq_engines=4"); }

TEST(SmmuEcmdq, ErrorStopsOnlyThatQueueAndRaisesCmdqpErr) {
    SmmuBench b({"smmu.ecmdqs=4"});
    b.run([&] {
        b.enable();
        Ecmdq bad(b, 0), good(b, 1);
        ASSERT_TRUE(bad.enable());
        ASSERT_TRUE(good.enable());
        Command ill;
        ill.set<Command::Opcode>(0x7F);  // no such opcode: CERROR_ILL
        bad.submit({cfgi_ste(1), ill, cfgi_ste(2)});
        EXPECT_TRUE(b.poll([&] { return (bad.cons() & kErr) != 0; }));
        const uint32_t cons = bad.cons();
        EXPECT_EQ(get<ecmdq::CONS_ERR_REASON>(cons), cerror::ILL);
        EXPECT_EQ(QueueIndex(kLog2).pos(cons), 1u);  // RD on the failing command
        EXPECT_NE(cons & kEnack, 0u);                // still enabled
        EXPECT_TRUE(gerror_active(b, gerror::CMDQP_ERR));
        EXPECT_FALSE(gerror_active(b, gerror::CMDQ_ERR));
        // The other ECMDQ and the main queue carry on.
        good.submit({cfgi_ste(10), cfgi_ste(11)});
        EXPECT_TRUE(b.poll([&] { return good.drained(); }));
        EXPECT_TRUE(b.sync());
        b.wait_cycles(2000);
        EXPECT_EQ(QueueIndex(kLog2).pos(bad.cons()), 1u);  // stopped
        // Software repairs the command, acknowledges GERROR and toggles ERRACK: the queue resumes.
        b.put(bad.ring + Command::kBytes, cfgi_ste(3));
        b.wr32(reg::GERRORN, b.rd32(reg::GERROR));
        EXPECT_FALSE(gerror_active(b, gerror::CMDQP_ERR));
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), kEn | kErr | bad.prod);
        EXPECT_TRUE(b.poll([&] { return bad.drained(); }));
        EXPECT_EQ(bad.cons() & kErr, kErr);  // ERR stays toggled; ERRACK matches it now
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 1);
    EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq0.commands"), 3);
    EXPECT_EQ(stat("smmu.tcu.gerror_irq.pulses"), 1);
}

// Guest mistakes get architected outcomes: a ring outside memory aborts the fetch
// (CERROR_ABT on that ECMDQ), LOG2SIZE above IDR1.CMDQS is treated as CMDQS, and a PROD
// write while ERRACK != ERR does not restart the queue.
TEST(SmmuEcmdq, BadBaseAbortsLog2SizeCappedErrackMismatchStays) {
    SmmuBench b({"smmu.ecmdqs=2", "smmu.cmdqs=8"});
    b.run([&] {
        b.enable();
        b.wr64(ecmdq_reg(0, reg::ECMDQ_BASE), 0x7000000000ull | 31);  // no memory there, LOG2SIZE 31
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), kEn);
        ASSERT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS)) & kEnack) != 0; }));
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), kEn | 1);
        EXPECT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS)) & kErr) != 0; }));
        EXPECT_EQ(get<ecmdq::CONS_ERR_REASON>(b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS))), cerror::ABT);
        EXPECT_TRUE(gerror_active(b, gerror::CMDQP_ERR));
        // More PROD writes with the stale ERRACK: still stopped, nothing consumed.
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), kEn | 2);
        b.wait_cycles(2000);
        EXPECT_EQ(QueueIndex(8).pos(b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS))), 0u);
        // Enabling with a mismatch is CONSTRAINED UNPREDICTABLE: the model consumes nothing.
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), 2);
        ASSERT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS)) & kEnack) == 0; }));
        b.wr32(ecmdq_reg(0, reg::ECMDQ_PROD), kEn | 2);
        ASSERT_TRUE(b.poll([&] { return (b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS)) & kEnack) != 0; }));
        b.wait_cycles(2000);
        EXPECT_EQ(QueueIndex(8).pos(b.rd32(ecmdq_reg(0, reg::ECMDQ_CONS))), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.ecmdq0.commands"), 0);
}
