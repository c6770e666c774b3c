// Timed invalidation (issue: microarchitecture tests; reference §9.1, DESIGN §4): CMD_SYNC waits
// for every transaction that may have used an invalidated entry, and the TCU has at most one
// invalidation in flight to each TBU, so invalidation cost grows with the number of TBUs.

#include <gtest/gtest.h>

#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint64_t kVa = 0x10000000, kPa = kDram + 0x100000;
const sc_core::sc_time kNs(1, sc_core::SC_NS);

void s1_stream(SmmuBench& b, uint32_t sid) {
    PageTables pt = b.tables(12, 48, 0);
    pt.map(kVa, kPa, 0x10000, 3, s1::RW);
    const uint64_t cd = b.alloc(64, 64);
    b.put(cd, cd_for(pt, 5));
    b.set_ste(sid, ste_s1(cd));
}

Command nsnh_all() {
    Command c;
    c.set<Command::Opcode>(op::TLBI_NSNH_ALL);
    return c;
}

Command cmd_sync() {
    Command c;
    c.set<Command::Opcode>(op::CMD_SYNC);
    return c;
}

// With device traffic 20 us away (the hop into the interconnect from dev0), a TLB-hit read is
// in flight for about 40 us; the TLBI and CMD_SYNC issued meanwhile must wait for it.
void sync_while_reading(bool reading, sc_core::sc_time& sync_done, sc_core::sc_time& read_done,
                        uint64_t* tbu_syncs = nullptr) {
    SmmuBench b({"noc.dev0.hop_latency=20000"});
    b.run([&] {
        b.enable();
        s1_stream(b, 1);
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());  // fills the TLB
        SmmuBench::InFlightRead read;
        if (reading) b.start_read(1, kVa + 8, read);
        const sc_core::sc_time start = sc_core::sc_time_stamp();
        ASSERT_TRUE(b.submit({nsnh_all(), cmd_sync()}));
        sync_done = sc_core::sc_time_stamp() - start;
        if (reading) {
            b.wait_cycles(1);  // the read is done by now (the sync waited for it)
            EXPECT_EQ(read.status, tlm::TLM_OK_RESPONSE);
        }
        read_done = read.done > start ? read.done - start : sc_core::SC_ZERO_TIME;
    });
    if (tbu_syncs) *tbu_syncs = stat("smmu.tbu0.syncs").get<uint64_t>();
}

}  // namespace

TEST(SmmuSync, WaitsForATransactionThatUsedAnInvalidatedEntry) {
    sc_core::sc_time sync_done, read_done;
    uint64_t syncs = 0;
    sync_while_reading(true, sync_done, read_done, &syncs);
    EXPECT_GT(read_done, 30000 * kNs);
    EXPECT_GE(sync_done, read_done);
    EXPECT_EQ(syncs, 2u);  // enable()'s and this one
}

TEST(SmmuSync, CompletesQuicklyWithNothingInFlight) {
    sc_core::sc_time sync_done, read_done;
    sync_while_reading(false, sync_done, read_done);
    EXPECT_LT(sync_done, 2000 * kNs);
}

namespace {

// 16 TLBIs and a CMD_SYNC with one PROD write; returns the CMD_SYNC's latency (PROD write to
// completion) in cycles. Per invalidation the TCU must both send it to each TBU
// (inv_issue_cycles each) and have the first TBU's token back (2 x link + TBU processing).
double batch_cost(unsigned tbus, uint64_t& sent) {
    const unsigned K = 16;
    SmmuBench b(std::vector<std::string>{"smmu.tcu.inv_issue_cycles=20", "smmu.tcu.cmd_cycles=8",
                                         "smmu.tcu.cmd_fetch_batch=16", "dram.read_latency=10"},
                tbus);
    b.run([&] {
        BenchSetup s;
        s.cmdq_log2 = 6;
        b.enable(s);
        std::vector<Command> batch(K, nsnh_all());
        batch.push_back(cmd_sync());
        ASSERT_TRUE(b.submit(batch));
    });
    sent = stat("smmu.tcu.invalidations_sent").get<uint64_t>();
    return stat("smmu.tcu.cmdq.sync_latency")["max"].get<double>();
}

// Per invalidation: max(token round trip 2*8 + 4 = 20, tbus * 20 issue + 8 command cycles).
double expected(unsigned tbus) { return 16.0 * std::max(20.0, tbus * 20.0 + 8.0); }

void check_cost(unsigned tbus) {
    uint64_t sent = 0;
    const double cost = batch_cost(tbus, sent);
    EXPECT_GE(cost, expected(tbus)) << tbus << " TBUs";
    EXPECT_LE(cost, expected(tbus) + 400) << tbus << " TBUs: fetch, sync and register latencies on top";
    EXPECT_EQ(sent, (16u + 2u) * tbus);  // enable() sends two (CFGI_ALL, TLBI_NSNH_ALL)
}

}  // namespace

TEST(SmmuSync, InvalidationCostWithOneTbu) { check_cost(1); }
TEST(SmmuSync, InvalidationCostWithTwoTbus) { check_cost(2); }
TEST(SmmuSync, InvalidationCostWithFourTbus) { check_cost(4); }
TEST(SmmuSync, InvalidationCostWithEightTbus) { check_cost(8); }

TEST(SmmuSync, TokenRoundTripBoundsOneTbu) {
    // A slow TBU (200 cycles per invalidation): the TCU waits for its token each time.
    SmmuBench b(std::vector<std::string>{"smmu.tbu0.inv_cycles=200", "smmu.tcu.cmd_fetch_batch=16",
                                         "dram.read_latency=10"},
                1);
    b.run([&] {
        BenchSetup s;
        s.cmdq_log2 = 6;
        b.enable(s);
        std::vector<Command> batch(16, nsnh_all());
        batch.push_back(cmd_sync());
        ASSERT_TRUE(b.submit(batch));
        // Each invalidation: 2 x 8 link + 200 in the TBU; the sync waits for the last.
        const double cost = stat("smmu.tcu.cmdq.sync_latency")["max"].get<double>();
        EXPECT_GE(cost, 16 * 216.0);
        EXPECT_LE(cost, 16 * 216.0 + 400);
    });
}
