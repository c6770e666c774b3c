// Whatever simulated software writes (STEs, CDs, descriptors, commands, registers) and
// whatever a device sends, the SMMU answers with an architected outcome and the simulator
// neither crashes nor hangs. Structured-random contents from a fixed seed: every run is the
// same. Run under ASan/UBSan by `scripts/test --sanitize`.

#include <gtest/gtest.h>

#include "models/core/rng.h"
#include "models/smmu/arch/queue.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr unsigned kPoolPages = 32;

bool completed(tlm::tlm_response_status s) {
    return s == tlm::TLM_OK_RESPONSE || s == tlm::TLM_GENERIC_ERROR_RESPONSE ||
           s == tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

// A pool of pages of random descriptors; table descriptors mostly point back into the pool
// so that walks go deep; other words are anything at all.
struct Pool {
    uint64_t base;
    uint64_t page(core::Rng& r) const { return base + r.below(kPoolPages) * 0x1000; }
    uint64_t pointer(core::Rng& r) const {
        switch (r.below(4)) {
        case 0: return r.next() & 0x00FFFFFFFFFFFFC0ull;  // anywhere, often unmapped
        case 1: return kHole + r.below(0x1000) * 64;     // decodes to nothing
        default: return page(r) + r.below(64) * 64;
        }
    }
};

uint64_t random_descriptor(core::Rng& r, const Pool& p) {
    switch (r.below(4)) {
    case 0: return r.next();
    case 1: return p.page(r) | 3 | (r.next() & 0xFFF0000000000FFCull);  // table / page
    case 2: return (p.page(r) & ~0x1FFFFFull) | 1 | (r.next() & 0xFFF0000000000FFCull);  // block
    default: return (kDram + r.below(1 << 18) * 0x1000) | 0x403 | (r.next() & 0x00600000000000C0ull);
    }
}

// Fully random, or legal enough to reach the walks (4K stage 2 over 40 bits from level 1,
// CD tables in `cd_table`), with random leftovers in the other fields.
Ste random_ste(core::Rng& r, const Pool& p, uint64_t cd_table) {
    Ste s;
    for (uint64_t& w : s.dw) w = r.next();
    if (r.below(5) == 0) return s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(4 + r.below(4));
    s.set<Ste::S1Fmt>(0);
    s.set<Ste::S1CDMax>(r.below(7));
    s.set<Ste::S1STALLD>(0);
    s.set<Ste::STRW>(r.below(2) * 2);
    s.set_address<Ste::S1ContextPtr>(r.below(8) ? cd_table : p.pointer(r));
    s.set<Ste::S2VMID>(r.below(256));
    s.set<Ste::S2TG>(0);
    s.set<Ste::S2T0SZ>(24);
    s.set<Ste::S2SL0>(1);
    s.set<Ste::S2PS>(r.below(8));
    s.set<Ste::S2AA64>(1);
    s.set<Ste::S2ENDI>(0);
    s.set<Ste::S2S>(0);
    s.set<Ste::S2HA>(0);
    s.set<Ste::S2HD>(0);
    s.set_address<Ste::S2TTB>(p.page(r) & ~uint64_t(0x1FFF));
    return s;
}

Cd random_cd(core::Rng& r, const Pool& p) {
    Cd c;
    for (uint64_t& w : c.dw) w = r.next();
    if (r.below(5) == 0) return c;
    c.set<Cd::V>(1);
    c.set<Cd::AA64>(1);
    c.set<Cd::HA>(0);
    c.set<Cd::HD>(0);
    c.set<Cd::S>(0);
    c.set<Cd::ENDI>(0);
    c.set<Cd::TG0>(r.below(3));
    c.set<Cd::TG1>(1 + r.below(3));
    c.set<Cd::T0SZ>(16 + r.below(24));
    c.set<Cd::T1SZ>(16 + r.below(24));
    c.set<Cd::IPS>(r.below(8));
    c.set_address<Cd::TTB0>(p.page(r) & ~uint64_t(0xFFFF));
    c.set_address<Cd::TTB1>(p.page(r) & ~uint64_t(0xFFFF));
    return c;
}

Command random_command(core::Rng& r) {
    static const uint8_t kOps[] = {op::PREFETCH_CONFIG, op::PREFETCH_ADDR, op::CFGI_STE,     op::CFGI_STE_RANGE,
                                   op::CFGI_CD,         op::CFGI_CD_ALL,   op::TLBI_NH_ALL,  op::TLBI_NH_ASID,
                                   op::TLBI_NH_VA,      op::TLBI_NH_VAA,   op::TLBI_EL2_ALL, op::TLBI_EL2_VA,
                                   op::TLBI_S12_VMALL,  op::TLBI_S2_IPA,   op::TLBI_NSNH_ALL, op::CMD_SYNC,
                                   op::ATC_INV,         op::RESUME};
    Command c;
    c.dw = {r.next(), r.next()};
    if (r.below(8)) c.set<Command::Opcode>(kOps[r.below(sizeof kOps)]);
    if (c.opcode() == op::CMD_SYNC && r.below(2)) c.set_address<Command::MSIAddress>(r.next());
    return c;
}

}  // namespace

TEST(SmmuRobustness, RandomStructuresAndTrafficNeverCrash) {
    SmmuBench b;
    uint64_t completed_dma = 0, faults_seen = 0;
    b.run([&] {
        core::Rng r(20261121);
        Pool pool{b.alloc(kPoolPages * 0x1000, 0x1000)};
        BenchSetup setup;
        setup.sid_bits = 6;
        b.enable(setup);
        for (unsigned i = 0; i < kPoolPages * 512; ++i) b.put64(pool.base + i * 8, random_descriptor(r, pool));
        const uint64_t cd_table = b.alloc(64 * 64, 64 * 64);
        for (unsigned i = 0; i < 64; ++i) b.put(cd_table + i * 64, random_cd(r, pool));
        for (uint32_t sid = 0; sid < 64; ++sid) b.set_ste(sid, random_ste(r, pool, cd_table));
        for (unsigned i = 0; i < 600; ++i) {
            const uint32_t sid = uint32_t(r.below(80));  // some beyond the table
            std::optional<uint32_t> ssid;
            if (r.below(4) == 0) ssid = uint32_t(r.below(4) ? r.below(64) : r.below(1u << 20));
            // Mostly inside small input ranges, so that walks get past the range checks.
            const uint64_t masks[] = {0x3FFFFFC0ull, 0x3FFFFFFFC0ull, 0xFFFFFFFFFFC0ull, ~uint64_t(63)};
            const uint64_t addr = r.next() & masks[r.below(8) < 5 ? 0 : r.below(4)];
            DmaResult d = r.below(2) ? b.dma_read(sid, addr, 64, ssid, r.below(2), r.below(2), r.below(2))
                                     : b.dma_write(sid, addr, std::vector<unsigned char>(64, 0xEE), ssid,
                                                   r.below(2), r.below(2));
            EXPECT_TRUE(completed(d.status)) << "DMA " << i << " status " << d.status;
            ++completed_dma;
            if (i % 100 == 99) faults_seen += b.events().size();  // keep the queue from overflowing
        }
        faults_seen += b.events().size();
    });
    EXPECT_EQ(completed_dma, 600u);
    EXPECT_GT(faults_seen, 0u);
    EXPECT_GT(stat("smmu.tcu.ptw_reads").get<uint64_t>(), 100u);  // walks really went deep
}

TEST(SmmuRobustness, RandomCommandsEndInConsumptionOrCommandErrors) {
    SmmuBench b;
    unsigned errors = 0;
    b.run([&] {
        core::Rng r(7);
        BenchSetup setup;
        setup.cmdq_log2 = 4;
        b.enable(setup);
        const QueueIndex q(setup.cmdq_log2);
        // On a command error, do what Linux does: replace the bad entry with a CMD_SYNC and
        // acknowledge; the queue must then make progress again.
        auto fix_error = [&] {
            if (!((b.rd32(reg::GERROR) ^ b.rd32(reg::GERRORN)) & gerror::CMDQ_ERR)) return;
            ++errors;
            Command sync;
            sync.set<Command::Opcode>(op::CMD_SYNC);
            b.put(b.cmdq_base() + q.index(b.rd32(reg::CMDQ_CONS)) * Command::kBytes, sync);
            b.wr32(reg::GERRORN, b.rd32(reg::GERROR));
        };
        for (unsigned i = 0; i < 300; ++i) {
            while (q.full(b.cmdq_prod(), b.rd32(reg::CMDQ_CONS))) {
                fix_error();
                b.wait_cycles(100);
            }
            b.command(random_command(r));
        }
        EXPECT_TRUE(b.poll([&] {
            fix_error();
            return q.empty(b.cmdq_prod(), b.rd32(reg::CMDQ_CONS));
        })) << "the queue drained";
    });
    EXPECT_GT(errors, 0u);  // the random mix did exercise the error path
}

TEST(SmmuRobustness, RandomRegisterAccessesAreAnsweredAndHarmless) {
    SmmuBench b;
    unsigned ok = 0, refused = 0;
    b.run([&] {
        core::Rng r(3);
        for (unsigned i = 0; i < 2000; ++i) {
            const unsigned len = 1u << r.below(4);           // 1, 2, 4 or 8 bytes
            uint32_t off = uint32_t(r.below(reg::REGION_SIZE));  // any alignment
            if (r.below(2)) off &= ~0x3u;
            uint64_t v = r.next();
            // Avoid disabling the very behaviour checked below: leave CR0 alone.
            if ((off & ~0x7u) == reg::CR0) continue;
            tlm::tlm_response_status s = b.mmio(off, len, r.below(2), v);
            (s == tlm::TLM_OK_RESPONSE ? ok : refused) += 1;
        }
        // The SMMU still works after all that: its ID registers read as they should.
        EXPECT_EQ(b.rd32(reg::IIDR), 0x4830043Bu);
    });
    EXPECT_GT(ok, 100u);
    EXPECT_GT(refused, 100u);
}
