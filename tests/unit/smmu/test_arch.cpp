// Encodings against the reference's numbers (../shared/reference/smmuv3.md).

#include <gtest/gtest.h>

#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/arch/geometry.h"
#include "models/smmu/arch/pte.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/arch/ste.h"
#include "models/smmu/arch/tlbi_range.h"

using namespace smmusim::smmu::arch;

TEST(Arch, RegisterOffsets) {
    EXPECT_EQ(reg::CR0ACK, 0x24u);
    EXPECT_EQ(reg::GBPA, 0x44u);
    EXPECT_EQ(reg::GERRORN, 0x64u);
    EXPECT_EQ(reg::STRTAB_BASE_CFG, 0x88u);
    EXPECT_EQ(reg::CMDQ_CONS, 0x9Cu);
    EXPECT_EQ(reg::EVENTQ_PROD, 0x100A8u);  // page 1
    EXPECT_EQ(reg::EVENTQ_CONS, 0x100ACu);
    EXPECT_EQ(reg::EVENTQ_IRQ_CFG2, 0xBCu);
}

TEST(Arch, RegisterFields) {
    uint64_t idr0 = 0;
    idr0 = put<idr0::S1P>(idr0, 1);
    idr0 = put<idr0::TTF>(idr0, idr0::TTF_AARCH64);
    idr0 = put<idr0::ST_LEVEL>(idr0, 1);
    idr0 = put<idr0::STALL_MODEL>(idr0, idr0::TERM_ONLY);
    EXPECT_EQ(idr0, (1u << 1) | (2u << 2) | (1u << 27) | (1u << 24));
    uint64_t idr1 = put<idr1::CMDQS>(put<idr1::EVENTQS>(put<idr1::SIDSIZE>(0, 16), 19), 19);
    EXPECT_EQ(idr1, 16u | (19u << 16) | (19u << 21));
    EXPECT_EQ(put<idr3::RIL>(0, 1), 1u << 10);
    EXPECT_EQ(put<idr3::BBML>(0, 2), 2u << 11);
    EXPECT_EQ(put<idr5::OAS>(put<idr5::GRAN4K>(0, 1), 5), (1u << 4) | 5u);
    EXPECT_EQ(put<gbpa::ABORT>(0, 1) | put<gbpa::Update>(0, 1), (1u << 20) | (1u << 31));
    EXPECT_EQ(put<strtab_base_cfg::FMT>(put<strtab_base_cfg::SPLIT>(8, 8), 1), 8u | (8u << 6) | (1u << 16));
    EXPECT_EQ(get<queue_ptr::CMDQ_ERR>(0x01000005), 1u);
    EXPECT_EQ(pa_bits(5), 48u);
    EXPECT_EQ(pa_bits(2), 40u);
}

TEST(Arch, SteFieldsLandOnTheirBits) {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S2_TRANS);
    s.set<Ste::S1CDMax>(5);
    s.set<Ste::S1DSS>(s1dss::SSID0);
    s.set<Ste::STRW>(strw::NS_EL2);
    s.set<Ste::SHCFG>(1);
    s.set<Ste::S2VMID>(0x1234);
    s.set<Ste::S2T0SZ>(24);
    s.set<Ste::S2SL0>(1);
    s.set<Ste::S2TG>(2);
    s.set<Ste::S2PS>(5);
    s.set<Ste::S2AA64>(1);
    s.set<Ste::S2R>(1);
    s.set_address<Ste::S2TTB>(0x80001230ull | 0xF);  // bits below 4 are not part of the field
    s.set_address<Ste::S1ContextPtr>(0x12345FC0ull | 0x3F);
    EXPECT_EQ(s.dw[0], 1ull | (6ull << 1) | 0x12345FC0ull | (5ull << 59));
    EXPECT_EQ(s.dw[1], 2ull | (2ull << 30) | (1ull << 44));
    EXPECT_EQ(s.dw[2], 0x1234ull | (24ull << 32) | (1ull << 38) | (2ull << 46) | (5ull << 48) |
                           (1ull << 51) | (1ull << 58));
    EXPECT_EQ(s.dw[3], 0x80001230ull);
    EXPECT_EQ(s.get<Ste::S2T0SZ>(), 24u);
    EXPECT_EQ(s.address<Ste::S2TTB>(), 0x80001230ull);
    EXPECT_TRUE(ste_config::s2_enabled(6));
    EXPECT_FALSE(ste_config::s1_enabled(6));
    EXPECT_TRUE(ste_config::is_abort(3));
    EXPECT_TRUE(ste_config::s1_enabled(7));
}

TEST(Arch, StructuresRoundTripThroughLittleEndianBytes) {
    Ste s;
    s.dw = {0x0102030405060708ull, 2, 3, 4, 5, 6, 7, 0xF0E0D0C0B0A09080ull};
    unsigned char bytes[64];
    s.store(bytes);
    EXPECT_EQ(bytes[0], 0x08);
    EXPECT_EQ(bytes[7], 0x01);
    EXPECT_EQ(bytes[63], 0xF0);
    Ste t;
    t.load(bytes);
    EXPECT_EQ(t, s);
}

TEST(Arch, CdFields) {
    Cd c;
    c.set<Cd::T0SZ>(16);
    c.set<Cd::TG0>(0);
    c.set<Cd::IR0>(1);
    c.set<Cd::OR0>(1);
    c.set<Cd::SH0>(3);
    c.set<Cd::EPD1>(1);
    c.set<Cd::V>(1);
    c.set<Cd::IPS>(5);
    c.set<Cd::AA64>(1);
    c.set<Cd::R>(1);
    c.set<Cd::A>(1);
    c.set<Cd::ASET>(1);
    c.set<Cd::ASID>(0xBEEF);
    c.set_address<Cd::TTB0>(0x88000000);
    c.set<Cd::MAIR>(0x0004FF44);
    // Linux's arm_smmu_write_ctx_desc layout (reference §3.2).
    EXPECT_EQ(c.dw[0], 16ull | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 30) | (1ull << 31) |
                           (5ull << 32) | (1ull << 41) | (1ull << 45) | (1ull << 46) | (1ull << 47) |
                           (0xBEEFull << 48));
    EXPECT_EQ(c.dw[1], 0x88000000ull);
    EXPECT_EQ(c.dw[3], 0x0004FF44ull);
    L1Cd l1;
    l1.set<L1Cd::V>(1);
    l1.set_address<L1Cd::L2Ptr>(0x90001000);
    EXPECT_EQ(l1.dw[0], 0x90001001ull);
    L1Std l1s;
    l1s.set<L1Std::Span>(9);
    l1s.set_address<L1Std::L2Ptr>(0x90004000);
    EXPECT_EQ(l1s.dw[0], 0x90004009ull);
}

TEST(Arch, CommandEncodings) {
    Command c;
    c.set<Command::Opcode>(op::TLBI_NH_VA);
    c.set<Command::NUM>(14);
    c.set<Command::SCALE>(0);
    c.set<Command::VMID>(3);
    c.set<Command::ASID>(7);
    c.set<Command::Leaf>(1);
    c.set<Command::TTL>(3);
    c.set<Command::TG>(1);
    c.set_address<Command::Address>(0x7fff12345000ull);
    EXPECT_EQ(c.dw[0], 0x12ull | (14ull << 12) | (3ull << 32) | (7ull << 48));
    EXPECT_EQ(c.dw[1], 1ull | (3ull << 8) | (1ull << 10) | 0x7fff12345000ull);
    Command s;
    s.set<Command::Opcode>(op::CMD_SYNC);
    s.set<Command::CS>(sync_cs::SIG_IRQ);
    s.set<Command::MSH>(3);
    s.set<Command::MSIAttr>(0xF);
    s.set<Command::MSIData>(0xCAFE);
    s.set_address<Command::MSIAddress>(0x80000104);
    EXPECT_EQ(s.dw[0], 0x46ull | (1ull << 12) | (3ull << 22) | (0xFull << 24) | (0xCAFEull << 32));
    EXPECT_EQ(s.dw[1], 0x80000104ull);
    Command cfgi;
    cfgi.set<Command::Opcode>(op::CFGI_STE_RANGE);
    cfgi.set<Command::Range>(31);
    EXPECT_EQ(cfgi.dw[1], 31ull);
    EXPECT_STREQ(opcode_name(op::TLBI_S2_IPA), "TLBI_S2_IPA");
    EXPECT_EQ(opcode_name(0x99), nullptr);
    EXPECT_EQ(tlbi_tg_shift(3), 16u);
}

TEST(Arch, EventRecordFields) {
    EventRecord e;
    e.set<EventRecord::Type>(evt::F_PERMISSION);
    e.set<EventRecord::SSV>(1);
    e.set<EventRecord::SubstreamID>(0x55);
    e.set<EventRecord::StreamID>(9);
    e.set<EventRecord::RnW>(1);
    e.set<EventRecord::S2>(1);
    e.set<EventRecord::Class>(evt_class::TT);
    e.set<EventRecord::InputAddr>(0xFFFF800012345678ull);
    e.set_address<EventRecord::IPA>(0x8123456000ull);
    EXPECT_EQ(e.dw[0], 0x13ull | (1ull << 11) | (0x55ull << 12) | (9ull << 32));
    EXPECT_EQ(e.dw[1], (1ull << 35) | (1ull << 39) | (1ull << 40));
    EXPECT_EQ(e.dw[2], 0xFFFF800012345678ull);
    EXPECT_EQ(e.dw[3], 0x8123456000ull);
    EXPECT_STREQ(event_name(evt::C_BAD_SUBSTREAMID), "C_BAD_SUBSTREAMID");
}

TEST(Arch, DescriptorFields) {
    uint64_t page = 0x80042000ull | 3 | put<pte::AF>(0, 1) | put<pte::AP>(0, 3) | put<pte::UXN>(0, 1);
    EXPECT_TRUE(pte::valid(page));
    EXPECT_TRUE(pte::is_table_or_page(page));
    EXPECT_EQ(pte::address(page, 12), 0x80042000ull);
    EXPECT_EQ(page, 0x80042000ull | 3 | (1ull << 10) | (3ull << 6) | (1ull << 54));
    uint64_t block = 0x40200000ull | 1;
    EXPECT_TRUE(pte::is_block(block));
    EXPECT_EQ(pte::address(block | (0xF0ull << 48), 12), 0x40200000ull);  // bits above 51 are not OA
    EXPECT_EQ(pte::address(block | (1ull << 50), 12), 0x4000040200000ull);
    EXPECT_EQ(put<pte::APTable>(0, 2), 1ull << 62);
    EXPECT_EQ(put<pte::XN>(0, 2), 1ull << 54);
}

TEST(Arch, GranuleGeometry) {
    Granule g4{12}, g16{14}, g64{16};
    EXPECT_EQ(g4.level_shift(0), 39u);
    EXPECT_EQ(g4.level_shift(3), 12u);
    EXPECT_EQ(g16.level_shift(1), 36u);
    EXPECT_EQ(g64.level_shift(2), 29u);
    EXPECT_EQ(g4.index(0x0000008040201000ull, 0), 1u);
    EXPECT_EQ(g4.index(0x0000008040201000ull, 1), 1u);
    EXPECT_EQ(g4.index(0x0000008040201000ull, 2), 1u);
    EXPECT_EQ(g4.index(0x0000008040201000ull, 3), 1u);
    // Stage-1 start levels (reference §8.4 table)
    EXPECT_EQ(g4.s1_start_level(25), 2);
    EXPECT_EQ(g4.s1_start_level(30), 2);
    EXPECT_EQ(g4.s1_start_level(31), 1);
    EXPECT_EQ(g4.s1_start_level(39), 1);
    EXPECT_EQ(g4.s1_start_level(40), 0);
    EXPECT_EQ(g4.s1_start_level(48), 0);
    EXPECT_EQ(g16.s1_start_level(25), 3);
    EXPECT_EQ(g16.s1_start_level(26), 2);
    EXPECT_EQ(g16.s1_start_level(37), 1);
    EXPECT_EQ(g16.s1_start_level(48), 0);
    EXPECT_EQ(g64.s1_start_level(29), 3);
    EXPECT_EQ(g64.s1_start_level(30), 2);
    EXPECT_EQ(g64.s1_start_level(42), 2);
    EXPECT_EQ(g64.s1_start_level(43), 1);
    EXPECT_TRUE(g4.block_allowed(1));
    EXPECT_FALSE(g4.block_allowed(0));
    EXPECT_FALSE(g16.block_allowed(1));
    EXPECT_TRUE(g64.block_allowed(2));
    EXPECT_EQ(tg0_shift(1), 16u);
    EXPECT_EQ(tg1_shift(1), 14u);
    EXPECT_EQ(tg0_shift(3), std::nullopt);
    EXPECT_EQ(tg1_shift(0), std::nullopt);
}

TEST(Arch, Stage2StartAndConcatenation) {
    // The reference's worked examples (§8.5).
    auto s = s2_start(Granule{12}, 1, 40, false);  // 4K, IPA 40, SL0=01 -> L1, 2 tables
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, 1);
    EXPECT_EQ(s->tables, 2u);
    s = s2_start(Granule{12}, 1, 43, false);  // IPA 43 at L1 -> 16 tables
    ASSERT_TRUE(s);
    EXPECT_EQ(s->tables, 16u);
    EXPECT_FALSE(s2_start(Granule{12}, 1, 44, false));  // IPA 44 must start at L0
    s = s2_start(Granule{12}, 2, 44, false);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, 0);
    EXPECT_EQ(s->entries, 32u);
    s = s2_start(Granule{12}, 2, 48, false);
    EXPECT_EQ(s->entries, 512u);
    s = s2_start(Granule{14}, 2, 48, false);  // 16K IPA 48 SL0=10 -> L1, 2 tables
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, 1);
    EXPECT_EQ(s->tables, 2u);
    s = s2_start(Granule{16}, 2, 48, false);  // 64K IPA 48 SL0=10 -> L1, 64 entries
    ASSERT_TRUE(s);
    EXPECT_EQ(s->tables, 1u);
    EXPECT_EQ(s->entries, 64u);
    s = s2_start(Granule{16}, 1, 46, false);  // 64K IPA 46 SL0=01 -> L2, 16 tables
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, 2);
    EXPECT_EQ(s->tables, 16u);
    EXPECT_FALSE(s2_start(Granule{12}, 3, 30, false));  // L3 start needs STT
    EXPECT_TRUE(s2_start(Granule{12}, 3, 24, true));
    EXPECT_FALSE(s2_start(Granule{16}, 3, 40, false));
    EXPECT_FALSE(s2_start(Granule{12}, 0, 20, false));  // too few bits at L2
}

TEST(Arch, TlbiRangeDecoding) {
    auto tlbi = [](uint64_t tg, uint64_t num, uint64_t scale, uint64_t ttl, uint64_t addr) {
        Command c;
        c.set<Command::Opcode>(op::TLBI_NH_VA);
        c.set<Command::TG>(tg);
        c.set<Command::NUM>(num);
        c.set<Command::SCALE>(scale);
        c.set<Command::TTL>(ttl);
        c.set<Command::Leaf>(1);
        c.set_address<Command::Address>(addr);
        return c;
    };
    // The reference's worked example (§5.2): 47 pages as NUM=14,SCALE=0 then NUM=0,SCALE=5.
    auto a = decode_tlbi_range(tlbi(1, 14, 0, 3, 0x100000), true);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->addr, 0x100000u);
    EXPECT_EQ(a->size, 15u * 4096);
    EXPECT_EQ(a->tg_shift, 12u);
    EXPECT_EQ(a->ttl, 3u);
    EXPECT_TRUE(a->leaf);
    auto b = decode_tlbi_range(tlbi(1, 0, 5, 3, 0x100000 + 15 * 4096), true);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->size, 32u * 4096);
    // 64K granule, NUM=31, SCALE=2: 32 * 4 * 64 KiB = 8 MiB
    auto c = decode_tlbi_range(tlbi(3, 31, 2, 0, 0x40000000), true);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->size, 8u << 20);
    EXPECT_TRUE(c->overlaps(0x40000000 + (8u << 20) - 1, 1));
    EXPECT_FALSE(c->overlaps(0x40000000 + (8u << 20), 4096));
    EXPECT_TRUE(c->overlaps(0x3FFFF000, 0x2000));
    // Reserved: a range of one granule without a TTL hint; 16K TTL=01 counts as no hint.
    EXPECT_FALSE(decode_tlbi_range(tlbi(1, 0, 0, 0, 0), true));
    EXPECT_FALSE(decode_tlbi_range(tlbi(2, 0, 0, 1, 0), true));
    EXPECT_TRUE(decode_tlbi_range(tlbi(2, 0, 0, 2, 0), true));
    // Without RIL the fields are ignored: one address.
    auto d = decode_tlbi_range(tlbi(1, 0, 0, 0, 0x5000), false);
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->is_range());
    EXPECT_TRUE(d->overlaps(0x4000, 0x2000));
    EXPECT_FALSE(d->overlaps(0x6000, 0x1000));
    // No wrap at the top of the space; SCALE above 39 behaves as 39.
    auto e = decode_tlbi_range(tlbi(1, 31, 31, 0, 0xFFFFFFFFFFFF0000ull), true);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->size, 0x10000u);
    // TLBI_S2_IPA takes IPA[55:12].
    Command s2 = tlbi(1, 1, 0, 3, 0);
    s2.set<Command::Opcode>(op::TLBI_S2_IPA);
    s2.dw[1] |= 0xFF00000000000000ull | 0x8000001000ull;
    EXPECT_EQ(decode_tlbi_range(s2, true)->addr, 0x8000001000ull);
}
