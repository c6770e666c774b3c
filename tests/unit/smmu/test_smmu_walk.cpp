// Translation table walks end to end (reference §8, fact sheet walk_cmd_evt §1-5): granules and
// start levels, blocks, stage-2 concatenation, range / address-size / access-flag / permission
// checks (permissions: test_smmu_permissions.cpp), external aborts on walks, the terminate model of walk faults, and nested walks. Every
// fault is checked through its event record; descriptor reads are counted per DMA.

#include "tests/unit/smmu/walk_test_helpers.h"

// ---------------------------------------------------------------------------------------------
// Geometry: granules, start levels, blocks, concatenated stage-2 start tables (reference §8.4-8.6)

TEST(SmmuWalk, Stage1EveryGranuleAndStartLevel) {
    struct Case { unsigned g, ia; int start; };
    const Case cases[] = {{12, 48, 0}, {12, 39, 1}, {12, 30, 2}, {14, 48, 0}, {14, 47, 1},
                          {14, 36, 2}, {14, 25, 3}, {16, 48, 1}, {16, 42, 2}, {16, 29, 3}};
    with_bench([&](SmmuBench& b) {
        uint32_t sid = 0;
        for (const Case& c : cases) {
            PageTables pt = b.tables(c.g, c.ia, c.start);
            // The top input bit and an index bit at every level set; the last 8 bytes of the page.
            const uint64_t va = (1ull << (c.ia - 1)) | (3ull << c.g), pa = kDram + 0x100000 * ++sid;
            pt.map(va, pa, 1ull << c.g, 3, s1::RW);
            s1_stream(b, sid, pt);
            const uint64_t off = (1ull << c.g) - 8;
            expect_reads(b, sid, va + off, pa + off, 4 - c.start);  // one read per level walked
        }
    });
}

TEST(SmmuWalk, Stage1BlocksKeepTheOffset) {
    struct Case { unsigned g, ia; int start, level; uint64_t va, pa, off; };
    const Case cases[] = {
        {12, 48, 0, 1, 5ull << 30, kDram, 0x12345678},                              // 4K: 1 GiB at L1
        {12, 48, 0, 2, 0x40600000, kDram + 0x4000000, 0x12348},                    // 4K: 2 MiB at L2
        {14, 48, 0, 2, (1ull << 40) | (3ull << 25), kDram + 0x8000000, 0x1ABCD08},  // 16K: 32 MiB
        {16, 48, 1, 2, 5ull << 29, kDram, 0xFEDCBA8},                               // 64K: 512 MiB
    };
    with_bench([&](SmmuBench& b) {
        uint32_t sid = 0;
        for (const Case& c : cases) {
            PageTables pt = b.tables(c.g, c.ia, c.start);
            pt.map(c.va, c.pa, Granule{c.g}.level_size(c.level), c.level, s1::RW);
            s1_stream(b, ++sid, pt);
            expect_reads(b, sid, c.va + c.off, c.pa + c.off, c.level - c.start + 1);
        }
    });
}

TEST(SmmuWalk, BlockWhereNotAllowedIsTranslationFault) {
    struct Case { unsigned g, ia; int start, level; };
    // 4K L0, 16K L1, 64K L1 (no 52-bit PA / LPA2), and type 0b01 at L3 (reserved).
    const Case cases[] = {{12, 48, 0, 0}, {14, 48, 0, 1}, {16, 48, 1, 1}, {12, 48, 0, 3}};
    with_bench([&](SmmuBench& b) {
        const uint64_t va = 0x76540000, pa = kDram + 0x400000;
        uint32_t sid = 0;
        for (const Case& c : cases) {
            PageTables pt = b.tables(c.g, c.ia, c.start);
            pt.map(va, pa, 1ull << c.g, 3, s1::RW);
            pt.set_descriptor(va, c.level, (c.level == 3 ? pa : 0) | s1::RW | 1);  // bits[1:0] = 0b01
            s1_stream(b, ++sid, pt);
            expect_aborts(b, sid, va, {evt::F_TRANSLATION, S1, kIn}, c.level - c.start + 1);
        }
    });
}

TEST(SmmuWalk, Stage2StartLevelsAndConcatenation) {
    struct Case { unsigned g, ia; int start; uint64_t ipa, root_entries; };
    const Case cases[] = {
        {12, 40, 1, 0x8040003000ull, 1024},                               // 2 tables, the second
        {12, 43, 1, (0xFull << 39) | 0x12345000, 8192},                   // 16 tables, the last
        {12, 48, 0, (1ull << 47) | 0x5000, 512},                          // L0
        {14, 48, 1, (1ull << 47) | (3ull << 36) | 0xC000, 4096},          // 2 tables, the second
        {16, 46, 2, (0xFull << 42) | (1ull << 29) | 0x10000, 16 * 8192},  // 16 tables, the last
    };
    with_bench([&](SmmuBench& b) {
        uint32_t sid = 0;
        for (const Case& c : cases) {
            PageTables pt = b.tables(c.g, c.ia, c.start);
            ASSERT_EQ(pt.root_entries(), c.root_entries);
            const uint64_t pa = kDram + 0x100000 * ++sid, off = (1ull << c.g) - 8;
            pt.map(c.ipa, pa, 1ull << c.g, 3, s2::RW);
            s2_stream(b, sid, pt);
            expect_reads(b, sid, c.ipa + off, pa + off, 0, 4 - c.start);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Input ranges (fact sheet §1, §4)

TEST(SmmuWalk, VaBeyondT0szIsTranslationFault) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 39, 1);  // T0SZ = 25
        const uint64_t top = (1ull << 39) - 0x1000;
        pt.map(top, kDram + 0x1000, 0x1000, 3, s1::RW);
        s1_stream(b, 1, pt);
        expect_reads(b, 1, top + 8, kDram + 0x1008, 3);  // the last page of the range translates
        for (uint64_t va : {1ull << 39, 0x8000000000001000ull})
            expect_aborts(b, 1, va, {evt::F_TRANSLATION, S1, kIn}, 0);  // no descriptor is read
    });
}

TEST(SmmuWalk, Ttb1WithEpd1IsTranslationFault) {
    with_bench([&](SmmuBench& b) {
        const uint64_t va = 0xFFFF800000002000ull;  // VA[55] = 1: TTB1
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, kDram + 0x2000, 0x1000, 3, s1::RW);
        for (uint32_t epd1 : {0u, 1u}) {
            s1_stream(b, 1 + epd1, pt, [&](Cd& cd) {
                cd.set<Cd::T1SZ>(16);
                cd.set<Cd::TG1>(2);  // 4K in the TG1 encoding
                cd.set_address<Cd::TTB1>(pt.root());
                cd.set<Cd::EPD1>(epd1);
            });
        }
        expect_reads(b, 1, va + 0x10, kDram + 0x2010, 4);  // the control: EPD1 = 0 walks TTB1
        expect_aborts(b, 2, va + 0x10, {evt::F_TRANSLATION, S1, kIn}, 0);
    });
}

TEST(SmmuWalk, Tbi0IgnoresTheTopByte) {
    with_bench([&](SmmuBench& b) {
        const uint64_t va = 0x123456000ull, tag = 0x5Aull << 56;
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, kDram + 0x3000, 0x1000, 3, s1::RW);
        s1_stream(b, 1, pt, [](Cd& cd) { cd.set<Cd::TBI0>(1); });
        s1_stream(b, 2, pt);
        expect_reads(b, 1, tag | (va + 0x20), kDram + 0x3020, 4);
        // A fault reports the address as presented, tag included.
        expect_aborts(b, 1, tag | (va + 0x1000), {evt::F_TRANSLATION, S1, kIn}, 4);
        expect_aborts(b, 2, tag | (va + 0x20), {evt::F_TRANSLATION, S1, kIn}, 0);  // TBI0 = 0
    });
}

TEST(SmmuWalk, IpaBeyondS2t0szIsStage2TranslationFault) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 40, 1);  // S2T0SZ = 24
        const uint64_t top = (1ull << 40) - 0x1000, bad = (1ull << 40) | 0x3008;
        pt.map(top, kDram + 0x4000, 0x1000, 3, s2::RW);
        s2_stream(b, 1, pt);
        expect_reads(b, 1, top, kDram + 0x4000, 0, 3);
        expect_aborts(b, 1, bad, {evt::F_TRANSLATION, S2, kIn, bad & kIpaField}, 0, 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Invalid descriptors, address size, access flag (fact sheet §2 check order, §4)

TEST(SmmuWalk, InvalidDescriptorAtEachLevel) {
    with_bench([&](SmmuBench& b) {
        PageTables s1pt = b.tables(12, 48, 0), s2pt = b.tables(12, 40, 1);
        s1_stream(b, 1, s1pt);
        s2_stream(b, 2, s2pt);
        for (int level = 0; level <= 3; ++level) {
            const uint64_t va = (uint64_t(level + 1) << 39) | 0x5000;  // its own level-0 entry
            s1pt.map(va, kDram + 0x5000, 0x1000, 3, s1::RW);
            s1pt.set_descriptor(va, level, s1pt.descriptor(va, level) & ~1ull);  // only V cleared
            expect_aborts(b, 1, va, {evt::F_TRANSLATION, S1, kIn}, level + 1);
            if (level == 0) continue;                                // stage 2 starts at level 1
            const uint64_t ipa = (uint64_t(level) << 30) | 0x5000;  // its own level-1 entry
            s2pt.map(ipa, kDram + 0x5000, 0x1000, 3, s2::RW);
            s2pt.set_descriptor(ipa, level, s2pt.descriptor(ipa, level) & ~1ull);
            expect_aborts(b, 2, ipa, {evt::F_TRANSLATION, S2, kIn, ipa & kIpaField}, 0, level);
        }
    });
}

TEST(SmmuWalk, Stage1AddressSizeBeyondIps) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        const uint64_t ok = 0x1000, leaf = 0x10000000, table = 0x8000000000ull;
        pt.map(ok, kDram + 0x6000, 0x1000, 3, s1::RW);
        pt.map(leaf, 1ull << 40, 0x1000, 3, s1::RW);  // page output address 2^40
        pt.map(table, kDram + 0x6000, 0x1000, 3, s1::RW);
        pt.set_descriptor(table, 1, pte::table(1ull << 40));  // level-2 table at 2^40
        s1_stream(b, 1, pt, [](Cd& cd) { cd.set<Cd::IPS>(2); });  // 40 bits
        expect_reads(b, 1, ok, kDram + 0x6000, 4);
        expect_aborts(b, 1, leaf, {evt::F_ADDR_SIZE, S1, kIn}, 4);
        expect_aborts(b, 1, table, {evt::F_ADDR_SIZE, S1, kIn}, 2);
    });
}

TEST(SmmuWalk, Stage2AddressSizeBeyondS2ps) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 40, 1);
        const uint64_t ok = 0x1000, leaf = 0x1000000000ull, table = 0x2000000000ull;
        pt.map(ok, kDram + 0x7000, 0x1000, 3, s2::RW);
        pt.map(leaf, 1ull << 40, 0x1000, 3, s2::RW);
        pt.map(table, kDram + 0x7000, 0x1000, 3, s2::RW);
        pt.set_descriptor(table, 1, pte::table(1ull << 40));
        s2_stream(b, 1, pt, [](Ste& s) { s.set<Ste::S2PS>(2); });  // 40 bits
        expect_reads(b, 1, ok, kDram + 0x7000, 0, 3);
        expect_aborts(b, 1, leaf, {evt::F_ADDR_SIZE, S2, kIn, leaf & kIpaField}, 0, 3);
        expect_aborts(b, 1, table, {evt::F_ADDR_SIZE, S2, kIn, table & kIpaField}, 0, 1);
    });
}

TEST(SmmuWalk, Stage1AccessFlagAndAffd) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x8000, kDram + 0x8000, 0x1000, 3, s1::RW & ~s1::AF);
        s1_stream(b, 1, pt);
        s1_stream(b, 2, pt, [](Cd& cd) { cd.set<Cd::AFFD>(1); });
        expect_aborts(b, 1, 0x8000, {evt::F_ACCESS, S1, kIn}, 4);
        expect_reads(b, 2, 0x8000, kDram + 0x8000, 4);
    });
}

TEST(SmmuWalk, Stage2AccessFlagAndS2affd) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 40, 1);
        pt.map(0x9000, kDram + 0x9000, 0x1000, 3, s2::RW & ~s2::AF);
        s2_stream(b, 1, pt);
        s2_stream(b, 2, pt, [](Ste& s) { s.set<Ste::S2AFFD>(1); });
        expect_aborts(b, 1, 0x9000, {evt::F_ACCESS, S2, kIn, 0x9000}, 0, 3);
        expect_reads(b, 2, 0x9000, kDram + 0x9000, 0, 3);
    });
}

// ---------------------------------------------------------------------------------------------
// Permissions (fact sheet §2 stage 1, §3 stage 2). Every case is one access by its own stream to
// one page mapped with `leaf`; it passes (data moved) or faults with F_PERMISSION.

TEST(SmmuWalk, Stage2PtwFaultsS1WalkToDevice) {
    with_bench([&](SmmuBench& b) {
        const uint64_t va = kNestVa;
        uint64_t l2_desc[3];
        for (uint32_t sid : {1u, 2u}) {  // S2PTW = 1, and a control with S2PTW = 0
            auto ptw = [sid](Ste& s, Cd&) { s.set<Ste::S2PTW>(sid == 1); };
            Nested n = nested_stream(b, sid, va, kNestIpa, kNestPa, ptw);
            l2_desc[sid] = n.s1.descriptor_address(va, 2);  // the page of the level-2 table: Device
            n.s2.map(l2_desc[sid] & kPage, l2_desc[sid] & kPage, 0x1000, 3,
                     s2::AF | s2::ISH | s2::R | s2::W | s2::DEVICE);
        }
        Reads n;
        EXPECT_EQ(access(b, 1, va).status, kAbort);
        n.expect(2, 3 * 4);  // S1 levels 0 and 1; S2: the CD and three S1 descriptor IPAs
        EventRecord e;
        expect_event(b, 1, va, {evt::F_PERMISSION, S2, kTt, l2_desc[1] & kIpaField}, kRead, &e);
        EXPECT_EQ(e.get<EventRecord::TTRnW>(), 1u);  // the table access was a read
        expect_reads(b, 2, va, kNestPa);
    });
}

// ---------------------------------------------------------------------------------------------
// External aborts on descriptor reads (fact sheet §5 F_WALK_EABT)

TEST(SmmuWalk, Stage1WalkExternalAbort) {
    with_bench([&](SmmuBench& b) {
        const uint64_t va = 0x40603000;  // level-2 index 3
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, kDram + 0xC000, 0x1000, 3, s1::RW);
        pt.set_descriptor(va, 1, pte::table(kHole));
        // A=0 (RAZ/WI) does not apply: only F_TRANSLATION..F_PERMISSION obey it (reference §6.2).
        s1_stream(b, 1, pt, [](Cd& cd) { cd.set<Cd::A>(0); });
        expect_aborts(b, 1, va, {evt::F_WALK_EABT, S1, kTt, kHole + 3 * 8}, 3);  // the failing read counts
    });
}

TEST(SmmuWalk, Stage2WalkExternalAbort) {
    with_bench([&](SmmuBench& b) {
        const uint64_t ipa = 0x8040603000ull;  // level-2 index 3
        PageTables pt = b.tables(12, 40, 1);
        pt.map(ipa, kDram + 0xC000, 0x1000, 3, s2::RW);
        pt.set_descriptor(ipa, 1, pte::table(kHole));
        s2_stream(b, 1, pt);
        expect_aborts(b, 1, ipa, {evt::F_WALK_EABT, S2, kIn, kHole + 3 * 8}, 0, 2);
    });
}

// ---------------------------------------------------------------------------------------------
// Terminate model of walk faults (fact sheet §3 last line, reference §6.1-6.2)

TEST(SmmuWalk, Stage2FaultsAbortAndAreRecordedPerS2r) {
    with_bench([&](SmmuBench& b) {
        const uint64_t va = 0x10000, ipa = 0x5500000000ull;
        for (uint32_t sid : {1u, 2u}) {  // the CD says RAZ/WI (A=0); sid 2 has S2R=0
            nested_stream(b, sid, va, ipa, std::nullopt, [sid](Ste& s, Cd& cd) {
                cd.set<Cd::A>(0);
                s.set<Ste::S2R>(sid == 1);
            });
        }
        // A=0 does apply to stage-1 faults: an unmapped VA reads as zero.
        DmaResult raz = access(b, 1, va + 0x1000);
        EXPECT_EQ(raz.status, kOk);
        EXPECT_EQ(value(raz), 0u);
        expect_event(b, 1, va + 0x1000, {evt::F_TRANSLATION, S1, kIn});
        // Stage-2 faults (the IPA is not mapped) abort whatever A says; sid 2's is not recorded.
        EXPECT_EQ(access(b, 2, va).status, kAbort);
        expect_aborts(b, 1, va, {evt::F_TRANSLATION, S2, kIn, ipa & kIpaField}, 4);
        EXPECT_EQ(stat("smmu.tcu.faults"), 3u);
        EXPECT_EQ(stat("smmu.tcu.events_recorded"), 2u);
    });
}

TEST(SmmuWalk, Stage1FaultNotRecordedWithCdR0) {
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(0x1000, kDram + 0xD000, 0x1000, 3, s1::RW);
        s1_stream(b, 1, pt, [](Cd& cd) { cd.set<Cd::R>(0); });
        s1_stream(b, 2, pt, [](Cd& cd) { cd.set<Cd::A>(0); });
        EXPECT_EQ(access(b, 1, 0x2000).status, kAbort);  // A=1: abort, R=0: no record
        DmaResult raz = access(b, 2, 0x2000);            // A=0: RAZ, R=1: recorded
        EXPECT_EQ(raz.status, kOk);
        EXPECT_EQ(value(raz), 0u);
        expect_event(b, 2, 0x2000, {evt::F_TRANSLATION, S1, kIn});
        EXPECT_EQ(stat("smmu.tcu.faults"), 2u);
        EXPECT_EQ(stat("smmu.tcu.events_recorded"), 1u);
    });
}

// ---------------------------------------------------------------------------------------------
// Nested walks (fact sheet §4-5): S1 4K IA 48 from L0 over S2 4K IPA 40 from L1. Stage-2 reads:
// 3 (levels 1-3) for the CD IPA, for each of the 4 S1 descriptor IPAs, and for the final IPA.

TEST(SmmuWalk, NestedTranslatesAndCountsReads) {
    with_bench([&](SmmuBench& b) {
        nested_stream(b, 1, kNestVa, kNestIpa, kNestPa);
        expect_reads(b, 1, kNestVa + 0x28, kNestPa + 0x28, 4, 3 + 4 * 3 + 3);
    });
}

TEST(SmmuWalk, NestedS2FaultOnS1TableWalk) {
    with_bench([&](SmmuBench& b) {
        Nested n = nested_stream(b, 1, kNestVa, kNestIpa, kNestPa);
        const uint64_t l2_desc = n.s1.descriptor_address(kNestVa, 2);
        n.s2.set_descriptor(l2_desc & kPage, 3, 0);  // the level-2 S1 table leaves S2
        // S1 reads levels 0 and 1; S2 walks the CD, those two, and the failing one.
        expect_aborts(b, 1, kNestVa, {evt::F_TRANSLATION, S2, kTt, l2_desc & kIpaField}, 2, 3 + 3 * 3);
    });
}

TEST(SmmuWalk, NestedS1WalkExternalAbortReportsThePa) {
    with_bench([&](SmmuBench& b) {
        Nested n = nested_stream(b, 1, kNestVa, kNestIpa, kNestPa);
        const uint64_t l2_desc = n.s1.descriptor_address(kNestVa, 2);
        // Stage 2 sends the page of the level-2 S1 table into the hole: its read aborts.
        n.s2.set_descriptor(l2_desc & kPage, 3, kHole | s2::RW | 3);
        const uint64_t fetch = kHole | (l2_desc & 0xFFF);  // the PA that was read, not the IPA
        expect_aborts(b, 1, kNestVa, {evt::F_WALK_EABT, S1, kTt, fetch}, 3, 3 + 3 * 3);
    });
}

TEST(SmmuWalk, NestedS2FaultOnFinalIpa) {
    with_bench([&](SmmuBench& b) {
        Nested n = nested_stream(b, 1, kNestVa, kNestIpa, kNestPa);
        n.s2.set_descriptor(kNestIpa, 3, 0);
        expect_aborts(b, 1, kNestVa + 0x28, {evt::F_TRANSLATION, S2, kIn, kNestIpa & kIpaField}, 4, 3 + 4 * 3 + 3);
    });
}

TEST(SmmuWalk, NestedS1OutputBeyondS2InputRange) {
    with_bench([&](SmmuBench& b) {
        const uint64_t ipa = 1ull << 40;  // inside IPS (48 bits), outside S2T0SZ (40 bits)
        nested_stream(b, 1, kNestVa, ipa, std::nullopt);
        // No stage-2 read for the final IPA.
        expect_aborts(b, 1, kNestVa, {evt::F_TRANSLATION, S2, kIn, ipa & kIpaField}, 4, 3 + 4 * 3);
    });
}
