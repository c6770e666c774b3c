// Broadcast TLB maintenance at the SMMU (issue 18 part 3; SMMUv3 §3.17, IDR0.BTM): a CPU's
// TLBI, carried as a DVM message by the interconnect's DVM node, removes exactly the entries
// the architecture requires from the TCU's caches and every TBU's TLBs; the DVM Sync of the
// DSB after it completes only once that has happened and the transactions that used them are
// done; CR2.PTM = 1 makes the SMMU ignore broadcasts, and an SMMU without IDR0.BTM is not in
// the DVM domain at all.

#include <gtest/gtest.h>

#include "models/smmu/arch/dvm.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;
using dvm::Tlbi;

namespace {

constexpr uint64_t kVa = 0x10000000, kPa = kDram + 0x100000;

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

// Stage 1 for `sid` mapping 16 pages at kVa under `asid` (shared unless `aset`), with global
// pages when `global`. Returns the VMID its entries are tagged with (STE.S2VMID).
uint16_t s1_stream(SmmuBench& b, uint32_t sid, uint16_t asid, bool aset = false, bool global = false) {
    PageTables pt = b.tables(12, 48, 0);
    pt.map(kVa, kPa, 0x10000, 3, global ? s1::RW & ~s1::NG : s1::RW);
    const uint64_t cd = b.alloc(64, 64);
    Cd c = cd_for(pt, asid);
    c.set<Cd::ASET>(aset);
    b.put(cd, c);
    b.set_ste(sid, ste_s1(cd));
    return b.ste_vmid(sid);
}

void touch(SmmuBench& b, uint32_t sid, unsigned pages, unsigned dev = 0) {
    for (unsigned p = 0; p < pages; ++p) ASSERT_TRUE(b.dma_read(sid, kVa + p * 0x1000, 8, {}, false, false, dev).ok());
}

dvm::Message va(Tlbi op, uint64_t addr, uint16_t asid, uint16_t vmid) {
    return dvm::Message{op, dvm::va_operand(addr, asid), vmid, false};
}

}  // namespace

TEST(SmmuBtm, IdRegisterAndPtm) {
    SmmuBench b({"smmu.btm=true"});
    b.run([&] {
        EXPECT_TRUE(get<idr0::BTM>(b.rd32(reg::IDR0)));
        b.wr32(reg::CR2, 4);
        EXPECT_EQ(b.rd32(reg::CR2) & 4, 4u);
    });
}

TEST(SmmuBtm, WithoutBtmPtmIsRes0AndThereIsNoDvmTarget) {
    SmmuBench b;
    b.run([&] {
        EXPECT_FALSE(get<idr0::BTM>(b.rd32(reg::IDR0)));
        b.wr32(reg::CR2, 4);
        EXPECT_EQ(b.rd32(reg::CR2) & 4, 0u);
    });
    EXPECT_THROW(b.smmu.tcu.dvm(), std::logic_error);
    EXPECT_FALSE(b.dvm);
    EXPECT_EQ(core::StatsRegistry::instance().find("smmu.tcu.dvm_tlbis"), nullptr);
}

// VAE1IS of one page removes that page of that ASID from the TCU and from the TBU that held it,
// and nothing else: the other pages and the other stream's ASID stay.
TEST(SmmuBtm, VaBroadcastRemovesExactlyThatPageFromEveryCache) {
    SmmuBench b({"smmu.btm=true", "smmu.tcu.tlb.enable=true"});
    b.run([&] {
        b.enable();
        const uint16_t vmid = s1_stream(b, 1, 7);
        ASSERT_EQ(s1_stream(b, 2, 8), vmid);
        touch(b, 1, 8, 0);
        touch(b, 2, 8, 1);
        const uint64_t walks = n("smmu.tcu.walks");
        b.tlbi(va(Tlbi::VAE1IS, kVa + 3 * 0x1000, 7, vmid));
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 1u);
        EXPECT_EQ(n("smmu.tcu.dvm_syncs"), 1u);
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 1u);
        EXPECT_EQ(n("smmu.tbu1.mtlb.invalidated"), 0u);
        EXPECT_EQ(n("smmu.tcu.tlb.invalidated"), 1u);
        touch(b, 1, 8, 0);
        touch(b, 2, 8, 1);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 9u);  // only page 3 missed again
        EXPECT_EQ(n("smmu.tbu1.dti_requests"), 8u);
        EXPECT_EQ(n("smmu.tcu.walks"), walks + 1);  // and it was gone from the TCU's TLB too
    });
    EXPECT_EQ(n("dvm.tlbis"), 1u);
    EXPECT_EQ(n("dvm.syncs"), 1u);
}

// ASIDE1IS spares a non-shared ASID (CD.ASET = 1) and other ASIDs; VMALLE1IS hits them all.
TEST(SmmuBtm, AsidBroadcastSparesAsetOneWhichVmallHits) {
    SmmuBench b({"smmu.btm=true"});
    b.run([&] {
        b.enable();
        const uint16_t vmid = s1_stream(b, 1, 7, true);
        s1_stream(b, 2, 8);
        touch(b, 1, 4, 0);
        touch(b, 2, 4, 1);
        b.tlbi(dvm::Message{Tlbi::ASIDE1IS, dvm::asid_operand(7), vmid, false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 0u);  // ASET = 1: spared
        b.tlbi(dvm::Message{Tlbi::ASIDE1IS, dvm::asid_operand(8), vmid, false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tbu1.mtlb.invalidated"), 4u);
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 0u);
        // Another VMID's VMALLE1IS: nothing; this VMID's: everything, ASET = 1 included.
        b.tlbi(dvm::Message{Tlbi::VMALLE1IS, 0, uint16_t(vmid + 1), false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 0u);
        b.tlbi(dvm::Message{Tlbi::VMALLE1IS, 0, vmid, false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 4u);
        touch(b, 1, 4, 0);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 8u);
    });
}

// A range TLBI (RVAE1IS) of (NUM+1) * 2^(5*SCALE+1) pages: SCALE 0, NUM 1 = 4 pages from page 2.
TEST(SmmuBtm, RangeBroadcastRemovesExactlyTheRange) {
    SmmuBench b({"smmu.btm=true"});
    b.run([&] {
        b.enable();
        const uint16_t vmid = s1_stream(b, 1, 7);
        touch(b, 1, 16);
        b.tlbi(dvm::Message{Tlbi::RVAE1IS, dvm::range_operand(kVa + 2 * 0x1000, 7, 12, 0, 1, 3), vmid, false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 4u);
        touch(b, 1, 16);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 20u);
    });
}

// A global entry matches lookups through CDs of its own ASET only (§3.17.1): a stream whose CD
// has the other ASET walks, one with the same ASET hits the TCU's TLB.
uint64_t walks_of_two_streams_sharing_global_pages(bool same_aset) {
    SmmuBench b({"smmu.btm=true", "smmu.tcu.tlb.enable=true"});
    uint64_t walks = 0;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7, false, true);
        s1_stream(b, 2, 8, !same_aset, true);
        touch(b, 1, 1, 0);
        touch(b, 2, 1, 1);
        walks = n("smmu.tcu.walks");
    });
    return walks;
}
TEST(SmmuBtm, GlobalEntriesMatchLookupsOfTheSameAset) { EXPECT_EQ(walks_of_two_streams_sharing_global_pages(true), 1u); }
TEST(SmmuBtm, GlobalEntriesDoNotMatchLookupsOfTheOtherAset) {
    EXPECT_EQ(walks_of_two_streams_sharing_global_pages(false), 2u);
}

// With CR2.PTM = 1 the SMMU ignores broadcasts (Syncs are still answered).
TEST(SmmuBtm, PtmMakesTheSmmuIgnoreBroadcasts) {
    SmmuBench b({"smmu.btm=true"});
    b.run([&] {
        BenchSetup s;
        s.ptm = true;
        b.enable(s);
        const uint16_t vmid = s1_stream(b, 1, 7);
        touch(b, 1, 4);
        b.tlbi(dvm::Message{Tlbi::VMALLE1IS, 0, vmid, false});
        b.dvm_sync();
        EXPECT_EQ(n("smmu.tcu.dvm_ignored"), 1u);
        EXPECT_EQ(n("smmu.tcu.dvm_tlbis"), 0u);
        EXPECT_EQ(n("smmu.tcu.dvm_syncs"), 1u);
        touch(b, 1, 4);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 4u);
    });
}

// The DVM Sync completes only after a transaction that used the invalidated entry: with device
// traffic 20 us from the TBU to memory a TLB-hit read is in flight ~40 us.
sc_core::sc_time dvm_sync_time(bool reading) {
    SmmuBench b({"smmu.btm=true", "noc.dev0.hop_latency=20000"});
    sc_core::sc_time sync_took;
    b.run([&] {
        b.enable();
        const uint16_t vmid = s1_stream(b, 1, 7);
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());
        SmmuBench::InFlightRead read;
        if (reading) b.start_read(1, kVa + 8, read);
        const sc_core::sc_time start = sc_core::sc_time_stamp();
        b.tlbi(va(Tlbi::VAE1IS, kVa, 7, vmid));
        b.dvm_sync();
        sync_took = sc_core::sc_time_stamp() - start;
        if (reading) {
            // The read completed before the Sync did (its thread resumes a cycle later at most).
            const sc_core::sc_time synced = sc_core::sc_time_stamp();
            b.wait_cycles(1);
            EXPECT_EQ(read.status, tlm::TLM_OK_RESPONSE);
            EXPECT_GT(read.done, start);
            EXPECT_LE(read.done, synced);
        }
    });
    return sync_took;
}
TEST(SmmuBtm, DvmSyncWaitsForATransactionThatUsedTheEntry) {
    EXPECT_GT(dvm_sync_time(true), sc_core::sc_time(30, sc_core::SC_US));
}
TEST(SmmuBtm, DvmSyncWithNothingInFlightTakesTheHopsAndTheTbuRound) {
    EXPECT_LT(dvm_sync_time(false), sc_core::sc_time(1, sc_core::SC_US));
}

// The Sync's cost without traffic: four node hops (requester -> node -> SMMU and back; the
// TLBI's own hops overlap them), the node's and the TCU's costs, the TBU's invalidation and
// sync round. With 1 us hops the hops dominate.
TEST(SmmuBtm, DvmSyncCostFollowsTheHopLatency) {
    SmmuBench b({"smmu.btm=true", "dvm.latency=1000"});
    b.run([&] {
        b.enable();
        const uint16_t vmid = s1_stream(b, 1, 7);
        touch(b, 1, 1);
        b.tlbi(va(Tlbi::VAE1IS, kVa, 7, vmid));
        b.dvm_sync();
    });
    const double ns = stat("cpu_dvm.sync_wait")["max"].get<double>();
    EXPECT_GT(ns, 4000.0);
    EXPECT_LT(ns, 4500.0);
}
