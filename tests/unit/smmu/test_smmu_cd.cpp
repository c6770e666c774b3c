// Context descriptors and substreams (fact sheet ste_cd §2-4): single CDs, linear and 2-level
// CD tables, the SubstreamID / S1DSS decision table, CD fetch faults, the ILLEGAL-CD
// conditions of this model (C_BAD_CD), TTB0/TTB1 and EPDx, the terminate model, and nested
// CD fetches through stage 2.

#include <gtest/gtest.h>

#include "tests/common/smmu/smmu_bench.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr auto kAbort = tlm::TLM_GENERIC_ERROR_RESPONSE;
constexpr uint64_t kVa = 0x10000000;  // the input address every CD here maps
constexpr uint32_t kSentinel = 200;   // a StreamID whose STE stays invalid (V=0)

uint64_t value(const DmaResult& r) { return r.value(); }

// A distinct page of DRAM for each CD, holding its pattern at +8.
uint64_t page(SmmuBench& b) {
    const uint64_t pa = b.alloc(0x1000, 0x1000);
    b.put64(pa + 8, pattern(pa));
    return pa;
}

// A valid CD whose stage-1 tables map kVa to a new page; that page in `pa`.
Cd make_cd(SmmuBench& b, uint64_t& pa, uint64_t va = kVa) {
    PageTables pt = b.tables(12, 48, 0);
    pa = page(b);
    pt.map(va, pa, 0x1000, 3, s1::RW);
    return cd_for(pt);
}

template <typename F>
Cd with(Cd c, uint64_t v) {
    c.set<F>(v);
    return c;
}

void expect_read(SmmuBench& b, uint32_t sid, uint64_t pa, std::optional<uint32_t> ssid = {},
                 uint64_t addr = kVa) {
    DmaResult r = b.dma_read(sid, addr + 8, 8, ssid);
    EXPECT_TRUE(r.ok()) << "StreamID " << sid << " SubstreamID " << ssid.value_or(~0u);
    EXPECT_EQ(value(r), pattern(pa)) << "StreamID " << sid << " SubstreamID " << ssid.value_or(~0u);
}

// A read aborts and produces exactly one event, of `type`, for `sid`.
EventRecord expect_event(SmmuBench& b, uint32_t sid, uint8_t type, std::optional<uint32_t> ssid = {},
                         uint64_t addr = kVa) {
    EXPECT_EQ(b.dma_read(sid, addr, 8, ssid).status, kAbort) << "StreamID " << sid;
    std::vector<EventRecord> ev = b.events(1);
    EXPECT_EQ(ev.size(), 1u) << "StreamID " << sid;
    if (ev.empty()) return EventRecord{};
    EXPECT_EQ(ev[0].type(), type) << "StreamID " << sid << ": got " << event_name(ev[0].type());
    EXPECT_EQ(ev[0].get<EventRecord::StreamID>(), sid);
    return ev[0];
}

// A configuration event: dw0 exactly (SSV only when `ssv_field`), the rest RES0.
void expect_config_event(SmmuBench& b, uint32_t sid, uint8_t type, std::optional<uint32_t> ssid = {},
                         bool ssv_field = true) {
    EventRecord e = expect_event(b, sid, type, ssid);
    uint64_t dw0 = type | uint64_t(sid) << 32;
    if (ssid) dw0 |= uint64_t(*ssid) << 12 | (ssv_field ? 1ull << 11 : 0);
    EXPECT_EQ(e.dw[0], dw0) << std::hex << e.dw[0];
    EXPECT_EQ(e.dw[1], 0u);
    EXPECT_EQ(e.dw[2], 0u);
    EXPECT_EQ(e.dw[3], 0u);
}
void expect_bad_ssid(SmmuBench& b, uint32_t sid, std::optional<uint32_t> ssid) {
    // C_BAD_SUBSTREAMID: SubstreamID always given, no SSV bit.
    expect_config_event(b, sid, evt::C_BAD_SUBSTREAMID, ssid.value_or(0), false);
}
void expect_stream_disabled(SmmuBench& b, uint32_t sid, std::optional<uint32_t> ssid) {
    EventRecord e = expect_event(b, sid, evt::F_STREAM_DISABLED, ssid);
    EXPECT_EQ(e.dw[0], evt::F_STREAM_DISABLED | uint64_t(sid) << 32) << std::hex << e.dw[0];
}

// Nothing was recorded since the last events(): the invalid STE of kSentinel then gives the
// only event.
void expect_no_event(SmmuBench& b) { expect_config_event(b, kSentinel, evt::C_BAD_STE); }

// A CD table of 2^cdmax CDs (linear) with `cds` at their indexes.
uint64_t linear_table(SmmuBench& b, unsigned cdmax, std::initializer_list<std::pair<uint32_t, Cd>> cds) {
    const uint64_t bytes = uint64_t(64) << cdmax;
    const uint64_t t = b.alloc(bytes, bytes);
    for (const auto& [i, cd] : cds) b.put(t + i * 64, cd);
    return t;
}

uint64_t put_cd(SmmuBench& b, const Cd& cd) {
    const uint64_t a = b.alloc(64, 64);
    b.put(a, cd);
    return a;
}

// `good` on SID 1 translates, `bad` on SID 2 is C_BAD_CD.
void expect_bad_cd(SmmuBench& b, const Cd& good, uint64_t pa, const Cd& bad) {
    b.set_ste(1, ste_s1(put_cd(b, good)));
    b.set_ste(2, ste_s1(put_cd(b, bad)));
    expect_read(b, 1, pa);
    expect_config_event(b, 2, evt::C_BAD_CD);
}

// Runs `body` on a bench with `params` and the SMMU enabled (linear stream table).
void enabled(std::initializer_list<std::string> params, const std::function<void(SmmuBench&)>& body) {
    SmmuBench b(params);
    b.run([&] {
        b.enable();
        body(b);
    });
}

}  // namespace

// ---------------------------------------------------------------- CD tables

TEST(SmmuCd, SingleCd) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        const uint64_t cd = put_cd(b, make_cd(b, pa));
        b.set_ste(1, ste_s1(cd));
        b.set_ste(2, ste_s1(cd, 0, s1fmt::L2_4K));  // S1Fmt ignored with S1CDMax = 0
        expect_read(b, 1, pa);
        expect_read(b, 2, pa);
    });
}

TEST(SmmuCd, LinearTableIndexedBySubstreamId) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa[8];
        Cd c0 = make_cd(b, pa[0]), c1 = make_cd(b, pa[1]), c2 = make_cd(b, pa[2]), c7 = make_cd(b, pa[7]);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}, {2, c2}, {7, c7}});
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::SSID0));
        expect_read(b, 1, pa[1], 1u);
        expect_read(b, 1, pa[2], 2u);
        expect_read(b, 1, pa[7], 7u);
        expect_read(b, 1, pa[0]);  // no SubstreamID: CD 0
    });
}

// A 2-level CD table: an L1 table of `l1_entries` and the L2 tables at the given L1 indexes.
using L1Cds = std::initializer_list<std::pair<uint32_t, uint64_t>>;
uint64_t l1_table(SmmuBench& b, unsigned l1_entries, L1Cds l1cds) {
    const uint64_t bytes = std::max(64u, l1_entries * 8);
    const uint64_t l1 = b.alloc(bytes, bytes);
    for (const auto& [i, d] : l1cds) b.put64(l1 + i * 8, d);
    return l1;
}

TEST(SmmuCd, TwoLevelTableWith4KLeaves) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa[3];
        const uint64_t l2a = b.alloc(0x1000, 0x1000), l2b = b.alloc(0x1000, 0x1000);
        b.put(l2a + 5 * 64, make_cd(b, pa[0]));
        b.put(l2a + 63 * 64, make_cd(b, pa[1]));
        b.put(l2b + 0 * 64, make_cd(b, pa[2]));
        const uint64_t l1 = l1_table(b, 4, {{1, l2a | 1}, {3, l2b | 1}});
        b.set_ste(1, ste_s1(l1, 8, s1fmt::L2_4K, s1dss::SSID0));
        expect_read(b, 1, pa[0], 0x45u);
        expect_read(b, 1, pa[1], 0x7Fu);
        expect_read(b, 1, pa[2], 0xC0u);
    });
}

TEST(SmmuCd, TwoLevelTableWith64KLeaves) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa[3];
        const uint64_t l2a = b.alloc(0x10000, 0x10000), l2b = b.alloc(0x10000, 0x10000);
        b.put(l2a + 0x45 * 64, make_cd(b, pa[0]));  // in L1 entry 1 with 4K leaves
        b.put(l2a + 0x3FF * 64, make_cd(b, pa[1]));
        b.put(l2b + 5 * 64, make_cd(b, pa[2]));
        const uint64_t l1 = l1_table(b, 4, {{0, l2a | 1}, {1, l2b | 1}});
        b.set_ste(1, ste_s1(l1, 12, s1fmt::L2_64K, s1dss::SSID0));
        expect_read(b, 1, pa[0], 0x45u);
        expect_read(b, 1, pa[1], 0x3FFu);
        expect_read(b, 1, pa[2], 0x405u);
    });
}

TEST(SmmuCd, L1CdInvalidIsBadSubstreamId) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        const uint64_t l2 = b.alloc(0x1000, 0x1000);
        b.put(l2 + 5 * 64, make_cd(b, pa));
        const uint64_t l1 = l1_table(b, 4, {{1, l2}, {2, l2 | 1}});  // same L2, V=0 and V=1
        b.set_ste(1, ste_s1(l1, 8, s1fmt::L2_4K, s1dss::SSID0));
        expect_read(b, 1, pa, 0x85u);
        expect_bad_ssid(b, 1, 0x45u);
    });
}

// ---------------------------------------------------------------- SubstreamIDs and S1DSS

TEST(SmmuCd, SubstreamIdBeyondS1CDMaxIsBadSubstreamId) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa7, pa8;
        Cd c7 = make_cd(b, pa7), c8 = make_cd(b, pa8);
        const uint64_t t = linear_table(b, 4, {{7, c7}, {8, c8}});  // room for 16
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::SSID0));
        expect_read(b, 1, pa7, 7u);
        expect_bad_ssid(b, 1, 8u);
    });
}

TEST(SmmuCd, SubstreamIdWithS1CDMax0IsBadSubstreamId) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        const uint64_t cd = put_cd(b, make_cd(b, pa));
        b.set_ste(1, ste_s1(cd));
        expect_read(b, 1, pa);
        expect_bad_ssid(b, 1, 0u);
    });
}

TEST(SmmuCd, SubstreamIdWithoutSsidsizeIsBadSubstreamId) {
    enabled({"smmu.ssidsize=0"}, [](SmmuBench& b) {
        uint64_t pa0, pa1;
        Cd c0 = make_cd(b, pa0), c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}});
        // S1CDMax and S1DSS (terminate) are ignored: one CD at S1ContextPtr.
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::TERMINATE));
        expect_read(b, 1, pa0);
        expect_bad_ssid(b, 1, 1u);
    });
}

TEST(SmmuCd, SubstreamId0WithS1DssSsid0IsStreamDisabled) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa0, pa1;
        Cd c0 = make_cd(b, pa0), c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}});
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::SSID0));
        expect_read(b, 1, pa1, 1u);
        expect_stream_disabled(b, 1, 0u);
    });
}

TEST(SmmuCd, SubstreamId0UsesCd0UnlessS1DssSsid0) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa0, pa1;
        Cd c0 = make_cd(b, pa0), c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}});
        for (uint32_t dss = 0; dss <= 3; dss += (dss == 1 ? 2 : 1)) {  // 00, 01, 11
            b.set_ste(dss + 1, ste_s1(t, 3, s1fmt::LINEAR, dss));
            expect_read(b, dss + 1, pa0, 0u);
        }
    });
}

TEST(SmmuCd, NoSubstreamIdWithS1DssTerminateIsStreamDisabled) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa0, pa1;
        Cd c0 = make_cd(b, pa0), c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}});
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::TERMINATE));
        b.set_ste(2, ste_s1(t, 3, s1fmt::LINEAR, 3));  // reserved: as terminate
        expect_read(b, 1, pa1, 1u);
        expect_stream_disabled(b, 1, std::nullopt);
        expect_stream_disabled(b, 2, std::nullopt);
    });
}

TEST(SmmuCd, S1DssBypassSkipsStage1) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa1;
        Cd c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{1, c1}});
        const uint64_t pa = page(b);
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::BYPASS));
        b.set_ste(2, ste_s1(kHole, 3, s1fmt::LINEAR, s1dss::BYPASS));  // no CD is fetched
        expect_read(b, 1, pa, std::nullopt, pa);                        // untranslated
        expect_read(b, 2, pa, std::nullopt, pa);
        expect_read(b, 1, pa1, 1u);  // SubstreamIDs still use their CDs
        EventRecord e = expect_event(b, 1, evt::F_ADDR_SIZE, std::nullopt, uint64_t(1) << 48);
        EXPECT_EQ(e.get<EventRecord::S2>(), 0u);
        EXPECT_EQ(e.get<EventRecord::Class>(), evt_class::IN);
        EXPECT_EQ(e.get<EventRecord::InputAddr>(), uint64_t(1) << 48);
    });
}

TEST(SmmuCd, S1DssBypassNestedUsesStage2Only) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa1;
        const uint64_t cd = put_cd(b, make_cd(b, pa1));  // maps kVa -> pa1 at stage 1
        const uint64_t pa = page(b);
        PageTables s2 = b.tables(12, 40, 1);
        s2.map(kVa, pa, 0x1000, 3, s2::RW);  // and stage 2 maps IPA kVa -> pa
        s2.map(kDram, kDram, 1ull << 30, 1, s2::RW);
        Ste s = ste_nested(cd, s2);
        s.set<Ste::S1CDMax>(3);
        s.set<Ste::S1DSS>(s1dss::BYPASS);
        b.set_ste(1, s);
        expect_read(b, 1, pa);
        s.set_address<Ste::S1ContextPtr>(kHole);  // no CD is fetched
        b.set_ste(2, s);
        expect_read(b, 2, pa);
    });
}

TEST(SmmuCd, NoSubstreamIdWithS1DssSsid0UsesCd0) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa0, pa1;
        Cd c0 = make_cd(b, pa0), c1 = make_cd(b, pa1);
        const uint64_t t = linear_table(b, 3, {{0, c0}, {1, c1}});
        b.set_ste(1, ste_s1(t, 3, s1fmt::LINEAR, s1dss::SSID0));
        expect_read(b, 1, pa0);
        expect_read(b, 1, pa1, 1u);
    });
}

// ---------------------------------------------------------------- CD fetch aborts

void expect_cd_fetch(SmmuBench& b, uint32_t sid, std::optional<uint32_t> ssid, uint64_t fetch) {
    EventRecord e = expect_event(b, sid, evt::F_CD_FETCH, ssid);
    uint64_t dw0 = evt::F_CD_FETCH | uint64_t(sid) << 32;
    if (ssid) dw0 |= 1ull << 11 | uint64_t(*ssid) << 12;
    EXPECT_EQ(e.dw[0], dw0) << std::hex << e.dw[0];
    EXPECT_EQ(e.address<EventRecord::FetchAddr>(), fetch) << std::hex << e.dw[3];
}

TEST(SmmuCd, CdFetchAbort) {
    enabled({}, [](SmmuBench& b) {
        b.set_ste(1, ste_s1(kHole + 0x40));
        b.set_ste(2, ste_s1(kHole, 2, s1fmt::LINEAR, s1dss::SSID0));
        expect_cd_fetch(b, 1, std::nullopt, kHole + 0x40);
        expect_cd_fetch(b, 2, 3u, kHole + 3 * 64);
    });
}

TEST(SmmuCd, L1CdFetchAbortAndL2PtrAbort) {
    enabled({}, [](SmmuBench& b) {
        const uint64_t l1 = l1_table(b, 4, {{1, kHole | 1}});
        b.set_ste(1, ste_s1(l1, 8, s1fmt::L2_4K, s1dss::SSID0));
        b.set_ste(2, ste_s1(kHole, 8, s1fmt::L2_4K, s1dss::SSID0));
        expect_cd_fetch(b, 1, 0x45u, kHole + 5 * 64);  // the CD in the L2 table
        expect_cd_fetch(b, 2, 0x85u, kHole + 2 * 8);   // the L1CD
    });
}

// ---------------------------------------------------------------- ILLEGAL CDs

// A test of one ILLEGAL CD condition: SID 1 with the good CD translates, SID 2 is C_BAD_CD.
#define BAD_CD_TEST(name, params, field, v)                   \
    TEST(SmmuCd, name) {                                      \
        enabled({params}, [](SmmuBench& b) {                  \
            uint64_t pa;                                      \
            Cd good = make_cd(b, pa);                         \
            expect_bad_cd(b, good, pa, with<field>(good, v)); \
        });                                                   \
    }

BAD_CD_TEST(CdV0IsBadCd, , Cd::V, 0)
BAD_CD_TEST(CdAA64ZeroIsBadCd, , Cd::AA64, 0)
BAD_CD_TEST(CdHAIsBadCd, , Cd::HA, 1)
BAD_CD_TEST(CdHDIsBadCd, , Cd::HD, 1)
BAD_CD_TEST(CdStallIsBadCd, , Cd::S, 1)
BAD_CD_TEST(CdA0WithTermModelAbortOnlyIsBadCd, "smmu.term_model_abort_only=true", Cd::A, 0)
BAD_CD_TEST(CdTG0ReservedIsBadCd, , Cd::TG0, 3)
BAD_CD_TEST(CdAsidHighBitsWithoutAsid16IsBadCd, "smmu.asid16=false", Cd::ASID, 0x100)

TEST(SmmuCd, CdEndiIsBadCdUnlessBothHalvesDisabled) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = make_cd(b, pa);
        expect_bad_cd(b, good, pa, with<Cd::ENDI>(good, 1));
        // EPD0 = EPD1 = 1: ENDI is not checked; the access is a stage-1 translation fault.
        b.set_ste(3, ste_s1(put_cd(b, with<Cd::EPD0>(with<Cd::ENDI>(good, 1), 1))));
        expect_event(b, 3, evt::F_TRANSLATION);
    });
}

TEST(SmmuCd, CdTG0UnsupportedGranuleIsBadCd) {
    enabled({"smmu.gran16k=false"}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = make_cd(b, pa);
        PageTables pt16 = b.tables(14, 48, 0);
        expect_bad_cd(b, good, pa, cd_for(pt16));
    });
}

TEST(SmmuCd, Cd16KGranuleSupported) {  // the CD of the test above, with 16K supported
    enabled({}, [](SmmuBench& b) {
        PageTables pt16 = b.tables(14, 48, 0);
        const uint64_t pa = b.alloc(0x4000, 0x4000);
        b.put64(pa + 8, pattern(pa));
        pt16.map(kVa, pa, 0x4000, 3, s1::RW);
        b.set_ste(1, ste_s1(put_cd(b, cd_for(pt16))));
        expect_read(b, 1, pa);
    });
}

TEST(SmmuCd, CdT0SZOutOfRangeIsBadCd) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = make_cd(b, pa);  // T0SZ 16
        PageTables pt25 = b.tables(12, 25, 2);
        const uint64_t pa25 = page(b);
        pt25.map(0x100000, pa25, 0x1000, 3, s1::RW);
        expect_bad_cd(b, good, pa, with<Cd::T0SZ>(good, 15));
        b.set_ste(3, ste_s1(put_cd(b, cd_for(pt25))));  // T0SZ 39
        expect_read(b, 3, pa25, std::nullopt, 0x100000);
        b.set_ste(4, ste_s1(put_cd(b, with<Cd::T0SZ>(cd_for(pt25), 40))));
        expect_config_event(b, 4, evt::C_BAD_CD);
    });
}

TEST(SmmuCd, CdTTB0BeyondIpsIsBadCd) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = with<Cd::IPS>(make_cd(b, pa), 2);  // 40 bits
        Cd bad = good;
        bad.set_address<Cd::TTB0>(uint64_t(1) << 40);
        expect_bad_cd(b, good, pa, bad);
    });
}

TEST(SmmuCd, DisabledTTB1FieldsNotChecked) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = make_cd(b, pa);  // EPD1 = 1
        good.set<Cd::TG1>(0);      // reserved
        good.set<Cd::T1SZ>(0);
        good.set_address<Cd::TTB1>(uint64_t(1) << 52);
        expect_bad_cd(b, good, pa, with<Cd::EPD1>(good, 0));  // checked once enabled
    });
}

TEST(SmmuCd, TTB1TranslatesUpperAddresses) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa0;
        Cd cd = make_cd(b, pa0);
        PageTables hi = b.tables(12, 48, 0);
        const uint64_t va1 = 0xFFFF000010000000ull, pa1 = page(b);
        hi.map(va1 & ((1ull << 48) - 1), pa1, 0x1000, 3, s1::RW);
        cd.set<Cd::EPD1>(0);
        cd.set<Cd::T1SZ>(16);
        cd.set<Cd::TG1>(2);  // 4K
        cd.set_address<Cd::TTB1>(hi.root());
        b.set_ste(1, ste_s1(put_cd(b, cd)));
        expect_read(b, 1, pa1, std::nullopt, va1);
        expect_read(b, 1, pa0);
    });
}

TEST(SmmuCd, Epd0IsTranslationFault) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd good = make_cd(b, pa);
        b.set_ste(1, ste_s1(put_cd(b, good)));
        b.set_ste(2, ste_s1(put_cd(b, with<Cd::EPD0>(good, 1))));
        expect_read(b, 1, pa);
        EventRecord e = expect_event(b, 2, evt::F_TRANSLATION, std::nullopt, kVa + 8);
        EXPECT_EQ(e.dw[0], evt::F_TRANSLATION | 2ull << 32);
        EXPECT_EQ(e.dw[1], 1ull << 35 | evt_class::IN << 40);  // RnW, S2 = 0, CLASS = IN
        EXPECT_EQ(e.dw[2], kVa + 8);
        EXPECT_EQ(e.dw[3], 0u);
    });
}

// ---------------------------------------------------------------- terminate model

// With CD.A = 0 an unmapped address reads as zero and ignores writes, with OK status. The
// address is a DRAM address holding data, so that passing it through would show.
void expect_razwi(SmmuBench& b, uint32_t sid, uint64_t addr) {
    b.put64(addr, pattern(addr));
    DmaResult r = b.dma_read(sid, addr, 8);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(value(r), 0u);
    EXPECT_TRUE(b.dma_write(sid, addr, {1, 2, 3, 4, 5, 6, 7, 8}).ok());
    EXPECT_EQ(b.get64(addr), pattern(addr));
}

TEST(SmmuCd, TerminateRazWiRecordedWithR1) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd cd = with<Cd::A>(make_cd(b, pa), 0);
        b.set_ste(1, ste_s1(put_cd(b, cd)));
        const uint64_t addr = kDram + 0x300000;  // not mapped at stage 1
        expect_razwi(b, 1, addr);
        std::vector<EventRecord> ev = b.events(2);
        ASSERT_EQ(ev.size(), 2u);
        for (int i = 0; i < 2; ++i) {
            EXPECT_EQ(ev[i].dw[0], evt::F_TRANSLATION | 1ull << 32);
            EXPECT_EQ(ev[i].get<EventRecord::RnW>(), i == 0 ? 1u : 0u);
            EXPECT_EQ(ev[i].get<EventRecord::S2>(), 0u);
            EXPECT_EQ(ev[i].get<EventRecord::InputAddr>(), addr);
        }
        expect_read(b, 1, pa);  // mapped addresses still translate
    });
}

TEST(SmmuCd, TerminateRazWiNotRecordedWithR0) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        Cd cd = with<Cd::R>(with<Cd::A>(make_cd(b, pa), 0), 0);
        b.set_ste(1, ste_s1(put_cd(b, cd)));
        expect_razwi(b, 1, kDram + 0x300000);
        expect_no_event(b);
    });
}

// ---------------------------------------------------------------- nested CD fetches

constexpr uint64_t kCdIpa = 0x20000040;  // not DRAM: only stage 2 makes it a CD

// Stage-2 tables with DRAM mapped onto itself (stage-1 tables and data) and kCdIpa's page
// onto the page of `cd_pa`.
PageTables nested_s2(SmmuBench& b, uint64_t cd_pa) {
    PageTables s2 = b.tables(12, 40, 1);
    s2.map(kDram, kDram, 1ull << 30, 1, s2::RW);
    s2.map(kCdIpa & ~0xFFFull, cd_pa & ~0xFFFull, 0x1000, 3, s2::RW);
    return s2;
}

TEST(SmmuCd, NestedCdAddressIsIpa) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        const uint64_t cd_pa = b.alloc(0x1000, 0x1000) + (kCdIpa & 0xFFF);
        b.put(cd_pa, make_cd(b, pa));
        PageTables s2 = nested_s2(b, cd_pa);
        b.set_ste(1, ste_nested(kCdIpa, s2));
        expect_read(b, 1, pa);
    });
}

TEST(SmmuCd, NestedCdFetchStage2Fault) {
    enabled({}, [](SmmuBench& b) {
        uint64_t pa;
        const uint64_t cd_pa = b.alloc(0x1000, 0x1000) + (kCdIpa & 0xFFF);
        b.put(cd_pa, make_cd(b, pa));
        PageTables s2 = nested_s2(b, cd_pa);
        const uint64_t unmapped = kCdIpa + 0x100000;
        b.set_ste(1, ste_nested(unmapped, s2));
        Ste quiet = ste_nested(unmapped, s2);
        quiet.set<Ste::S2R>(0);
        b.set_ste(2, quiet);
        EventRecord e = expect_event(b, 1, evt::F_TRANSLATION, std::nullopt, kVa + 8);
        EXPECT_EQ(e.dw[0], evt::F_TRANSLATION | 1ull << 32);
        EXPECT_EQ(e.dw[1], 1ull << 35 | 1ull << 39 | evt_class::CD << 40);  // RnW, S2, CLASS = CD
        EXPECT_EQ(e.dw[2], kVa + 8);
        EXPECT_EQ(e.address<EventRecord::IPA>(), unmapped & ~0xFFFull);
        EXPECT_EQ(b.dma_read(2, kVa, 8).status, kAbort);  // S2R = 0: aborted, not recorded
        expect_no_event(b);
    });
}
