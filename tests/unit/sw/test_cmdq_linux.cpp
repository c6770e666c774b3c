// Linux's multi-CPU command queue (sw.driver.cmdq=linux) on a test machine of several CPUs
// (multi_cpu_bus.h) with a fake SMMU consuming the queue: every command executed exactly once
// and in each CPU's order; a CMD_SYNC returns only after the SMMU passed it; contending CPUs'
// commands merge under one CMDQ_PROD write by the owner; the queue wraps and fills; and the
// command stream of a scripted interleaving equals a reference computed from the rules.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "models/smmu/arch/command_builders.h"
#include "sw/driver/cmdq.h"
#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"
#include "tests/unit/sw/multi_cpu_bus.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using sw::driver::SyncMode;

namespace {

constexpr uint64_t kRegs = 0x2B400000;
constexpr uint64_t kMem = 0x80000000;

// A command that names its CPU and its place in that CPU's order.
Command tagged(unsigned cpu, uint64_t seq) {
    Command c = cmd::make(op::TLBI_NH_VA);
    c.set<Command::ASID>(cpu + 1);
    c.set_address<Command::Address>(seq << 12);
    return c;
}
bool is_tag(const Command& c) { return c.opcode() == op::TLBI_NH_VA; }
unsigned tag_cpu(const Command& c) { return unsigned(c.get<Command::ASID>()) - 1; }
uint64_t tag_seq(const Command& c) { return c.address<Command::Address>() >> 12; }

struct Times : sw::driver::Observer {
    std::map<unsigned, sw::driver::CmdqCpuTimes> cpu;
    std::vector<uint64_t> per_publish;
    void cmdq_issued(unsigned c, const sw::driver::CmdqCpuTimes& t) override {
        auto& s = cpu[c];
        s.issue += t.issue, s.space += t.space, s.owner += t.owner, s.sync += t.sync;
    }
    void prod_published(unsigned, uint64_t n) override { per_publish.push_back(n); }
};

struct Bench {
    test::MultiCpuBus bus{kMem, 1 << 20, kRegs};
    sw::hal::PageAllocator mem{kMem, 1 << 20};
    sw::driver::DriverConfig cfg;
    Times obs;
    std::unique_ptr<sw::driver::CommandQueue> q;

    Bench(SyncMode sync, bool sev, unsigned log2, uint64_t ns_per_command) {
        cfg.regs = kRegs;
        cfg.sync = sync;
        cfg.cmd_cycles = 1;
        cfg.cmdq_call_cycles = 1;
        q = std::make_unique<sw::driver::CommandQueue>(bus, mem, cfg, obs, log2, sev);
        bus.start_smmu(q->base_register() & ~uint64_t(0x1f) & ((uint64_t(1) << 56) - 1), log2, ns_per_command);
    }
    // The commands of `cpu` the SMMU executed, in execution order.
    std::vector<uint64_t> executed_of(unsigned cpu) const {
        std::vector<uint64_t> s;
        for (const auto& e : bus.executed)
            if (is_tag(e.cmd) && tag_cpu(e.cmd) == cpu) s.push_back(tag_seq(e.cmd));
        return s;
    }
    // At the return of a CMD_SYNC issued after command `seq` of `cpu`: the SMMU executed that
    // command and, after it, a CMD_SYNC, by now.
    bool sync_passed(unsigned cpu, uint64_t seq) const {
        bool seen = false;
        for (const auto& e : bus.executed) {
            if (is_tag(e.cmd) && tag_cpu(e.cmd) == cpu && tag_seq(e.cmd) == seq) seen = true;
            else if (seen && e.cmd.opcode() == op::CMD_SYNC && e.at <= bus.now()) return true;
        }
        return false;
    }
};

struct Mode {
    SyncMode sync;
    bool sev;
};

class CmdqLinux : public ::testing::TestWithParam<Mode> {};

// N CPUs at once, batches of 1..7 commands, each batch ending with a CMD_SYNC or not.
TEST_P(CmdqLinux, EveryCommandOnceInEachCpusOrderAndSyncsReturnAfterTheSmmuPassedThem) {
    constexpr unsigned kCpus = 4, kBatches = 30;
    Bench b(GetParam().sync, GetParam().sev, 8, 3);
    std::vector<uint64_t> issued(kCpus, 0);
    unsigned early = 0, failed = 0;
    for (unsigned c = 0; c < kCpus; ++c) {
        b.bus.start(c, [&, c] {
            std::vector<Command> cmds;
            for (unsigned i = 0; i < kBatches; ++i) {
                cmds.clear();
                const unsigned n = 1 + (i * 3 + c) % 7;
                for (unsigned k = 0; k < n; ++k) cmds.push_back(tagged(c, issued[c]++));
                const bool sync = (i + c) % 3 != 0 || i == kBatches - 1;
                if (!b.q->issue(cmds.data(), cmds.size(), sync)) ++failed;
                if (sync && !b.sync_passed(c, issued[c] - 1)) ++early;
            }
        });
    }
    sc_core::sc_start();
    EXPECT_EQ(failed, 0u);
    EXPECT_EQ(early, 0u) << "a CMD_SYNC returned before the SMMU executed it";
    for (unsigned c = 0; c < kCpus; ++c) {
        const std::vector<uint64_t> s = b.executed_of(c);
        ASSERT_EQ(s.size(), issued[c]) << "cpu " << c;
        for (uint64_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], i) << "cpu " << c << ": out of order or repeated";
    }
    EXPECT_EQ(b.bus.executed.size(), b.q->commands());
    EXPECT_EQ(b.obs.cpu.size(), kCpus);
    EXPECT_EQ(b.bus.prod_regressions, 0u) << "owners published out of turn";
}

INSTANTIATE_TEST_SUITE_P(SyncModes, CmdqLinux,
                         ::testing::Values(Mode{SyncMode::Msi, false}, Mode{SyncMode::PollCons, true},
                                           Mode{SyncMode::PollCons, false}),
                         [](const ::testing::TestParamInfo<Mode>& i) {
                             return i.param.sync == SyncMode::Msi ? std::string("Msi")
                                    : i.param.sev               ? std::string("ConsWfe")
                                                                : std::string("ConsPoll");
                         });

// CPUs that reserve while another is the owner join its batch: it publishes their commands
// with its own in one CMDQ_PROD write, and they write CMDQ_PROD not at all.
TEST(CmdqLinuxMerge, TheOwnerPublishesForEveryCpuThatJoined) {
    constexpr unsigned kCpus = 4;
    Bench b(SyncMode::Msi, false, 8, 1);
    // CPU 0 issues one command, the others 30 each: the owner reaches its publish while the
    // others still write theirs, and must wait for their valid bits.
    const auto count = [](unsigned c) { return c == 0 ? 1u : 30u; };
    unsigned total_cmds = 0;
    for (unsigned c = 0; c < kCpus; ++c) {
        total_cmds += count(c) + 1;
        b.bus.start(c, [&, c] {
            std::vector<Command> cmds;
            for (unsigned k = 0; k < count(c); ++k) cmds.push_back(tagged(c, k));
            b.q->issue(cmds.data(), cmds.size(), true);
        });
    }
    sc_core::sc_start();
    ASSERT_EQ(b.bus.executed.size(), total_cmds);
    for (unsigned c = 0; c < kCpus; ++c) {
        const std::vector<uint64_t> s = b.executed_of(c);
        ASSERT_EQ(s.size(), count(c)) << "cpu " << c << ": the SMMU read a slot before it was written";
        for (uint64_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], i);
    }
    ASSERT_LT(b.bus.publishes.size(), kCpus) << "no publish merged the commands of several CPUs";
    EXPECT_EQ(b.q->publishes(), b.bus.publishes.size());
    // Each publish covers [previous PROD, PROD): its writer's own commands come first, and
    // every CPU with commands in it other than the writer wrote no CMDQ_PROD.
    const QueueIndex q(8);
    uint32_t from = 0;
    bool merged = false;
    std::map<unsigned, unsigned> writes;
    for (const auto& p : b.bus.publishes) ++writes[p.cpu];
    for (const auto& p : b.bus.publishes) {
        std::map<unsigned, unsigned> in;
        bool first = true;
        for (const auto& e : b.bus.executed) {
            if (q.used(e.pos, from) >= q.used(p.prod, from) || !is_tag(e.cmd)) continue;
            if (first) {
                EXPECT_EQ(tag_cpu(e.cmd), p.cpu) << "the owner's slots start its range";
            }
            first = false;
            ++in[tag_cpu(e.cmd)];
        }
        for (const auto& [cpu, n] : in)
            if (cpu != p.cpu) {
                merged = true;
                EXPECT_EQ(writes[cpu], 0u) << "cpu " << cpu << " joined a batch and published too";
            }
        from = p.prod;
    }
    EXPECT_TRUE(merged);
    uint64_t total = 0;
    for (uint64_t n : b.obs.per_publish) total += n;
    EXPECT_EQ(total, total_cmds);
}

// A queue of 128 entries, several laps of it, a slow SMMU: CPUs wait for space, the valid map's
// bits flip meaning at each lap, and still every command runs once and in order.
TEST(CmdqLinuxWrap, AFullQueueWrapsManyTimesWithoutLosingOrRepeatingCommands) {
    constexpr unsigned kCpus = 4, kBatches = 12, kPerBatch = 40;
    Bench b(SyncMode::Msi, false, 7, 5);
    std::vector<uint64_t> issued(kCpus, 0);
    for (unsigned c = 0; c < kCpus; ++c)
        b.bus.start(c, [&, c] {
            std::vector<Command> cmds;
            for (unsigned i = 0; i < kBatches; ++i) {
                cmds.clear();
                for (unsigned k = 0; k < kPerBatch; ++k) cmds.push_back(tagged(c, issued[c]++));
                b.q->issue(cmds.data(), cmds.size(), i % 4 == 3);
            }
        });
    sc_core::sc_start();
    uint64_t space = 0;
    for (unsigned c = 0; c < kCpus; ++c) {
        const std::vector<uint64_t> s = b.executed_of(c);
        ASSERT_EQ(s.size(), issued[c]);
        for (uint64_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], i) << "cpu " << c;
        space += b.obs.cpu[c].space;
    }
    EXPECT_GT(b.q->commands(), 4u * 128) << "fewer than four laps";
    EXPECT_GT(space, 0u) << "the queue never filled";
    EXPECT_EQ(b.q->timeouts(), 0u);
    EXPECT_EQ(b.bus.prod_regressions, 0u) << "owners published out of turn";
}

// A WFE waiter sleeps until the MSI write: it returns after the SMMU executed its CMD_SYNC
// (not before), having slept a few times rather than polled.
TEST(CmdqLinuxMsi, TheWaiterWakesOnTheMsiWriteAndNotBefore) {
    Bench b(SyncMode::Msi, false, 8, 2000);
    uint64_t returned = 0;
    b.bus.start(0, [&] {
        const Command c = tagged(0, 0);
        b.q->issue(&c, 1, true);
        returned = b.bus.now();
    });
    sc_core::sc_start();
    ASSERT_EQ(b.bus.executed.size(), 2u);
    const uint64_t sync_done = b.bus.executed[1].at;
    EXPECT_GE(returned, sync_done);
    EXPECT_LE(returned, sync_done + 5);  // the MSI write woke it: one reload of the slot later
    EXPECT_LE(b.bus.waits, 3u);          // it slept on the line instead of polling 4000 ns
}

// Scripted: CPU k starts k * 3 ns after CPU k-1, so that the reservations succeed in that
// order while the earlier CPUs are still writing and publishing. The reference stream follows
// from the rules alone: the CPUs' lists back to back in that order, each CPU's CMD_SYNC in
// the slot after its commands with its MSI to that same slot.
TEST(CmdqLinuxReference, TheCommandStreamOfAScriptedInterleavingMatchesTheReference) {
    constexpr unsigned kCpus = 3;
    const unsigned n[kCpus] = {3, 1, 2};
    Bench b(SyncMode::Msi, false, 8, 4);
    for (unsigned c = 0; c < kCpus; ++c)
        b.bus.start(c, [&, c] {
            sc_core::wait(sc_core::sc_time(3.0 * c, sc_core::SC_NS));
            std::vector<Command> cmds;
            for (unsigned k = 0; k < n[c]; ++k) cmds.push_back(tagged(c, k));
            b.q->issue(cmds.data(), cmds.size(), true);
        });
    sc_core::sc_start();
    const uint64_t queue = b.q->base_register() & ((uint64_t(1) << 56) - 1) & ~uint64_t(0x1f);
    std::vector<Command> ref;
    for (unsigned c = 0; c < kCpus; ++c) {
        for (unsigned k = 0; k < n[c]; ++k) ref.push_back(tagged(c, k));
        ref.push_back(cmd::sync(sync_cs::SIG_IRQ, queue + 16 * ref.size(), 0));
    }
    ASSERT_EQ(b.bus.executed.size(), ref.size());
    for (size_t i = 0; i < ref.size(); ++i) {
        const Command& got = b.bus.executed[i].cmd;
        EXPECT_EQ(got.dw[0], ref[i].dw[0]) << "slot " << i;
        EXPECT_EQ(got.dw[1], ref[i].dw[1]) << "slot " << i;
        EXPECT_EQ(b.bus.executed[i].pos, i);
    }
    // CPU 0 owned first; the later CPUs' commands went out under at most one more publish each.
    ASSERT_FALSE(b.bus.publishes.empty());
    EXPECT_EQ(b.bus.publishes.front().cpu, 0u);
    EXPECT_EQ(b.bus.publishes.back().prod, ref.size());
    EXPECT_LE(b.bus.publishes.size(), kCpus);
}

// One CPU, an SMMU that consumes at once: Linux's queue writes the same commands to the same
// slots with the same CMDQ_PROD writes (one per call, the CPU always its own owner) as the
// simple queue, and leaves its shared state as the rules say (llq PROD == CONS, not owned;
// owner_prod == PROD; the lock free).
struct Stream {
    std::vector<uint32_t> prods;
    std::vector<std::pair<uint64_t, uint64_t>> slots;
};

Stream run_single_cpu(sw::driver::CmdqAlgo algo, SyncMode sync, uint64_t* llq_state = nullptr) {
    Stream out;
    uint32_t cons = 0;
    sw::hal::DirectBus* busp = nullptr;
    uint64_t queue = 0;
    const QueueIndex q(7);
    sw::hal::DirectBus bus([&](uint64_t pa, uint64_t v, bool write, unsigned) -> uint64_t {
        if (pa == kRegs + reg::CMDQ_CONS) return cons;
        if (pa != kRegs + reg::CMDQ_PROD || !write) return 0;
        out.prods.push_back(uint32_t(v));
        for (; q.pos(cons) != q.pos(uint32_t(v)); cons = q.next(cons)) {
            const uint64_t at = queue + q.index(cons) * 16;
            const uint64_t dw0 = busp->load64(at), dw1 = busp->load64(at + 8);
            out.slots.push_back({dw0, dw1});
            Command c;
            c.dw[0] = dw0, c.dw[1] = dw1;
            if (c.opcode() == op::CMD_SYNC && c.get<Command::CS>() == sync_cs::SIG_IRQ) {
                if (const uint64_t msi = c.address<Command::MSIAddress>()) {
                    const uint32_t zero = 0;
                    busp->write(msi, &zero, 4);
                }
            }
        }
        return 0;
    });
    busp = &bus;
    sw::hal::PageAllocator mem(kMem, 1 << 20);
    sw::driver::DriverConfig cfg;
    cfg.regs = kRegs;
    cfg.sync = sync;
    cfg.cmdq = algo;
    sw::driver::Observer obs;
    sw::driver::CommandQueue cq(bus, mem, cfg, obs, 7);
    queue = cq.base_register() & ((uint64_t(1) << 56) - 1) & ~uint64_t(0x1f);
    std::vector<Command> cmds;
    for (unsigned i = 0; i < 40; ++i) {  // about 5 laps of the 128-entry queue
        cmds.clear();
        for (unsigned k = 0; k < 1 + i % 29; ++k) cmds.push_back(tagged(0, i * 100 + k));
        EXPECT_TRUE(cq.issue(cmds.data(), cmds.size(), i % 3 != 1));
    }
    if (llq_state) {
        llq_state[0] = bus.load64(cq.llq_address());
        llq_state[1] = bus.load32(cq.llq_address() + 64);
        llq_state[2] = bus.load32(cq.llq_address() + 68);
    }
    return out;
}

TEST(CmdqLinuxSingleCpu, SameCommandStreamAndPublishesAsTheSimpleQueue) {
    for (SyncMode sync : {SyncMode::Msi, SyncMode::PollCons}) {
        uint64_t st[3];
        const Stream lx = run_single_cpu(sw::driver::CmdqAlgo::Linux, sync, st);
        const Stream simple = run_single_cpu(sw::driver::CmdqAlgo::Simple, sync);
        EXPECT_EQ(lx.prods, simple.prods);
        EXPECT_EQ(lx.slots, simple.slots);
        EXPECT_GT(lx.slots.size(), 4u * 128);
        const uint32_t prod = lx.prods.back();
        EXPECT_EQ(uint32_t(st[0]), prod) << "llq.prod: the published PROD, OWNED clear";
        EXPECT_EQ(st[1], prod) << "owner_prod";
        EXPECT_EQ(st[2], 0u) << "the cmdq lock is free";
    }
}

}  // namespace
