// The TBU's TLBs: what invalidation removes (exactly the covered entries), hit-under-miss,
// per-ID ordering, miss merging and translation slots (issue: microarchitecture tests).

#include <gtest/gtest.h>

#include <functional>

#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr uint64_t kVa = 0x10000000, kPa = kDram + 0x100000;

uint64_t n(const std::string& s) { return stat(s).get<uint64_t>(); }

// Stage 1 for `sid` mapping 16 pages at kVa under ASID `asid`.
void s1_stream(SmmuBench& b, uint32_t sid, uint16_t asid, uint64_t pa = kPa) {
    PageTables pt = b.tables(12, 48, 0);
    pt.map(kVa, pa, 0x10000, 3, s1::RW);
    const uint64_t cd = b.alloc(64, 64);
    b.put(cd, cd_for(pt, asid));
    b.set_ste(sid, ste_s1(cd));
}

void touch(SmmuBench& b, uint32_t sid, unsigned pages) {
    for (unsigned p = 0; p < pages; ++p) ASSERT_TRUE(b.dma_read(sid, kVa + p * 0x1000, 8).ok());
}

Command tlbi_va(uint16_t asid, uint64_t va, uint64_t tg = 0, uint64_t num = 0, uint64_t ttl = 0) {
    Command c;
    c.set<Command::Opcode>(op::TLBI_NH_VA);
    c.set<Command::ASID>(asid);
    c.set<Command::VMID>(0);
    c.set<Command::Leaf>(1);
    c.set<Command::TG>(tg);
    c.set<Command::NUM>(num);
    c.set<Command::TTL>(ttl);
    c.set_address<Command::Address>(va);
    return c;
}

// The VMID the bench's stage-1 STE carries (stage 1 entries are VMID-tagged with S2P).
uint16_t vmid_of(SmmuBench& b, uint32_t sid) {
    unsigned char raw[64];
    b.dram.store().read(b.strtab() + sid * 64ull, raw, 64);
    Ste s;
    s.load(raw);
    return uint16_t(s.get<Ste::S2VMID>());
}

// A read issued from its own thread, its completion time recorded.
struct Async {
    sc_core::sc_time done = sc_core::SC_ZERO_TIME;
    bool ok = false;
};
void read_async(SmmuBench& b, uint32_t sid, uint64_t addr, uint16_t id, Async& out, unsigned dev = 0) {
    sc_core::sc_spawn_options opts;
    sc_core::sc_spawn(
        [&b, sid, addr, id, &out, dev] {
            core::StreamAttr a;
            a.sid = sid;
            a.id = id;
            unsigned char buf[8];
            out.ok = b.devs.at(dev)->port.read(addr, buf, 8, &a) == tlm::TLM_OK_RESPONSE;
            out.done = sc_core::sc_time_stamp();
        },
        nullptr, &opts);
}

}  // namespace

TEST(SmmuTlb, TlbiByVaRemovesExactlyThatPage) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        touch(b, 1, 8);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 8u);
        Command c = tlbi_va(7, kVa + 3 * 0x1000);
        c.set<Command::VMID>(vmid_of(b, 1));
        b.command(c);
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 1u);
        touch(b, 1, 8);  // only page 3 misses again
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 9u);
    });
    // Leaf=1 leaves the walk caches' table entries alone.
    EXPECT_EQ(n("smmu.tcu.walk_cache.s1l2.invalidated"), 0u);
}

TEST(SmmuTlb, TlbiRangeRemovesExactlyTheRange) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        touch(b, 1, 16);
        // TG=4K, NUM=3 (4 pages), SCALE=0, TTL=3, from page 2: pages 2-5.
        Command c = tlbi_va(7, kVa + 2 * 0x1000, 1, 3, 3);
        c.set<Command::VMID>(vmid_of(b, 1));
        b.command(c);
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 4u);
        touch(b, 1, 16);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 16u + 4u);
    });
}

TEST(SmmuTlb, TlbiRangeOfAnotherGranuleOrLevelKeepsEntries) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        touch(b, 1, 4);
        const uint16_t vmid = vmid_of(b, 1);
        Command c64 = tlbi_va(7, kVa, 3, 3, 3);  // TG=64K: the 4K entries are not hit
        c64.set<Command::VMID>(vmid);
        Command l2 = tlbi_va(7, kVa, 1, 3, 2);  // TTL=2: level-3 entries are not hit
        l2.set<Command::VMID>(vmid);
        b.command(c64);
        b.command(l2);
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 0u);
        touch(b, 1, 4);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 4u);
    });
}

TEST(SmmuTlb, TlbiByAsidSparesOtherAsids) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        s1_stream(b, 2, 8, kPa + 0x100000);
        touch(b, 1, 4);
        touch(b, 2, 4);
        Command c;
        c.set<Command::Opcode>(op::TLBI_NH_ASID);
        c.set<Command::ASID>(7);
        c.set<Command::VMID>(vmid_of(b, 1));
        b.command(c);
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 4u);
        touch(b, 2, 4);  // ASID 8 still hits
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 8u);
        touch(b, 1, 4);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 12u);
    });
}

TEST(SmmuTlb, CfgiSteRemovesThatStreamsEntries) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        s1_stream(b, 2, 8, kPa + 0x100000);
        touch(b, 1, 4);
        touch(b, 2, 4);
        Command c;
        c.set<Command::Opcode>(op::CFGI_STE);
        c.set<Command::StreamID>(2);
        c.set<Command::Leaf>(1);
        b.command(c);
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(n("smmu.tbu0.mtlb.invalidated"), 4u);
        EXPECT_EQ(n("smmu.tcu.config_cache.invalidated"), 1u);
        touch(b, 1, 4);
        EXPECT_EQ(n("smmu.tbu0.dti_requests"), 8u);
    });
}

TEST(SmmuTlb, HitsOvertakeAMissOfAnotherId) {
    SmmuBench b({"dram.read_latency=2000"});
    Async miss, hit;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        touch(b, 1, 1);  // page 0 is in the TLB; page 5 is not
        read_async(b, 1, kVa + 5 * 0x1000, 1, miss);
        b.wait_cycles(1);
        read_async(b, 1, kVa + 8, 2, hit);
        b.wait_cycles(40000);
    });
    ASSERT_TRUE(miss.ok && hit.ok);
    EXPECT_LT(hit.done, miss.done);  // hit-under-miss
}

TEST(SmmuTlb, SameIdKeepsOrderBehindAMiss) {
    SmmuBench b({"dram.read_latency=2000"});
    Async miss, hit;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        touch(b, 1, 1);
        read_async(b, 1, kVa + 5 * 0x1000, 3, miss);
        b.wait_cycles(1);
        read_async(b, 1, kVa + 8, 3, hit);
        b.wait_cycles(40000);
    });
    ASSERT_TRUE(miss.ok && hit.ok);
    EXPECT_GT(hit.done, miss.done);  // leaves after the earlier transaction with its ID
}

TEST(SmmuTlb, SecondMissToThePageWaitsForTheFirst) {
    SmmuBench b;
    Async first, second;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        read_async(b, 1, kVa + 0x10, 1, first);
        read_async(b, 1, kVa + 0x20, 2, second);
        b.wait_cycles(20000);
    });
    ASSERT_TRUE(first.ok && second.ok);
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 1u);
    EXPECT_EQ(n("smmu.tbu0.merged_misses"), 1u);
}

TEST(SmmuTlb, OneSlotSerialisesTranslations) {
    SmmuBench b({"smmu.tbu0.xlate_slots=1"});
    Async a1, a2;
    b.run([&] {
        b.enable();
        s1_stream(b, 1, 7);
        read_async(b, 1, kVa, 1, a1);
        read_async(b, 1, kVa + 0x8000, 2, a2);  // another page: its own miss
        b.wait_cycles(20000);
    });
    ASSERT_TRUE(a1.ok && a2.ok);
    EXPECT_EQ(stat("smmu.tbu0.slots_busy")["max"], 1);
    EXPECT_EQ(n("smmu.tbu0.merged_misses"), 0u);
}

TEST(SmmuTlb, PermissionMissOnAHitGoesToTheTcu) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        PageTables pt = b.tables(12, 48, 0);
        pt.map(kVa, kPa, 0x1000, 3, s1::AF | s1::ISH | s1::AP_RO);
        const uint64_t cd = b.alloc(64, 64);
        b.put(cd, cd_for(pt));
        b.set_ste(1, ste_s1(cd));
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());
        // The cached entry does not allow writes: the TCU walks and records the fault.
        EXPECT_EQ(b.dma_write(1, kVa, {1}).status, tlm::TLM_GENERIC_ERROR_RESPONSE);
        auto ev = b.events(1);
        ASSERT_EQ(ev.size(), 1u);
        EXPECT_EQ(ev[0].type(), evt::F_PERMISSION);
        ASSERT_TRUE(b.dma_read(1, kVa, 8).ok());  // reads still hit
    });
    EXPECT_EQ(n("smmu.tbu0.dti_requests"), 2u);
}
