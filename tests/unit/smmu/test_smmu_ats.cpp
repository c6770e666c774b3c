// PCIe ATS (issue 13 part 4; reference §4.4 CMD_ATC_INV, §4.7.3 CMD_SYNC): CMD_ATC_INV is legal
// only with IDR0.ATS, its range is what Size covers and no more, the SSV / SubstreamID / Global
// rules pick the PASIDs, the endpoint completes it after its latency, and CMD_SYNC completes
// only after the ATC invalidations before it have.

#include <gtest/gtest.h>

#include "models/core/sim_time.h"
#include "models/smmu/arch/atc_inv.h"
#include "models/smmu/ats/atc.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;
using smmusim::smmu::ats::Atc;
using smmusim::smmu::ats::AtcEntry;

namespace {

constexpr uint32_t kAfterEnable = 3;  // enable() issues CFGI_STE_RANGE(31), TLBI_NSNH_ALL, CMD_SYNC

Command atc_inv_raw(uint32_t sid, uint64_t addr, unsigned size, bool ssv = false, uint32_t ssid = 0,
                    bool global = false) {
    Command c;
    c.set<Command::Opcode>(op::ATC_INV);
    c.set<Command::StreamID>(sid);
    c.set<Command::SSV>(ssv);
    c.set<Command::SubstreamID>(ssid);
    c.set<Command::Global>(global);
    c.set_address<Command::Address>(addr);
    c.set<Command::AtcSize>(size);
    return c;
}

AtcEntry entry(uint64_t va, unsigned shift = 12, bool ssv = false, uint32_t ssid = 0, bool global = false) {
    AtcEntry e;
    e.base = va;
    e.shift = uint8_t(shift);
    e.ssv = ssv;
    e.ssid = ssid;
    e.global = global;
    e.oa = kDram + va;
    return e;
}

void fill(Atc& a, const AtcEntry& e) { a.request_finished(a.request_started(), e); }

bool holds(Atc& a, uint64_t va, bool ssv = false, uint32_t ssid = 0) {
    sc_core::sc_time done;
    return a.lookup(va, ssv, ssid, core::now(), done).has_value();
}

bool consumed_all(SmmuBench& b, uint32_t n) { return b.rd32(reg::CMDQ_CONS) == n; }

}  // namespace

TEST(AtcInvEncoding, BuilderUsesLinuxSmallestAlignedSpan) {
    // Pages 5 and 6: 5 ^ 6 = 3, fls = 2: four pages from page 4 (arm_smmu_atc_inv_to_cmd).
    Command c = cmd::atc_inv(7, false, 0, 0x5000, 0x2000);
    EXPECT_EQ(c.get<Command::AtcSize>(), 2u);
    EXPECT_EQ(c.address<Command::Address>(), 0x4000u);
    EXPECT_EQ(c.get<Command::StreamID>(), 7u);
    const core::AtcInvalidation d = decode_atc_inv(c);
    EXPECT_EQ(d.base, 0x4000u);
    EXPECT_EQ(d.log2_bytes, 14u);
    EXPECT_FALSE(d.all);
    // One page: Size 0 at that page.
    EXPECT_EQ(cmd::atc_inv(7, false, 0, 0x9000, 0x1000).get<Command::AtcSize>(), 0u);
    // size 0 means everything: ATC_INV_SIZE_ALL.
    EXPECT_TRUE(decode_atc_inv(cmd::atc_inv(7, true, 3, 0, 0)).all);
    EXPECT_EQ(cmd::atc_inv(7, true, 3, 0, 0).get<Command::SubstreamID>(), 3u);
}

TEST(AtcInvEncoding, LowAddressBitsBelowTheSpanAreIgnored) {
    const core::AtcInvalidation d = decode_atc_inv(atc_inv_raw(1, 0x107000, 2));
    EXPECT_EQ(d.base, 0x104000u);
    EXPECT_TRUE(d.covers(0x104000, 0x1000, false, 0, false));
    EXPECT_TRUE(d.covers(0x107000, 0x1000, false, 0, false));
    EXPECT_FALSE(d.covers(0x103000, 0x1000, false, 0, false));
    EXPECT_FALSE(d.covers(0x108000, 0x1000, false, 0, false));
}

TEST(Atc, InvalidationRemovesExactlyWhatSizeCovers) {
    SmmuBench b;
    Atc atc("ep");
    b.run([&] {
        for (uint64_t p = 0; p < 16; ++p) fill(atc, entry(0x100000 + p * 0x1000));
        fill(atc, entry(0x40000000, 21));  // a 2 MiB translation
        ASSERT_EQ(atc.atc.valid_entries(), 17u);
        // Size 1 at 0x105000: pages 0x104000 and 0x105000, nothing else.
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0x105000, 1)), [] {});
        EXPECT_EQ(atc.atc.valid_entries(), 15u);
        EXPECT_TRUE(holds(atc, 0x103000));
        EXPECT_FALSE(holds(atc, 0x104000));
        EXPECT_FALSE(holds(atc, 0x105000));
        EXPECT_TRUE(holds(atc, 0x106000));
        // A one-page range inside the 2 MiB entry removes the whole entry.
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0x40123000, 0)), [] {});
        EXPECT_FALSE(holds(atc, 0x40000000));
        EXPECT_EQ(atc.atc.valid_entries(), 14u);
        // Size 52: everything.
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0, kAtcInvSizeAll)), [] {});
        EXPECT_EQ(atc.atc.valid_entries(), 0u);
    });
}

TEST(Atc, SubstreamAndGlobalRulesPickThePasids) {
    SmmuBench b;
    Atc atc("ep");
    b.run([&] {
        auto refill = [&] {
            fill(atc, entry(0x1000));                    // no PASID
            fill(atc, entry(0x2000, 12, true, 3));       // PASID 3
            fill(atc, entry(0x3000, 12, true, 4));       // PASID 4
            fill(atc, entry(0x4000, 12, true, 4, true)); // PASID 4, global
        };
        refill();
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0, 4, true, 3, false)), [] {});
        EXPECT_EQ(atc.atc.valid_entries(), 3u);
        EXPECT_FALSE(holds(atc, 0x2000, true, 3));
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0, 4, true, 3, true)), [] {});
        EXPECT_EQ(atc.atc.valid_entries(), 2u);  // the global entry of PASID 4 went too
        EXPECT_TRUE(holds(atc, 0x3000, true, 4));
        // SSV = 0: every entry of the StreamID in the range, with a PASID or not.
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0, 4)), [] {});
        EXPECT_EQ(atc.atc.valid_entries(), 0u);
    });
}

TEST(Atc, ResultOfARequestInFlightAtAnInvalidationIsNotCached) {
    SmmuBench b;
    Atc atc("ep");
    b.run([&] {
        const uint64_t t = atc.request_started();
        bool completed = false;
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0, kAtcInvSizeAll)), [&] { completed = true; });
        b.wait_cycles(10000);  // past inv_latency: the completion still waits for the request
        EXPECT_FALSE(completed);
        atc.request_finished(t, entry(0x1000));
        b.wait_cycles(10);
        EXPECT_TRUE(completed);
        EXPECT_EQ(atc.atc.valid_entries(), 0u);
    });
    EXPECT_EQ(stat("ep.stale_fills"), 1);
}

// Only a request for a page the invalidation covers is stale: one elsewhere is cached.
TEST(Atc, RequestInFlightForAnotherPageStaysUsable) {
    SmmuBench b;
    Atc atc("ep");
    b.run([&] {
        const uint64_t covered = atc.request_started(0x5000);
        const uint64_t other = atc.request_started(0x9000);
        atc.atc_invalidate(decode_atc_inv(atc_inv_raw(5, 0x5000, 0)), [] {});
        EXPECT_FALSE(atc.request_finished(covered, entry(0x5000)));
        EXPECT_TRUE(atc.request_finished(other, entry(0x9000)));
        EXPECT_TRUE(holds(atc, 0x9000));
        EXPECT_FALSE(holds(atc, 0x5000));
    });
    EXPECT_EQ(stat("ep.stale_fills"), 1);
}

TEST(SmmuAts, AtcInvWithAtsIsConsumed) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        EXPECT_EQ(b.rd32(reg::IDR0) & (1u << 10), 1u << 10);  // IDR0.ATS
        b.enable();
        b.command(atc_inv_raw(5, 0x1000, 0));
        EXPECT_TRUE(b.poll([&] { return consumed_all(b, kAfterEnable + 1); }));
        EXPECT_EQ(b.rd32(reg::GERROR), 0u);
    });
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 0);
}

TEST(SmmuAts, AtcInvWithoutAtsIsCerrorIll) {
    SmmuBench b;
    b.run([&] {
        EXPECT_EQ(b.rd32(reg::IDR0) & (1u << 10), 0u);
        b.enable();
        b.command(atc_inv_raw(5, 0x1000, 0));
        EXPECT_TRUE(b.poll([&] { return ((b.rd32(reg::GERROR) ^ b.rd32(reg::GERRORN)) & gerror::CMDQ_ERR) != 0; }));
        EXPECT_EQ(b.rd32(reg::CMDQ_CONS), (cerror::ILL << 24) | kAfterEnable);
    });
}

TEST(SmmuAts, SyncCompletesOnlyAfterTheAtcInvalidationCompletes) {
    SmmuBench b({"smmu.ats=true", "ep.inv_latency=5us"});
    Atc atc("ep");
    b.smmu.tcu.attach_ats_endpoint(5, &atc);
    sc_core::sc_time with_ep, without_ep;
    b.run([&] {
        b.enable();
        fill(atc, entry(0x1000));
        sc_core::sc_time t0 = core::now();
        b.command(atc_inv_raw(5, 0x1000, 0));
        ASSERT_TRUE(b.sync());
        with_ep = core::now() - t0;
        EXPECT_EQ(atc.atc.valid_entries(), 0u);
        // A StreamID without an ATS endpoint: nothing to wait for.
        t0 = core::now();
        b.command(atc_inv_raw(6, 0x1000, 0));
        ASSERT_TRUE(b.sync());
        without_ep = core::now() - t0;
    });
    EXPECT_GE(with_ep, sc_core::sc_time(5, sc_core::SC_US));
    EXPECT_LT(without_ep, sc_core::sc_time(2, sc_core::SC_US));
    EXPECT_EQ(stat("smmu.tcu.atc_invalidations"), 1);
    EXPECT_EQ(stat("ep.invalidations"), 1);
}

// --- Translation Requests and Translated transactions through the TBU (DTI-ATS style) ---

namespace {

constexpr uint64_t kVa = 0x10000000, kPa = kDram + 0x100000;

// A stage-1 stream of StreamID `sid` mapping [kVa, kVa + 64 KiB) to kPa, with STE.EATS = eats.
PageTables ats_stream(SmmuBench& b, uint32_t sid, uint64_t eats) {
    PageTables pt = b.tables(12, 48, 0);
    pt.map(kVa, kPa, 0x10000, 3, s1::RW);
    const uint64_t cd = b.alloc(64, 64);
    b.put(cd, cd_for(pt, 5));
    Ste s = ste_s1(cd);
    s.set<Ste::EATS>(eats);
    b.set_ste(sid, s);
    return pt;
}

struct AtsAccess {
    tlm::tlm_response_status status;
    uint64_t data = 0;
};

AtsAccess ats_read(SmmuBench& b, uint32_t sid, uint64_t addr, core::AtKind at, bool priv = false) {
    core::StreamAttr a;
    a.sid = sid;
    a.at = at;
    a.priv = priv;
    unsigned char buf[8] = {};
    AtsAccess r;
    r.status = b.devs.at(0)->port.read(addr, buf, 8, &a);
    for (int i = 7; i >= 0; --i) r.data = (r.data << 8) | buf[i];
    return r;
}

uint8_t first_event(SmmuBench& b) {
    auto ev = b.events(1);
    return ev.empty() ? 0 : uint8_t(ev[0].get<EventRecord::Type>());
}

}  // namespace

TEST(AtsTranslation, CompletionEncodingRoundTrips) {
    for (unsigned k : {12u, 13u, 16u, 21u, 30u}) {
        core::AtsTranslation t;
        t.base = uint64_t(0x123) << 30;
        t.log2_bytes = k;
        t.read = true;
        t.write = k != 16;
        const core::AtsTranslation d = core::AtsTranslation::decode(t.encode());
        EXPECT_EQ(d.base, t.base) << k;
        EXPECT_EQ(d.log2_bytes, k);
        EXPECT_TRUE(d.read);
        EXPECT_EQ(d.write, t.write);
    }
}

TEST(SmmuAts, TranslatedTransactionWithEatsBypassesTranslation) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 1);
        b.put64(kPa + 0x40, 0x1122334455667788ull);
        const AtsAccess r = ats_read(b, 1, kPa + 0x40, core::AtKind::Translated);
        EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(r.data, 0x1122334455667788ull);  // the address was used as it came
    });
}

TEST(SmmuAts, TranslatedTransactionWithoutEatsIsTerminatedWithAtschk) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        BenchSetup s;
        s.atschk = true;
        b.enable(s);
        ats_stream(b, 1, 0);
        EXPECT_NE(ats_read(b, 1, kPa, core::AtKind::Translated).status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(first_event(b), evt::F_TRANSL_FORBIDDEN);
    });
}

// CR0.ATSCHK = 0, Linux's setting (fast mode): the SMMU trusts the device's Translated
// transactions, no STE lookup, whatever EATS says; only the output address size aborts.
TEST(SmmuAts, TranslatedTransactionPassesUncheckedWithoutAtschk) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 0);  // EATS = 0: not consulted
        b.put64(kPa + 0x80, 0x55aa55aa12345678ull);
        const AtsAccess r = ats_read(b, 1, kPa + 0x80, core::AtKind::Translated);
        EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(r.data, 0x55aa55aa12345678ull);
        EXPECT_EQ(first_event(b), 0u);
        EXPECT_NE(ats_read(b, 1, uint64_t(1) << 50, core::AtKind::Translated).status, tlm::TLM_OK_RESPONSE);
    });
    EXPECT_EQ(stat("smmu.tbu0.ats_unchecked"), 2);
    EXPECT_EQ(stat("smmu.tcu.dti_requests"), 0);
}

TEST(SmmuAts, AtschkIsRes0WithoutAts) {
    SmmuBench b;
    b.run([&] {
        b.enable();
        b.wr32(reg::CR0, b.rd32(reg::CR0) | 0x10u);
        EXPECT_EQ(b.rd32(reg::CR0) & 0x10u, 0u);
    });
}

TEST(SmmuAts, TranslatedTransactionWithoutIdr0AtsIsTerminated) {
    SmmuBench b;  // STE.EATS means nothing without IDR0.ATS
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 1);
        EXPECT_NE(ats_read(b, 1, kPa, core::AtKind::Translated).status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(first_event(b), evt::F_TRANSL_FORBIDDEN);
    });
}

// SMMUv3 §3.9.1: a Translation Request without a PASID is Unprivileged whatever its Priv says,
// so a page only EL1 may access gives it no permission.
TEST(SmmuAts, TranslationRequestWithoutPasidIsUnprivileged) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        PageTables pt = ats_stream(b, 1, 1);
        pt.map(kVa + 0x20000, kPa, 0x1000, 3, (s1::RW & ~s1::AP_RW) | s1::AP_PRIV_RW);
        const AtsAccess r = ats_read(b, 1, kVa + 0x20000, core::AtKind::Request, /*priv=*/true);
        ASSERT_EQ(r.status, tlm::TLM_OK_RESPONSE);
        const core::AtsTranslation t = core::AtsTranslation::decode(r.data);
        EXPECT_FALSE(t.read);
        EXPECT_FALSE(t.write);
    });
}

// STE.EATS = 0b10 (split-stage, IDR0.NS1ATS = 0 here) and 0b11 (DPT, not implemented) make a
// translating STE ILLEGAL: C_BAD_STE, for ordinary traffic too.
void expect_bad_ste_for_eats(uint64_t eats) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, eats);
        EXPECT_NE(ats_read(b, 1, kVa, core::AtKind::Untranslated).status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(first_event(b), evt::C_BAD_STE);
    });
}
TEST(SmmuAts, SplitStageEatsIsABadSte) { expect_bad_ste_for_eats(2); }
TEST(SmmuAts, DptEatsIsABadSte) { expect_bad_ste_for_eats(3); }

// A bypass STE ignores EATS: a Translation Request is refused as with EATS = 0.
TEST(SmmuAts, BypassStreamIgnoresEats) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        Ste s;
        s.set<Ste::V>(1);
        s.set<Ste::Config>(ste_config::BYPASS);
        s.set<Ste::EATS>(1);
        b.set_ste(1, s);
        EXPECT_NE(ats_read(b, 1, kVa, core::AtKind::Request).status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(first_event(b), evt::F_BAD_ATS_TREQ);
    });
}

TEST(SmmuAts, TranslationRequestReturnsTheTranslation) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 1);
        const AtsAccess r = ats_read(b, 1, kVa + 0x3123, core::AtKind::Request);
        ASSERT_EQ(r.status, tlm::TLM_OK_RESPONSE);
        const core::AtsTranslation t = core::AtsTranslation::decode(r.data);
        EXPECT_EQ(t.base, kPa + 0x3000);
        EXPECT_EQ(t.log2_bytes, 12u);
        EXPECT_TRUE(t.read);
        EXPECT_TRUE(t.write);
    });
    EXPECT_EQ(stat("smmu.tcu.events_recorded"), 0);
}

TEST(SmmuAts, FaultingTranslationRequestFailsWithoutAnEvent) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 1);
        const AtsAccess r = ats_read(b, 1, kVa + 0x100000, core::AtKind::Request);  // not mapped
        ASSERT_EQ(r.status, tlm::TLM_OK_RESPONSE);
        const core::AtsTranslation t = core::AtsTranslation::decode(r.data);
        EXPECT_FALSE(t.read);
        EXPECT_FALSE(t.write);
        b.wait_cycles(2000);
        EXPECT_EQ(b.rd32(reg::EVENTQ_PROD), b.rd32(reg::EVENTQ_CONS));
    });
    EXPECT_EQ(stat("smmu.tcu.events_recorded"), 0);
}

TEST(SmmuAts, TranslationRequestWithoutEatsIsUnsupported) {
    SmmuBench b({"smmu.ats=true"});
    b.run([&] {
        b.enable();
        ats_stream(b, 1, 0);
        EXPECT_NE(ats_read(b, 1, kVa, core::AtKind::Request).status, tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(first_event(b), evt::F_BAD_ATS_TREQ);
    });
}

TEST(SmmuAts, AfterUnmapTlbiAtcInvSyncTheAtcHoldsNoStaleTranslation) {
    // The driver's order on unmap (Linux arm_smmu_tlb_inv_range_domain, then
    // arm_smmu_atc_inv_domain): PTE cleared, TLBI, ATC_INV of the range, CMD_SYNC.
    SmmuBench b({"smmu.ats=true"});
    Atc atc("ep");
    b.smmu.tcu.attach_ats_endpoint(1, &atc);
    b.run([&] {
        b.enable();
        PageTables pt = ats_stream(b, 1, 1);
        for (uint64_t off = 0; off < 0x4000; off += 0x1000) {
            const core::AtsTranslation t =
                core::AtsTranslation::decode(ats_read(b, 1, kVa + off, core::AtKind::Request).data);
            AtcEntry e = entry(kVa + off);
            e.oa = t.base;
            fill(atc, e);
        }
        ASSERT_EQ(atc.atc.valid_entries(), 4u);
        pt.set_descriptor(kVa + 0x1000, 3, 0);  // unmap one page
        Command tlbi;
        tlbi.set<Command::Opcode>(op::TLBI_NH_VA);
        tlbi.set<Command::ASID>(5);
        tlbi.set_address<Command::Address>(kVa + 0x1000);
        b.command(tlbi);
        b.command(cmd::atc_inv(1, false, 0, kVa + 0x1000, 0x1000));
        ASSERT_TRUE(b.sync());
        EXPECT_EQ(atc.atc.valid_entries(), 3u);
        EXPECT_FALSE(holds(atc, kVa + 0x1000));
        // A new request for the page fails: nothing anywhere kept the old translation.
        EXPECT_FALSE(core::AtsTranslation::decode(ats_read(b, 1, kVa + 0x1000, core::AtKind::Request).data).read);
    });
}
