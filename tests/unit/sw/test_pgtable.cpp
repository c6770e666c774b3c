// The io-pgtable builder (sw/pgtable): geometry and the CD / STE fields it exports (reference
// §8.4-8.5), map() with the largest leaf sizes, leaf attributes at both stages (§8.2-8.3),
// refusals, iova_to_phys and the cost model. Every mapping is checked with the SMMU model's
// own walker reading the tables from memory. Unmap, splitting and freeing:
// test_pgtable_unmap.cpp.

#include "tests/unit/sw/pgtable_bench.h"

#include "models/smmu/arch/events.h"

using namespace pgtable_test;

// ---------------------------------------------------------------------------------------------
// Geometry

TEST(PgtableGeometry, Stage1StartLevelAndFields) {
    struct Case { unsigned g, ias; int start; uint64_t entries, tg; };
    const Case cases[] = {{12, 30, 2, 512, 0},  {12, 32, 1, 4, 0},    {12, 39, 1, 512, 0}, {12, 40, 0, 2, 0},
                          {12, 48, 0, 512, 0},  {14, 25, 3, 2048, 2}, {14, 36, 2, 2048, 2}, {14, 47, 1, 2048, 2},
                          {14, 48, 0, 2, 2},    {16, 29, 3, 8192, 1}, {16, 42, 2, 8192, 1}, {16, 48, 1, 64, 1}};
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "granule " << c.g << " ias " << c.ias);
        Bench b(Bench::s1(c.g, c.ias, 40));
        const Geometry& geo = b.pt->geometry();
        EXPECT_EQ(geo.start_level, c.start);
        EXPECT_EQ(geo.root_entries, c.entries);
        EXPECT_EQ(geo.concat_tables, 1u);
        EXPECT_EQ(geo.tsz, 64u - c.ias);
        EXPECT_EQ(geo.tg, c.tg);
        EXPECT_EQ(geo.ps, 2u);  // 40 bits
        EXPECT_EQ(geo.sh, 3u);  // inner shareable
        // Linux's MAIR: 0 NC (0x44), 1 WB RWA (0xFF), 2 Device-nGnRE (0x04), 3 INC/OWB (0xF4).
        EXPECT_EQ(geo.mair, 0xF404FF44ull);
        EXPECT_EQ(b.pt->root() % std::max<uint64_t>(geo.root_bytes, 4096), 0u);
        EXPECT_EQ(b.pt->tables_in_use(), 1u);
    }
    EXPECT_EQ(Bench(Bench::s1(12, 48, 48)).pt->geometry().ps, 5u);
    EXPECT_EQ(Bench(Bench::s1(12, 48, 32)).pt->geometry().ps, 0u);
    EXPECT_EQ(Bench(Bench::s1(12, 48, 44)).pt->geometry().ps, 4u);
}

// Linux up to 6.13: a level-0 start with at most 16 entries becomes level 1 with that many
// concatenated tables. SL0 per §8.5; the model's decoder (arch::s2_start) must agree.
TEST(PgtableGeometry, Stage2ConcatenationAsLinux) {
    struct Case { unsigned g, ias; int start; unsigned tables; uint64_t entries, sl0; };
    const Case cases[] = {
        {12, 30, 2, 1, 512, 0},   {12, 32, 1, 1, 4, 1},     {12, 39, 1, 1, 512, 1},  {12, 40, 1, 2, 1024, 1},
        {12, 42, 1, 8, 4096, 1},  {12, 43, 1, 16, 8192, 1}, {12, 44, 0, 1, 32, 2},   {12, 48, 0, 1, 512, 2},
        {14, 25, 3, 1, 2048, 0},  {14, 36, 2, 1, 2048, 1},  {14, 47, 1, 1, 2048, 2}, {14, 48, 1, 2, 4096, 2},
        {16, 29, 3, 1, 8192, 0},  {16, 42, 2, 1, 8192, 1},  {16, 48, 1, 1, 64, 2},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "granule " << c.g << " ias " << c.ias);
        Bench b(Bench::s2(c.g, c.ias));
        const Geometry& geo = b.pt->geometry();
        EXPECT_EQ(geo.start_level, c.start);
        EXPECT_EQ(geo.concat_tables, c.tables);
        EXPECT_EQ(geo.root_entries, c.entries);
        EXPECT_EQ(geo.sl0, c.sl0);
        EXPECT_EQ(geo.tsz, 64u - c.ias);
        std::optional<arch::S2Start> hw = arch::s2_start(arch::Granule{c.g}, geo.sl0, c.ias, false);
        ASSERT_TRUE(hw.has_value());
        EXPECT_EQ(hw->level, c.start);
        EXPECT_EQ(hw->tables, c.tables);
        EXPECT_EQ(hw->entries, c.entries);
        // Concatenated tables are contiguous and aligned to their total size (§8.5).
        const uint64_t bytes = std::max<uint64_t>(c.entries * 8, 4096);
        EXPECT_EQ(b.pt->table_bytes(), bytes);
        EXPECT_EQ(b.pt->root() % bytes, 0u);
        // The top of the IPA space goes through the last concatenated table.
        const uint64_t top = (1ull << c.ias) - (1ull << c.g);
        ASSERT_TRUE(b.pt->map(top, 0x40000000, 1ull << c.g, Prot::rw()).ok());
        b.expect_translates(top + 8, 0x40000008, 3);
    }
}

// Linux 6.14 on: concatenate only where the architecture requires it.
TEST(PgtableGeometry, Stage2ConcatenationOnlyWhereMandatory) {
    struct Case { unsigned g, ias, oas; int start; unsigned tables; uint64_t entries; };
    const Case cases[] = {{12, 40, 48, 0, 1, 2},    {12, 40, 40, 1, 2, 1024},    {12, 42, 42, 1, 8, 4096},
                          {14, 48, 48, 1, 2, 4096}, {14, 40, 40, 2, 16, 32768}, {14, 40, 48, 1, 1, 16}};
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "granule " << c.g << " ias " << c.ias << " oas " << c.oas);
        Format f = Bench::s2(c.g, c.ias, c.oas);
        f.concat = S2Concat::ArchMandatory;
        Bench b(f);
        const Geometry& geo = b.pt->geometry();
        EXPECT_EQ(geo.start_level, c.start);
        EXPECT_EQ(geo.concat_tables, c.tables);
        EXPECT_EQ(geo.root_entries, c.entries);
        std::optional<arch::S2Start> hw = arch::s2_start(arch::Granule{c.g}, geo.sl0, c.ias, false);
        ASSERT_TRUE(hw.has_value());
        EXPECT_EQ(hw->level, c.start);
        EXPECT_EQ(hw->tables, c.tables);
    }
    // Mandatory but more than 16 tables: refused, as Linux does.
    for (auto [g, ias, oas] : {std::tuple{14u, 44u, 40u}, std::tuple{12u, 48u, 40u}}) {
        Format f = Bench::s2(g, ias, oas);
        f.concat = S2Concat::ArchMandatory;
        EXPECT_THROW(make_geometry(f), std::invalid_argument) << g << " " << ias << " " << oas;
    }
}

TEST(PgtableGeometry, BadFormatsRejected) {
    EXPECT_THROW(make_geometry({Stage::S1, 13, 48, 48}), std::invalid_argument);
    EXPECT_THROW(make_geometry({Stage::S1, 12, 24, 48}), std::invalid_argument);
    EXPECT_THROW(make_geometry({Stage::S1, 12, 49, 48}), std::invalid_argument);
    EXPECT_THROW(make_geometry({Stage::S2, 12, 40, 41}), std::invalid_argument);
    EXPECT_THROW(make_geometry({Stage::S2, 12, 40, 52}), std::invalid_argument);
    EXPECT_NO_THROW(make_geometry({Stage::S2, 16, 25, 32}));
}

TEST(PgtableGeometry, LeafSizesPerGranule) {
    EXPECT_EQ(make_geometry(Bench::s1(12, 48)).pgsize_bitmap, K4 | M2 | G1);
    EXPECT_EQ(make_geometry(Bench::s1(14, 48)).pgsize_bitmap, 0x4000ull | 0x2000000ull);
    EXPECT_EQ(make_geometry(Bench::s1(16, 48)).pgsize_bitmap, 0x10000ull | 0x20000000ull);
    EXPECT_EQ(make_geometry(Bench::s1(12, 30)).pgsize_bitmap, K4 | M2);  // no level 1 below a level-2 start
    EXPECT_EQ(best_pgsize(K4 | M2 | G1, 0x200000, 0x400000), M2);
    EXPECT_EQ(best_pgsize(K4 | M2 | G1, 0x201000, 0x400000), K4);
    EXPECT_EQ(best_pgsize(K4 | M2 | G1, 0, 0x1FF000), K4);
    EXPECT_EQ(best_pgsize(K4 | M2 | G1, 0, 0x800), 0u);
}

// ---------------------------------------------------------------------------------------------
// map

// A page with an index bit set at every level, and the largest block below the start level,
// for every granule at both stages (4K and 16K stage 2 with concatenated roots).
TEST(PgtableMap, EveryGranuleAndStage) {
    for (Stage st : {Stage::S1, Stage::S2}) {
        for (unsigned gs : {12u, 14u, 16u}) {
            SCOPED_TRACE(testing::Message() << name(st) << " granule " << gs);
            const unsigned ias = st == Stage::S2 && gs == 12 ? 40 : 48;
            Bench b({st, gs, ias, 48});
            const arch::Granule g{gs};
            const uint64_t page = g.bytes();
            const uint64_t va = (1ull << (ias - 1)) | g.level_size(0) | g.level_size(1) | g.level_size(2) | (3 * page);
            const uint64_t va_page = va & ((1ull << ias) - 1);
            const uint64_t pa = 0x123400000000ull + 5 * page;
            Result r = b.pt->map(va_page, pa, page, Prot::rw());
            ASSERT_TRUE(r.ok()) << error_name(r.error);
            EXPECT_EQ(r.bytes, page);
            b.expect_translates(va_page + page - 8, pa + page - 8, 3);
            // Tables: one per level below the start.
            EXPECT_EQ(r.stats.tables_allocated, uint64_t(3 - b.pt->geometry().start_level));
            EXPECT_EQ(r.stats.pte_writes, uint64_t(4 - b.pt->geometry().start_level));

            const uint64_t blk = g.level_size(2);
            const uint64_t bva = 7 * blk, bpa = 0x200000000000ull + 3 * blk;
            ASSERT_TRUE(b.pt->map(bva, bpa, blk, Prot::rw()).ok());
            b.expect_translates(bva + blk / 2 + 24, bpa + blk / 2 + 24, 2);
            if (gs == 12) {
                ASSERT_TRUE(b.pt->map(3 * G1, 5 * G1, G1, Prot::rw()).ok());
                b.expect_translates(3 * G1 + 0x12345678, 5 * G1 + 0x12345678, 1);
            }
            EXPECT_TRUE(b.pt->mirror_matches_memory());
        }
    }
}

TEST(PgtableMap, AlignedRangeUsesTwoL2Blocks) {
    Bench b(Bench::s1());
    const uint64_t iova = 0x40200000, pa = 0x90200000;
    Result r = b.pt->map(iova, pa, 2 * M2, Prot::rw());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.bytes, 2 * M2);
    EXPECT_EQ(r.stats.tables_allocated, 2u);  // L1, L2
    EXPECT_EQ(r.stats.pte_writes, 4u);        // two table descriptors, two blocks
    EXPECT_EQ(r.stats.bytes_zeroed, 2 * K4);
    b.expect_translates(iova, pa, 2);
    b.expect_translates(iova + M2 + 0x1234, pa + M2 + 0x1234, 2);
    EXPECT_FALSE(b.pt->iova_to_phys(iova + 2 * M2));
}

TEST(PgtableMap, MisalignedPaUsesPages) {
    Bench b(Bench::s1());
    const uint64_t iova = 0x40200000, pa = 0x90201000;  // pa only 4K-aligned
    Result r = b.pt->map(iova, pa, 2 * M2, Prot::rw());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.stats.tables_allocated, 4u);       // L1, L2, two L3
    EXPECT_EQ(r.stats.pte_writes, 2u + 2u + 1024u);  // L0, L1 entries; two L2 table entries; pages
    // One walk per page table, then one read per page (Linux map_pages): 2 x (3 + 512).
    EXPECT_EQ(r.stats.pte_reads, 2u * (3u + 512u));
    b.expect_translates(iova, pa, 3);
    b.expect_translates(iova + 2 * M2 - 8, pa + 2 * M2 - 8, 3);
}

TEST(PgtableMap, GigabyteBlocksThenSmaller) {
    Bench b(Bench::s1());
    // 2 GiB + 2 MiB + 4 KiB from a 1 GiB-aligned address: two L1 blocks, an L2 block, a page.
    const uint64_t iova = 4 * G1, pa = 9 * G1;
    Result r = b.pt->map(iova, pa, 2 * G1 + M2 + K4, Prot::rw());
    ASSERT_TRUE(r.ok());
    b.expect_translates(iova + 0x3FFFFFF8, pa + 0x3FFFFFF8, 1);
    b.expect_translates(iova + G1 + 0x10, pa + G1 + 0x10, 1);
    b.expect_translates(iova + 2 * G1 + 0x100000, pa + 2 * G1 + 0x100000, 2);
    b.expect_translates(iova + 2 * G1 + M2, pa + 2 * G1 + M2, 3);
    EXPECT_EQ(r.stats.tables_allocated, 3u);  // L1, L2, L3
    // A range that starts and ends off the block alignment: page, block, page.
    r = b.pt->map(0x1FF000, 0x7F1FF000, M2 + 2 * K4, Prot::r());
    ASSERT_TRUE(r.ok());
    b.expect_translates(0x1FF000, 0x7F1FF000, 3);
    b.expect_translates(0x200000, 0x7F200000, 2);
    b.expect_translates(0x400000, 0x7F400000, 3);
}

TEST(PgtableMap, LargeBlocksOf16KAnd64K) {
    Bench b16(Bench::s2(14, 48));
    ASSERT_TRUE(b16.pt->map(0x6000000, 0x86000000, 0x2000000 + 0x4000, Prot::rw()).ok());
    b16.expect_translates(0x6000000 + 0x1234, 0x86001234, 2);  // 32 MiB
    b16.expect_translates(0x8000000, 0x88000000, 3);            // then a 16K page
    Bench b64(Bench::s1(16, 48));
    ASSERT_TRUE(b64.pt->map(0x20000000, 0x60000000, 0x20000000, Prot::rw()).ok());
    b64.expect_translates(0x3FFFFFF0, 0x7FFFFFF0, 2);  // 512 MiB
}

// The contiguous hint (reference §8.6) goes on the leaves of each run the map covers whole, with
// the output as aligned as the input; the SMMU's walker then reports the run as the span.
TEST(PgtableMap, ContiguousHintOnWholeAlignedRunsOnly) {
    constexpr uint64_t K64 = 0x10000;
    Prot p = Prot::rw();
    p.contiguous = true;
    {
        Bench b(Bench::s1());
        // A page before a 64 KiB boundary, two whole 16-page runs, a page after.
        const uint64_t iova = 0x4000F000, pa = 0x9000F000, size = K4 + 2 * K64 + K4;
        ASSERT_TRUE(b.pt->map(iova, pa, size, p).ok());
        for (uint64_t off : {uint64_t(0), size - K4}) {
            const ModelWalk m = b.walk(iova + off);
            ASSERT_TRUE(m.ok);
            EXPECT_EQ(m.span, K4) << "a page of a partly mapped run has no hint, offset 0x" << std::hex << off;
            EXPECT_FALSE(arch::get<arch::pte::Contiguous>(m.desc));
        }
        for (uint64_t off = K4; off < size - K4; off += K4) {
            const ModelWalk m = b.walk(iova + off + 8);
            ASSERT_TRUE(m.ok);
            EXPECT_EQ(m.oa, pa + off + 8);
            EXPECT_EQ(m.leaf_size, K4);
            EXPECT_EQ(m.span, K64) << "offset 0x" << std::hex << off;
        }
    }
    {
        Bench b(Bench::s1());  // output one page off the run alignment: no run fits
        ASSERT_TRUE(b.pt->map(0x40000000, 0x90001000, 4 * K64, p).ok());
        for (uint64_t off = 0; off < 4 * K64; off += K4) EXPECT_EQ(b.walk(0x40000000 + off).span, K4);
    }
    {
        Bench b(Bench::s1());  // not asked for: no hint
        ASSERT_TRUE(b.pt->map(0x40000000, 0x90000000, 4 * K64, Prot::rw()).ok());
        EXPECT_EQ(b.walk(0x40000000).span, K4);
    }
    {
        Bench b(Bench::s2(14, 40));  // 16K: runs of 128 pages (2 MiB), stage 2 as well
        ASSERT_TRUE(b.pt->map(0x40200000, 0x90200000, 2 * M2, p).ok());
        const ModelWalk m = b.walk(0x40200000 + M2 + 0x4008);
        ASSERT_TRUE(m.ok);
        EXPECT_EQ(m.leaf_size, 0x4000u);
        EXPECT_EQ(m.span, M2);
    }
}

// ---------------------------------------------------------------------------------------------
// Leaf attributes and what the SMMU makes of them

TEST(PgtablePermissions, Stage1Bits) {
    Bench b(Bench::s1());
    auto leaf = [&](uint64_t iova) { return b.pt->lookup(iova)->desc; };
    ASSERT_TRUE(b.pt->map(0x1000, 0x80001000, K4, Prot::rw()).ok());
    ASSERT_TRUE(b.pt->map(0x2000, 0x80002000, K4, Prot::r()).ok());
    ASSERT_TRUE(b.pt->map(0x3000, 0x80003000, K4, Prot::w()).ok());
    Prot priv_noexec = Prot::rw();
    priv_noexec.priv = priv_noexec.noexec = true;
    ASSERT_TRUE(b.pt->map(0x4000, 0x80004000, K4, priv_noexec).ok());
    Prot dev = Prot::rw();
    dev.mem = Memory::Device;
    ASSERT_TRUE(b.pt->map(0x5000, 0x80005000, K4, dev).ok());
    // rw: page, AttrIndx 1, AP 01 (read/write, unprivileged too), SH inner, AF, nG.
    EXPECT_EQ(leaf(0x1000), 0x80001000ull | 3 | (1 << 2) | (1 << 6) | (3 << 8) | (1 << 10) | (1 << 11));
    EXPECT_EQ(arch::get<arch::pte::AP>(leaf(0x2000)), 3u);  // read-only, unprivileged too
    EXPECT_EQ(arch::get<arch::pte::AP>(leaf(0x3000)), 1u);  // stage 1 cannot say write-only
    EXPECT_EQ(arch::get<arch::pte::AP>(leaf(0x4000)), 0u);  // privileged read/write
    EXPECT_EQ(leaf(0x4000) & (3ull << 53), 3ull << 53);     // PXN and UXN
    EXPECT_EQ(arch::get<arch::pte::AttrIndx>(leaf(0x5000)), 2u);
    EXPECT_EQ(arch::get<arch::pte::SH>(leaf(0x5000)), 2u);  // device: outer shareable
    for (uint64_t va = 0x1000; va <= 0x5000; va += K4) {
        EXPECT_EQ(arch::get<arch::pte::AF>(leaf(va)), 1u);
        EXPECT_EQ(arch::get<arch::pte::nG>(leaf(va)), 1u);
    }
}

TEST(PgtablePermissions, Stage1AsTheSmmuChecksThem) {
    Bench b(Bench::s1());
    Prot priv = Prot::rw(), nx = Prot::rw();
    priv.priv = true;
    nx.noexec = true;
    struct Case { uint64_t va; Prot p; bool ur, uw, pr, pw, ux, px; };
    // Writable by unprivileged accesses is never privileged-executable (the walker's rule).
    const Case cases[] = {{0x10000, Prot::r(), true, false, true, false, true, true},
                          {0x20000, Prot::w(), true, true, true, true, true, false},
                          {0x30000, Prot::rw(), true, true, true, true, true, false},
                          {0x40000, priv, false, false, true, true, true, true},
                          {0x50000, nx, true, true, true, true, false, false}};
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "va 0x" << std::hex << c.va);
        ASSERT_TRUE(b.pt->map(c.va, 0x90000000 + c.va, K4, c.p).ok());
        auto allowed = [&](Access a) { return b.walk(c.va, a).ok; };
        EXPECT_EQ(allowed({false, false, false}), c.ur);
        EXPECT_EQ(allowed({true, false, false}), c.uw);
        EXPECT_EQ(allowed({false, true, false}), c.pr);
        EXPECT_EQ(allowed({true, true, false}), c.pw);
        EXPECT_EQ(allowed({false, false, true}), c.ux);
        EXPECT_EQ(allowed({false, true, true}), c.px);
        if (!c.uw) {
            EXPECT_EQ(b.walk(c.va, {true, false, false}).fault, arch::evt::F_PERMISSION);
        }
    }
}

TEST(PgtablePermissions, Stage2BitsAndChecks) {
    Bench b(Bench::s2(12, 40));
    Prot nx = Prot::rw();
    nx.noexec = true;
    struct Case { uint64_t ipa; Prot p; uint64_t s2ap; bool r, w, x; };
    const Case cases[] = {{0x10000, Prot::r(), 1, true, false, true},
                          {0x20000, Prot::w(), 2, false, true, true},  // write-only exists at stage 2
                          {0x30000, Prot::rw(), 3, true, true, true},
                          {0x40000, nx, 3, true, true, false}};
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "ipa 0x" << std::hex << c.ipa);
        ASSERT_TRUE(b.pt->map(c.ipa, 0x90000000 + c.ipa, K4, c.p).ok());
        const uint64_t d = b.pt->lookup(c.ipa)->desc;
        EXPECT_EQ(arch::get<arch::pte::S2AP>(d), c.s2ap);
        EXPECT_EQ(arch::get<arch::pte::MemAttr>(d), 0xFu);  // normal write-back
        EXPECT_EQ(arch::get<arch::pte::SH>(d), 3u);
        EXPECT_EQ(arch::get<arch::pte::AF>(d), 1u);
        EXPECT_EQ(arch::get<arch::pte::XN>(d), c.x ? 0u : 2u);
        EXPECT_EQ(d & (1ull << 11), 0u);  // RES0 at stage 2 (no nG)
        EXPECT_EQ(b.walk(c.ipa, {false, false, false}).ok, c.r);
        EXPECT_EQ(b.walk(c.ipa, {true, false, false}).ok, c.w);
        if (c.r) {  // execute permission, on readable memory
            EXPECT_EQ(b.walk(c.ipa, {false, false, true}).ok, c.x);
            EXPECT_EQ(b.walk(c.ipa, {false, true, true}).ok, c.x);
        }
    }
    Prot dev = Prot::rw();
    dev.mem = Memory::Device;
    ASSERT_TRUE(b.pt->map(0x50000, 0x50000, K4, dev).ok());
    EXPECT_EQ(arch::get<arch::pte::MemAttr>(b.pt->lookup(0x50000)->desc), 1u);
}

TEST(PgtablePermissions, ParseAndNoAccess) {
    EXPECT_TRUE(Prot::parse("r")->read);
    EXPECT_FALSE(Prot::parse("r")->write);
    EXPECT_TRUE(Prot::parse("w")->write);
    EXPECT_TRUE(Prot::parse("rw")->read && Prot::parse("rw")->write);
    EXPECT_FALSE(Prot::parse("x"));
    Bench b(Bench::s1());
    Result r = b.pt->map(0x1000, 0x1000, K4, Prot{});  // neither read nor write: nothing to do
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.bytes, 0u);
    EXPECT_EQ(r.stats.pte_writes, 0u);
    EXPECT_FALSE(b.pt->iova_to_phys(0x1000));
}

// ---------------------------------------------------------------------------------------------
// Refusals leave nothing behind

TEST(PgtableMap, RefusesToOverwrite) {
    Bench b(Bench::s1());
    ASSERT_TRUE(b.pt->map(0x40201000, 0x90001000, K4, Prot::rw()).ok());  // under the 2M at 0x40200000
    ASSERT_TRUE(b.pt->map(0x80000000, 0xA0000000, M2, Prot::rw()).ok());  // a block
    const uint64_t tables = b.pt->tables_in_use();
    b.take_log();
    struct Case { uint64_t iova, pa, size; };
    const Case cases[] = {
        {0x40201000, 0x91001000, K4},          // the same page
        {0x40200000, 0x91200000, M2},          // a block over a table holding a page
        {0x80001000, 0x91001000, K4},          // a page inside a block
        {0x40000000, 0x91000000, G1},          // a 1G block over both
        {0x7FE00000, 0x91000000, 2 * M2},      // free first half, mapped second half
        {0x401FF000, 0x911FF000, 3 * K4},      // free page, then the mapped one
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "iova 0x" << std::hex << c.iova);
        Result r = b.pt->map(c.iova, c.pa, c.size, Prot::rw());
        EXPECT_EQ(r.error, Error::Exists);
        EXPECT_EQ(r.bytes, 0u);
        EXPECT_EQ(r.stats.pte_writes, 0u);
        EXPECT_EQ(r.stats.tables_allocated, 0u);
    }
    EXPECT_TRUE(b.log.empty()) << b.log.size() << " bus writes or TLB calls";
    EXPECT_EQ(b.pt->tables_in_use(), tables);
    EXPECT_FALSE(b.pt->iova_to_phys(0x7FE00000));  // the free half stayed free
    EXPECT_FALSE(b.pt->iova_to_phys(0x401FF000));
    b.expect_translates(0x40201000, 0x90001000, 3);
    b.expect_translates(0x80001000, 0xA0001000, 2);
}

TEST(PgtableMap, OutOfTableMemoryChangesNothing) {
    // Room for the root and one more table: a page at a fresh address needs three.
    Bench b(Bench::s1(), {}, 2 * K4);
    Result r = b.pt->map(0x12345000, 0x80000000, K4, Prot::rw());
    EXPECT_EQ(r.error, Error::NoMemory);
    EXPECT_EQ(r.stats.pte_writes, 0u);
    EXPECT_TRUE(b.log.empty());
    EXPECT_EQ(b.alloc.bytes_in_use(), K4);
    EXPECT_EQ(b.pt->tables_in_use(), 1u);
}

TEST(PgtableMap, MisalignedAndOutOfRangeRejected) {
    Bench b(Bench::s1(12, 39, 40));
    struct Case { uint64_t iova, pa, size; Error e; };
    const Case cases[] = {
        {0x1800, 0x2000, K4, Error::Misaligned},           {0x1000, 0x2800, K4, Error::Misaligned},
        {0x1000, 0x2000, 0x1800, Error::Misaligned},       {0x1000, 0x2000, 0, Error::Misaligned},
        {1ull << 39, 0x2000, K4, Error::OutOfRange},       {(1ull << 39) - K4, 0x2000, 2 * K4, Error::OutOfRange},
        {0x1000, 1ull << 40, K4, Error::OutOfRange},       {0x1000, (1ull << 40) - K4, 2 * K4, Error::OutOfRange},
        {0x1000, 0x2000, ~uint64_t(0xFFF), Error::OutOfRange},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << std::hex << c.iova << " " << c.pa << " " << c.size);
        Result r = b.pt->map(c.iova, c.pa, c.size, Prot::rw());
        EXPECT_EQ(r.error, c.e) << error_name(r.error);
        EXPECT_EQ(r.stats.pte_writes, 0u);
    }
    EXPECT_TRUE(b.log.empty());
    EXPECT_TRUE(b.pt->map((1ull << 39) - K4, (1ull << 40) - K4, K4, Prot::rw()).ok());  // the last page fits
    b.expect_translates((1ull << 39) - 8, (1ull << 40) - 8, 3);
}

// ---------------------------------------------------------------------------------------------
// Lookups and cost

TEST(PgtableLookup, IovaToPhys) {
    Bench b(Bench::s2(16, 48));
    ASSERT_TRUE(b.pt->map(0x20000000, 0x40000000, 0x20000000, Prot::rw()).ok());
    ASSERT_TRUE(b.pt->map(0x50000, 0x70000, 0x10000, Prot::rw()).ok());
    EXPECT_EQ(b.pt->iova_to_phys(0x2ABCDEF8), std::optional<uint64_t>(0x4ABCDEF8));
    EXPECT_EQ(b.pt->iova_to_phys(0x5FFFF), std::optional<uint64_t>(0x7FFFF));
    std::optional<Leaf> l = b.pt->lookup(0x2ABCDEF8);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->level, 2);
    EXPECT_EQ(l->size, 0x20000000u);
    EXPECT_FALSE(b.pt->iova_to_phys(0x60000));
    EXPECT_FALSE(b.pt->iova_to_phys(0x40000000));
    EXPECT_FALSE(b.pt->iova_to_phys(1ull << 48));  // outside the input range
}

// Descriptor reads come from the CPU's cache (the mirror) at a configured cost; every write
// and every table clear goes through the bus.
TEST(PgtableCost, ReadsFromMirrorWritesThroughBus) {
    IoPgtable::Config cfg;
    cfg.pte_read_cycles = 7;
    Bench b(Bench::s1(12, 48), cfg);
    const uint64_t t0 = b.bus.now(), w0 = b.bus.writes(), r0 = b.bus.reads();
    Result r = b.pt->map(0x7F0000001000, 0x80001000, K4, Prot::rw());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.stats.pte_reads, 4u);  // one per level
    EXPECT_EQ(b.bus.now() - t0, 4u * 7u);
    EXPECT_EQ(r.stats.pte_writes, 4u);
    EXPECT_EQ(r.stats.bytes_zeroed, 3 * K4);
    EXPECT_EQ(b.bus.writes() - w0, 4u + 3 * K4 / 64);  // stores + one write per cleared line
    EXPECT_EQ(b.bus.reads(), r0);                     // nothing read back from memory
    const uint64_t t1 = b.bus.now();
    EXPECT_TRUE(b.pt->iova_to_phys(0x7F0000001000));
    EXPECT_EQ(b.bus.now() - t1, 4u * 7u);
    EXPECT_EQ(b.pt->totals().pte_reads, 8u);
    EXPECT_TRUE(b.pt->mirror_matches_memory());
}
