// Stream tables and STEs (fact sheet ste_cd §1, §3, §6): finding the STE of a StreamID in a
// linear or 2-level stream table, the events of invalid StreamIDs and failed fetches, the
// Config values, and the ILLEGAL-STE conditions (C_BAD_STE) and ignored fields of this model.

#include <gtest/gtest.h>

#include "tests/common/smmu/smmu_bench.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace {

constexpr auto kAbort = tlm::TLM_GENERIC_ERROR_RESPONSE;
constexpr uint64_t kVa = 0x10000000;       // input address mapped by the tables of Env
constexpr uint64_t kPa = kDram + 0x200000;  // where it lands
constexpr uint32_t kSentinel = 200;         // a StreamID whose STE stays invalid (V=0)

uint64_t value(const DmaResult& r) { return r.value(); }

BenchSetup two_level(unsigned sid_bits, unsigned split) {
    BenchSetup s;
    s.two_level = true;
    s.sid_bits = sid_bits;
    s.split = split;
    return s;
}

// Stage-1 tables and a CD mapping kVa -> kPa, stage-2 tables mapping IPA kVa -> kPa and
// DRAM onto itself (so that a nested STE with the same CD works too).
struct Env {
    SmmuBench& b;
    PageTables s1, s2;
    uint64_t cd;
    explicit Env(SmmuBench& bench)
        : b(bench), s1(b.tables(12, 48, 0)), s2(b.tables(12, 40, 1)), cd(b.alloc(64, 64)) {
        s1.map(kVa, kPa, 0x1000, 3, s1::RW);
        s2.map(kVa, kPa, 0x1000, 3, s2::RW);
        s2.map(kDram, kDram, 1ull << 30, 1, s2::RW);
        b.put(cd, cd_for(s1));
        b.put64(kPa + 8, pattern(kPa));
    }
    Ste s1ste() const { return ste_s1(cd); }
    Ste s2ste() const { return ste_s2(s2); }
    Ste nested() const { return ste_nested(cd, s2); }
};

// Stage-2 tables of another geometry mapping `ipa` -> kPa.
PageTables s2_tables(SmmuBench& b, unsigned gshift, unsigned ia, int start, uint64_t ipa) {
    PageTables pt = b.tables(gshift, ia, start);
    pt.map(ipa, kPa, uint64_t(1) << gshift, 3, s2::RW);
    b.put64(kPa + 8, pattern(kPa));
    return pt;
}

// A read of `addr` + 8 through `sid` succeeds and returns what is at `pa` + 8.
void expect_read(SmmuBench& b, uint32_t sid, uint64_t addr = kVa, uint64_t pa = kPa,
                 std::optional<uint32_t> ssid = {}) {
    DmaResult r = b.dma_read(sid, addr + 8, 8, ssid);
    EXPECT_TRUE(r.ok()) << "StreamID " << sid;
    EXPECT_EQ(value(r), pattern(pa)) << "StreamID " << sid;
}

// A read through `sid` aborts and produces exactly one event, of `type`, for `sid`.
EventRecord expect_event(SmmuBench& b, uint32_t sid, uint8_t type, uint64_t addr = kVa,
                         std::optional<uint32_t> ssid = {}) {
    EXPECT_EQ(b.dma_read(sid, addr, 8, ssid).status, kAbort) << "StreamID " << sid;
    std::vector<EventRecord> ev = b.events(1);
    EXPECT_EQ(ev.size(), 1u) << "StreamID " << sid;
    if (ev.empty()) return EventRecord{};
    EXPECT_EQ(ev[0].type(), type) << "StreamID " << sid << ": got " << event_name(ev[0].type());
    EXPECT_EQ(ev[0].get<EventRecord::StreamID>(), sid);
    return ev[0];
}

// dw0 of a configuration event; the other words are RES0 (walk_cmd_evt §5).
uint64_t dw0(uint8_t type, uint32_t sid, std::optional<uint32_t> ssid = {}, bool ssv_field = true) {
    uint64_t v = type | uint64_t(sid) << 32;
    if (ssid) v |= uint64_t(*ssid) << 12 | (ssv_field ? 1ull << 11 : 0);
    return v;
}
void expect_config_event(SmmuBench& b, uint32_t sid, uint8_t type, std::optional<uint32_t> ssid = {}) {
    EventRecord e = expect_event(b, sid, type, kVa, ssid);
    EXPECT_EQ(e.dw[0], dw0(type, sid, ssid, type != evt::C_BAD_SUBSTREAMID)) << std::hex << e.dw[0];
    EXPECT_EQ(e.dw[1], 0u);
    EXPECT_EQ(e.dw[2], 0u);
    EXPECT_EQ(e.dw[3], 0u);
}

// The read through `sid` aborts and records nothing: the invalid STE of kSentinel then gives
// the only event.
void expect_silent_abort(SmmuBench& b, uint32_t sid, uint64_t addr = kVa, std::optional<uint32_t> ssid = {}) {
    EXPECT_EQ(b.dma_read(sid, addr, 8, ssid).status, kAbort) << "StreamID " << sid;
    expect_config_event(b, kSentinel, evt::C_BAD_STE);
}

// `good` on SID 1 translates, `bad` on SID 2 is ILLEGAL.
void expect_illegal(SmmuBench& b, const Ste& good, const Ste& bad, uint64_t addr = kVa) {
    b.set_ste(1, good);
    b.set_ste(2, bad);
    expect_read(b, 1, addr);
    expect_config_event(b, 2, evt::C_BAD_STE);
}

template <typename F>
Ste with(Ste s, uint64_t v) {
    s.set<F>(v);
    return s;
}

// Runs `body` on a bench with `params`, the tables of Env and the SMMU enabled.
using Body = std::function<void(SmmuBench&, Env&)>;
void with_env(std::initializer_list<std::string> params, const BenchSetup& setup, const Body& body) {
    SmmuBench b(params);
    b.run([&] {
        Env e(b);
        b.enable(setup);
        body(b, e);
    });
}
void with_env(std::initializer_list<std::string> params, const Body& body) {
    with_env(params, BenchSetup{}, body);
}

// A test of one ILLEGAL STE field: `base` (an Env STE) works, with `field` = `v` it is C_BAD_STE.
#define ILLEGAL_STE_TEST(name, base, field, v)                                        \
    TEST(SmmuStreams, name) {                                                         \
        with_env({}, [](SmmuBench& b, Env& e) {                                       \
            expect_illegal(b, e.base(), with<field>(e.base(), v));                    \
        });                                                                           \
    }

}  // namespace

// ---------------------------------------------------------------- stream tables

TEST(SmmuStreams, LinearTableIndexedByStreamId) {
    with_env({}, [](SmmuBench& b, Env& e) {
        b.put(b.strtab() + 0x35 * 64, e.s1ste());  // STE 0x35 at STRTAB_BASE + 0x35 * 64
        expect_read(b, 0x35);
        expect_config_event(b, 0x36, evt::C_BAD_STE);  // its neighbour is still V=0
    });
}

TEST(SmmuStreams, TwoLevelTableWithLazyL2) {
    with_env({}, two_level(16, 8), [](SmmuBench& b, Env& e) {
        b.set_ste(0x1234, e.s1ste());
        b.set_ste(0x12FF, e.s2ste());
        b.set_ste(0x4501, e.nested());
        const uint64_t l1 = b.get64(b.strtab() + 0x12 * 8);
        EXPECT_EQ(l1 & 0x1F, 9u);  // Span = SPLIT + 1: 256 STEs
        EXPECT_EQ(b.get64((l1 & ~0x3Full) + 0x34 * 64), e.s1ste().dw[0]);
        expect_read(b, 0x1234);
        expect_read(b, 0x12FF);
        expect_read(b, 0x4501);
        expect_config_event(b, 0x1235, evt::C_BAD_STE);       // same L2 table, STE V=0
        expect_config_event(b, 0x1334, evt::C_BAD_STREAMID);  // L1STD 0x13: Span 0
    });
}

TEST(SmmuStreams, SidBeyondLog2SizeRecordedWithRecinvsid) {
    with_env({}, [](SmmuBench& b, Env&) {
        b.set_ste(0, ste_bypass());  // what StreamID 256 would find wrapped to LOG2SIZE 8 bits
        b.set_ste(255, ste_bypass());
        b.put64(kDram + 0x1008, pattern(kDram + 0x1000));
        expect_read(b, 255, kDram + 0x1000, kDram + 0x1000);
        expect_config_event(b, 256, evt::C_BAD_STREAMID, 5u);  // SSV and SubstreamID recorded
        expect_config_event(b, 0x12345, evt::C_BAD_STREAMID);
    });
}

TEST(SmmuStreams, SidBeyondLog2SizeSilentWithoutRecinvsid) {
    BenchSetup s;
    s.recinvsid = false;
    with_env({}, s, [](SmmuBench& b, Env&) {
        b.set_ste(0, ste_bypass());
        expect_silent_abort(b, 256, kDram + 0x1000);
    });
}

TEST(SmmuStreams, TwoLevelSidBeyondLog2Size) {
    with_env({}, two_level(12, 8), [](SmmuBench& b, Env& e) {
        b.set_ste(0xFFF, e.s1ste());  // the last of 16 L1STDs
        // What StreamID 0x1000 would find after the L1 table (free memory before the queues).
        ASSERT_GT(b.cmdq_base(), b.strtab() + 16 * 8);
        b.put64(b.strtab() + 16 * 8, b.get64(b.strtab() + 15 * 8));
        expect_read(b, 0xFFF);
        expect_config_event(b, 0x1000, evt::C_BAD_STREAMID);
    });
}

TEST(SmmuStreams, Log2SizeCappedBySidsize) {
    with_env({"smmu.sidsize=6"}, [](SmmuBench& b, Env& e) {
        // LOG2SIZE 8, but only 6 StreamID bits
        b.set_ste(63, e.s1ste());
        b.set_ste(64, e.s1ste());
        expect_read(b, 63);
        expect_config_event(b, 64, evt::C_BAD_STREAMID);
    });
}

// An L2 table for L1STD `index` (SPLIT 8) with `span`, holding `ste` at the given L2 indexes.
void put_l2(SmmuBench& b, uint32_t index, uint64_t span, const Ste& ste, std::initializer_list<uint32_t> at) {
    const uint64_t l2 = b.alloc(256 * 64, 256 * 64);
    for (uint32_t i : at) b.put(l2 + i * 64, ste);
    b.put64(b.strtab() + index * 8, l2 | span);
}

TEST(SmmuStreams, L1StdSpanZeroInvalidatesStreamIds) {
    with_env({}, two_level(16, 8), [](SmmuBench& b, Env& e) {
        put_l2(b, 5, 0, e.s1ste(), {0});
        put_l2(b, 6, 1, e.s1ste(), {0});
        expect_read(b, 0x600);
        expect_config_event(b, 0x500, evt::C_BAD_STREAMID);
    });
}

TEST(SmmuStreams, L1StdSpanBeyondSplitInvalidatesStreamIds) {
    with_env({}, two_level(16, 8), [](SmmuBench& b, Env& e) {
        put_l2(b, 5, 10, e.s1ste(), {0x20});  // SPLIT + 2
        put_l2(b, 6, 9, e.s1ste(), {0x20});   // SPLIT + 1: the largest
        put_l2(b, 7, 31, e.s1ste(), {0x20});  // reserved
        expect_read(b, 0x620);
        expect_config_event(b, 0x520, evt::C_BAD_STREAMID);
        expect_config_event(b, 0x720, evt::C_BAD_STREAMID);
    });
}

TEST(SmmuStreams, SidBeyondL1StdSpanIsBadStreamId) {
    with_env({}, two_level(16, 8), [](SmmuBench& b, Env& e) {
        put_l2(b, 5, 3, e.s1ste(), {3, 4});  // Span 3: STEs 0..3
        expect_read(b, 0x503);
        expect_config_event(b, 0x504, evt::C_BAD_STREAMID);
    });
}

// Enables the SMMU with STRTAB_BASE in the hole.
void enable_with_base(SmmuBench& b, const BenchSetup& s, uint64_t base) {
    BenchSetup off = s;
    off.enable_smmu = false;
    b.enable(off);
    b.wr64(reg::STRTAB_BASE, base);
    ASSERT_TRUE(b.write_ack(reg::CR0, reg::CR0ACK, 0xD));
}

void expect_ste_fetch(SmmuBench& b, uint32_t sid, uint64_t fetch, std::optional<uint32_t> ssid = {}) {
    EventRecord ev = expect_event(b, sid, evt::F_STE_FETCH, kVa, ssid);
    EXPECT_EQ(ev.dw[0], dw0(evt::F_STE_FETCH, sid, ssid)) << std::hex << ev.dw[0];
    EXPECT_EQ(ev.address<EventRecord::FetchAddr>(), fetch) << std::hex << ev.dw[3];
}

TEST(SmmuStreams, SteFetchAbortOnLinearTable) {
    SmmuBench b;
    b.run([&] {
        enable_with_base(b, BenchSetup{}, kHole);
        expect_ste_fetch(b, 0x21, kHole + 0x21 * 64, 3u);
    });
}

TEST(SmmuStreams, SteFetchAbortOnL1Std) {
    SmmuBench b;
    b.run([&] {
        enable_with_base(b, two_level(16, 8), kHole);
        expect_ste_fetch(b, 0x1234, kHole + 0x12 * 8);
    });
}

TEST(SmmuStreams, SteFetchAbortOnL2Ptr) {
    with_env({}, two_level(16, 8), [](SmmuBench& b, Env&) {
        b.put64(b.strtab() + 2 * 8, kHole | 9);
        expect_ste_fetch(b, 0x205, kHole + 5 * 64);
    });
}

// ---------------------------------------------------------------- Config

TEST(SmmuStreams, SteV0IsBadSte) {
    with_env({}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, ste_bypass(), with<Ste::V>(ste_bypass(), 0), kPa);
        b.set_ste(3, with<Ste::V>(e.nested(), 0));
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, Config000AbortsWithoutEvent) {
    with_env({}, [](SmmuBench& b, Env& e) {
        b.set_ste(3, with<Ste::Config>(e.s1ste(), 0));  // valid stage-1 fields otherwise
        expect_silent_abort(b, 3);
        expect_silent_abort(b, 3, kVa, 1u);             // with a SubstreamID
        expect_silent_abort(b, 3, uint64_t(1) << 50);   // beyond OAS
    });
}

TEST(SmmuStreams, ReservedConfigsAbortWithoutEvent) {
    with_env({}, [](SmmuBench& b, Env& e) {
        for (uint32_t c = 1; c <= 3; ++c) {
            b.set_ste(c, with<Ste::Config>(e.nested(), c));
            expect_silent_abort(b, c);
        }
    });
}

TEST(SmmuStreams, BypassPassesAddressUntranslated) {
    with_env({}, [](SmmuBench& b, Env&) {
        b.set_ste(4, ste_bypass());
        b.put64(kDram + 0x5008, pattern(kDram + 0x5000));
        expect_read(b, 4, kDram + 0x5000, kDram + 0x5000);
        ASSERT_TRUE(b.dma_write(4, kDram + 0x6010, {1, 2, 3, 4}).ok());
        EXPECT_EQ(b.get32(kDram + 0x6010), 0x04030201u);
    });
}

TEST(SmmuStreams, BypassWithSubstreamIdIsBadSubstreamId) {
    with_env({}, [](SmmuBench& b, Env&) {
        b.set_ste(4, ste_bypass());
        expect_config_event(b, 4, evt::C_BAD_SUBSTREAMID, 7u);  // SubstreamID, no SSV
    });
}

TEST(SmmuStreams, BypassBeyondOasIsAddressSize) {
    with_env({}, [](SmmuBench& b, Env&) {
        b.set_ste(4, ste_bypass());
        EventRecord ev = expect_event(b, 4, evt::F_ADDR_SIZE, uint64_t(1) << 48);
        EXPECT_EQ(ev.dw[0], dw0(evt::F_ADDR_SIZE, 4));
        EXPECT_EQ(ev.get<EventRecord::S2>(), 0u);
        EXPECT_EQ(ev.get<EventRecord::Class>(), evt_class::IN);
        EXPECT_EQ(ev.get<EventRecord::RnW>(), 1u);
        EXPECT_EQ(ev.get<EventRecord::InputAddr>(), uint64_t(1) << 48);
    });
}

TEST(SmmuStreams, Stage2OnlyWithSubstreamIdIsBadSubstreamId) {
    with_env({}, [](SmmuBench& b, Env& e) {
        b.set_ste(6, e.s2ste());
        expect_read(b, 6);
        expect_config_event(b, 6, evt::C_BAD_SUBSTREAMID, 2u);
    });
}

// ---------------------------------------------------------------- ILLEGAL STEs

TEST(SmmuStreams, Stage1WithoutS1PIsIllegal) {
    with_env({"smmu.s1p=false", "smmu.hyp=false"}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s2ste(), e.s1ste());
        b.set_ste(3, e.nested());
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, Stage2WithoutS2PIsIllegal) {
    with_env({"smmu.s2p=false"}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s1ste(), e.s2ste());
        b.set_ste(3, e.nested());
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, S1StalldIllegalWithStage1Only) {
    with_env({}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s1ste(), with<Ste::S1STALLD>(e.s1ste(), 1));
        b.set_ste(3, with<Ste::S1STALLD>(e.s2ste(), 1));  // S1 fields IGNORED for Config 110
        expect_read(b, 3);
    });
}

TEST(SmmuStreams, S1CDMaxAboveSsidsizeIsIllegal) {
    with_env({"smmu.ssidsize=4"}, [](SmmuBench& b, Env& e) {
        const uint64_t table = b.alloc(16 * 64, 16 * 64);
        b.put(table, cd_for(e.s1));
        expect_illegal(b, ste_s1(table, 4, s1fmt::LINEAR, s1dss::SSID0),
                       ste_s1(table, 5, s1fmt::LINEAR, s1dss::SSID0));
    });
}

TEST(SmmuStreams, TwoLevelS1FmtWithoutCd2lIsIllegal) {
    with_env({"smmu.cd2l=false"}, [](SmmuBench& b, Env& e) {
        // With S1CDMax = 0 the format is ignored: a single CD.
        expect_illegal(b, ste_s1(e.cd, 0, s1fmt::L2_4K), ste_s1(e.cd, 4, s1fmt::L2_4K, s1dss::SSID0));
        b.set_ste(3, ste_s1(e.cd, 4, s1fmt::L2_64K, s1dss::SSID0));
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, StrwEl1ReservedEncodingIllegalWithHyp) {
    with_env({}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s1ste(), with<Ste::STRW>(e.s1ste(), 1));
        b.set_ste(3, with<Ste::STRW>(e.s1ste(), 3));
        expect_config_event(b, 3, evt::C_BAD_STE);
        b.set_ste(4, with<Ste::STRW>(e.nested(), 1));  // STRW unused for Config 11x
        expect_read(b, 4);
    });
}

TEST(SmmuStreams, Stage2VmidHighBitsIllegalWithoutVmid16) {
    with_env({"smmu.vmid16=false"}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, with<Ste::S2VMID>(e.s2ste(), 0xFF), with<Ste::S2VMID>(e.s2ste(), 0x100));
        b.set_ste(3, with<Ste::S2VMID>(e.nested(), 0x8001));
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, Stage1OnlyVmidHighBitsIllegalWithoutVmid16) {
    with_env({"smmu.vmid16=false"}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, with<Ste::S2VMID>(e.s1ste(), 0xFF), with<Ste::S2VMID>(e.s1ste(), 0x100));
        // An EL2 StreamWorld (STRW = 10) ignores S2VMID.
        b.set_ste(3, with<Ste::STRW>(with<Ste::S2VMID>(e.s1ste(), 0x100), strw::NS_EL2));
        expect_read(b, 3);
    });
}

ILLEGAL_STE_TEST(S2AA64ZeroIsIllegal, s2ste, Ste::S2AA64, 0)

TEST(SmmuStreams, S2TGReservedIsIllegal) {
    with_env({}, [](SmmuBench& b, Env& e) {
        PageTables pt64 = s2_tables(b, 16, 40, 2, kVa);
        expect_illegal(b, e.s2ste(), with<Ste::S2TG>(e.s2ste(), 3));
        b.set_ste(3, ste_s2(pt64));  // a 64K stage 2 is fine when 64K is supported
        expect_read(b, 3);
    });
}

TEST(SmmuStreams, S2TGUnsupportedGranuleIsIllegal) {
    with_env({"smmu.gran64k=false"}, [](SmmuBench& b, Env& e) {
        PageTables pt64 = s2_tables(b, 16, 40, 2, kVa);
        expect_illegal(b, e.s2ste(), ste_s2(pt64));
    });
}

TEST(SmmuStreams, S2T0SZOutOfRangeIsIllegal) {
    with_env({}, [](SmmuBench& b, Env&) {
        PageTables pt48 = s2_tables(b, 12, 48, 0, kVa);      // S2T0SZ 16, SL0 10
        PageTables pt25 = s2_tables(b, 12, 25, 2, 0x100000);  // S2T0SZ 39, SL0 00
        expect_illegal(b, ste_s2(pt48), with<Ste::S2T0SZ>(ste_s2(pt48), 15));
        b.set_ste(3, ste_s2(pt25));
        expect_read(b, 3, 0x100000);
        b.set_ste(4, with<Ste::S2T0SZ>(ste_s2(pt25), 40));  // 24 bits from level 2: consistent
        expect_config_event(b, 4, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, S2T0SZBelow64MinusIasIsIllegal) {
    SmmuBench b({"smmu.oas=2"});  // 40-bit OAS = IAS
    b.run([&] {
        PageTables pt40 = s2_tables(b, 12, 40, 1, kVa);
        b.enable();
        expect_illegal(b, ste_s2(pt40), with<Ste::S2T0SZ>(ste_s2(pt40), 23));  // 41 bits from L1
    });
}

ILLEGAL_STE_TEST(S2SL0InconsistentWithT0SZIsIllegal, s2ste, Ste::S2SL0, 0)  // 4K, level 2 for 40 bits

TEST(SmmuStreams, S2SL0ReservedLevel3IsIllegal) {
    with_env({}, [](SmmuBench& b, Env&) {
        PageTables pt25 = s2_tables(b, 12, 25, 2, 0x100000);
        // SL0 = 11 (level 3 start) would cover 25 bits, but needs IDR3.STT.
        expect_illegal(b, ste_s2(pt25), with<Ste::S2SL0>(ste_s2(pt25), 3), 0x100000);
    });
}

TEST(SmmuStreams, S2TTBBeyondS2PSIsIllegal) {
    with_env({}, [](SmmuBench& b, Env& e) {
        const Ste ps40 = with<Ste::S2PS>(e.s2ste(), 2);
        Ste bad = ps40;
        bad.set_address<Ste::S2TTB>(uint64_t(1) << 40);
        expect_illegal(b, ps40, bad);
        Ste bad48 = e.s2ste();
        bad48.set_address<Ste::S2TTB>(uint64_t(1) << 48);
        b.set_ste(3, bad48);
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

ILLEGAL_STE_TEST(S2EndiIsIllegal, s2ste, Ste::S2ENDI, 1)

ILLEGAL_STE_TEST(S2SIsIllegal, s2ste, Ste::S2S, 1)

TEST(SmmuStreams, S2HAOrS2HDIsIllegal) {
    with_env({}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s2ste(), with<Ste::S2HA>(e.s2ste(), 1));
        b.set_ste(3, with<Ste::S2HD>(e.s2ste(), 1));
        expect_config_event(b, 3, evt::C_BAD_STE);
    });
}

TEST(SmmuStreams, S1ContextPtrBeyondOasIsIllegal) {
    with_env({}, [](SmmuBench& b, Env& e) {
        expect_illegal(b, e.s1ste(), ste_s1(uint64_t(1) << 48));
    });
}

// ---------------------------------------------------------------- IGNORED fields

TEST(SmmuStreams, EatsIgnoredWithoutAts) {
    with_env({}, [](SmmuBench& b, Env& e) {
        for (uint32_t v = 1; v <= 3; ++v) {
            b.set_ste(v, with<Ste::EATS>(e.s1ste(), v));
            expect_read(b, v);
            b.set_ste(v + 8, with<Ste::EATS>(e.nested(), v));
            expect_read(b, v + 8);
        }
        EXPECT_TRUE(b.events().empty());
    });
}

TEST(SmmuStreams, StrwIgnoredWithoutHyp) {
    with_env({"smmu.hyp=false"}, [](SmmuBench& b, Env& e) {
        // TTB1 maps the upper VA range: only an EL1 StreamWorld has it.
        PageTables hi = b.tables(12, 48, 0);
        const uint64_t va1 = 0xFFFF000010000000ull, pa1 = kDram + 0x210000;
        hi.map(va1 & ((1ull << 48) - 1), pa1, 0x1000, 3, s1::RW);
        b.put64(pa1 + 8, pattern(pa1));
        Cd cd = cd_for(e.s1);
        cd.set<Cd::EPD1>(0);
        cd.set<Cd::T1SZ>(16);
        cd.set<Cd::TG1>(2);  // 4K
        cd.set_address<Cd::TTB1>(hi.root());
        const uint64_t cd2 = b.alloc(64, 64);
        b.put(cd2, cd);
        b.set_ste(1, with<Ste::STRW>(ste_s1(cd2), strw::NS_EL2));
        b.set_ste(2, with<Ste::STRW>(ste_s1(cd2), 1));
        for (uint32_t sid = 1; sid <= 2; ++sid) {
            expect_read(b, sid);
            expect_read(b, sid, va1, pa1);
        }
        EXPECT_TRUE(b.events().empty());
    });
}

TEST(SmmuStreams, S2PSAboveOasIsCapped) {
    SmmuBench b({"smmu.oas=2"});  // 40 bits
    b.run([&] {
        Env e(b);
        e.s2.map(kVa + 0x1000, uint64_t(1) << 40, 0x1000, 3, s2::RW);  // beyond the capped PS
        b.enable();
        b.set_ste(1, with<Ste::S2PS>(e.s2ste(), 5));  // 48 bits
        b.set_ste(2, with<Ste::S2PS>(e.s2ste(), 7));  // reserved
        expect_read(b, 1);
        expect_read(b, 2);
        for (uint32_t sid = 1; sid <= 2; ++sid) {
            EventRecord ev = expect_event(b, sid, evt::F_ADDR_SIZE, kVa + 0x1010);
            EXPECT_EQ(ev.get<EventRecord::S2>(), 1u);
            EXPECT_EQ(ev.get<EventRecord::Class>(), evt_class::IN);
            EXPECT_EQ(ev.address<EventRecord::IPA>(), kVa + 0x1000);
            EXPECT_EQ(ev.get<EventRecord::InputAddr>(), kVa + 0x1010);
        }
    });
}

TEST(SmmuStreams, S2TTBMisalignedLowBitsIgnored) {
    with_env({}, [](SmmuBench& b, Env&) {
        const uint64_t ipa = 0x8010000000ull;  // in the second of two concatenated tables
        PageTables pt = s2_tables(b, 12, 40, 1, ipa);
        ASSERT_EQ(pt.root() % 0x2000, 0u);
        Ste s = ste_s2(pt);
        s.set_address<Ste::S2TTB>(pt.root() | 0x1FF0);
        b.set_ste(1, s);
        expect_read(b, 1, ipa);
        EXPECT_TRUE(b.events().empty());
    });
}
