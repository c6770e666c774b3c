// The io-pgtable builder's unmap side: bytes unmapped, add_page per leaf, flush_walk before a
// table is freed, block splitting with and without break-before-make (reference §9.3), empty
// table reclaim, destroy. The order of descriptor stores and TLB callbacks is read from one log.

#include "tests/unit/sw/pgtable_bench.h"

#include "models/smmu/arch/events.h"

using namespace pgtable_test;

namespace {

// The last descriptor store in `log` (the leaf a map just wrote).
uint64_t last_store(const std::vector<Event>& log) {
    for (auto it = log.rbegin(); it != log.rend(); ++it)
        if (it->kind == Event::Store) return it->a;
    ADD_FAILURE() << "no store";
    return 0;
}

size_t count(const std::vector<Event>& log, Event::Kind k) {
    size_t n = 0;
    for (const Event& e : log) n += e.kind == k;
    return n;
}

}  // namespace

TEST(PgtableUnmap, ReturnsBytesAndGathersEachLeaf) {
    Bench b(Bench::s1());
    const uint64_t iova = 0x40200000;
    ASSERT_TRUE(b.pt->map(iova, 0x90200000, 2 * M2, Prot::rw()).ok());
    const uint64_t slot = last_store(b.take_log()) - 8;  // the first of the two blocks
    Gather g;
    Result r = b.pt->unmap(iova, 2 * M2, g);
    ASSERT_TRUE(r.ok()) << error_name(r.error);
    EXPECT_EQ(r.bytes, 2 * M2);
    const std::vector<Event> want = {{Event::Store, slot, 0},           {Event::AddPage, iova, M2},
                                     {Event::Store, slot + 8, 0},       {Event::AddPage, iova + M2, M2}};
    EXPECT_EQ(b.take_log(), want);
    EXPECT_EQ(g.start, iova);
    EXPECT_EQ(g.end, iova + 2 * M2);
    EXPECT_EQ(r.stats.add_pages, 2u);
    EXPECT_EQ(r.stats.tables_freed, 0u);  // Linux keeps the tables
    EXPECT_EQ(b.walk(iova).fault, arch::evt::F_TRANSLATION);
    EXPECT_EQ(b.walk(iova + M2).fault, arch::evt::F_TRANSLATION);

    // Four pages: four add_page calls of the page size.
    ASSERT_TRUE(b.pt->map(0x10000, 0x20000, 4 * K4, Prot::r()).ok());
    b.take_log();
    Gather g2;
    r = b.pt->unmap(0x10000, 4 * K4, g2);
    EXPECT_EQ(r.bytes, 4 * K4);
    std::vector<Event> adds;
    for (const Event& e : b.take_log())
        if (e.kind == Event::AddPage) adds.push_back(e);
    const std::vector<Event> want_adds = {{Event::AddPage, 0x10000, K4}, {Event::AddPage, 0x11000, K4},
                                          {Event::AddPage, 0x12000, K4}, {Event::AddPage, 0x13000, K4}};
    EXPECT_EQ(adds, want_adds);
    EXPECT_EQ(g2.pgsize, K4);
    EXPECT_EQ(g2.pages, 4u);
    EXPECT_EQ(r.stats.pte_reads, 4u + 3u);  // one walk, then the other three pages of that table
}

TEST(PgtableUnmap, StopsAtHolesAndRejectsBadArguments) {
    Bench b(Bench::s1(12, 39));
    ASSERT_TRUE(b.pt->map(0x1000, 0x81000, K4, Prot::rw()).ok());
    ASSERT_TRUE(b.pt->map(0x3000, 0x83000, K4, Prot::rw()).ok());
    Gather g;
    Result r = b.pt->unmap(0x1000, 3 * K4, g);  // hole at 0x2000
    EXPECT_EQ(r.error, Error::NotMapped);
    EXPECT_EQ(r.bytes, K4);
    EXPECT_FALSE(b.pt->iova_to_phys(0x1000));
    EXPECT_EQ(b.pt->iova_to_phys(0x3000), std::optional<uint64_t>(0x83000));  // after the hole: kept
    b.take_log();
    struct Case { uint64_t iova, size; Error e; };
    const Case cases[] = {{0x2000, K4, Error::NotMapped},         // table there, entry empty
                          {0x40000000, K4, Error::NotMapped},     // no table at all
                          {0x3800, K4, Error::Misaligned},        {0x3000, 0x800, Error::Misaligned},
                          {0x3000, 0, Error::Misaligned},         {1ull << 39, K4, Error::OutOfRange},
                          {(1ull << 39) - K4, 2 * K4, Error::OutOfRange}};
    for (const Case& c : cases) {
        r = b.pt->unmap(c.iova, c.size, g);
        EXPECT_EQ(r.error, c.e) << std::hex << c.iova << " " << c.size;
        EXPECT_EQ(r.bytes, 0u);
    }
    EXPECT_TRUE(b.log.empty());
    EXPECT_EQ(b.pt->iova_to_phys(0x3000), std::optional<uint64_t>(0x83000));
}

// A table where the leaf being unmapped would sit goes whole: invalid first, flush_walk (the
// user invalidates walk caches and syncs), and only then is its memory freed.
TEST(PgtableUnmap, TableRemovedWithFlushWalkBeforeFree) {
    Bench b(Bench::s1());
    const uint64_t iova = 0x40200000;
    ASSERT_TRUE(b.pt->map(iova, 0x90201000, M2, Prot::rw()).ok());  // 512 pages: pa not 2M-aligned
    const uint64_t bytes = b.alloc.bytes_in_use();
    const uint64_t tables = b.pt->tables_in_use();
    std::vector<Event> log = b.take_log();
    // The L2 descriptor pointing at the page table is the store just before the page table's Fill.
    uint64_t l2_slot = 0;
    for (size_t i = 1; i < log.size(); ++i)
        if (log[i].kind == Event::Store && log[i - 1].kind == Event::Fill && log[i].b == (log[i - 1].a | 3))
            l2_slot = log[i].a;
    ASSERT_NE(l2_slot, 0u);
    bool checked = false;
    b.tlb.on_flush_walk = [&](uint64_t, uint64_t) {
        EXPECT_EQ(b.load(l2_slot), 0u) << "the SMMU must already see the table gone";
        EXPECT_EQ(b.alloc.bytes_in_use(), bytes) << "freed before the walk caches were flushed";
        checked = true;
    };
    Gather g;
    Result r = b.pt->unmap(iova, M2, g);
    EXPECT_TRUE(checked);
    EXPECT_EQ(r.bytes, M2);
    const std::vector<Event> want = {{Event::Store, l2_slot, 0}, {Event::FlushWalk, iova, M2, K4}};
    EXPECT_EQ(b.take_log(), want);  // the pages go with the walk flush: no add_page each
    EXPECT_EQ(r.stats.tables_freed, 1u);
    EXPECT_EQ(b.alloc.bytes_in_use(), bytes - K4);
    EXPECT_EQ(b.pt->tables_in_use(), tables - 1);
    EXPECT_EQ(b.walk(iova + 0x5000).fault, arch::evt::F_TRANSLATION);

    // A 1 GiB unmap over a table holding one page takes the whole table and counts its span.
    b.tlb.on_flush_walk = nullptr;
    ASSERT_TRUE(b.pt->map(0x80001000, 0x1000, K4, Prot::rw()).ok());
    b.take_log();
    r = b.pt->unmap(0x80000000, G1, g);
    EXPECT_EQ(r.bytes, G1);
    EXPECT_EQ(r.stats.tables_freed, 2u);  // L2 and L3
    EXPECT_EQ(count(b.take_log(), Event::FlushWalk), 1u);
}

// Linux keeps empty tables; a block mapped where one sits replaces it (flush_walk, free).
TEST(PgtableUnmap, EmptyTableKeptThenReplacedByBlock) {
    Bench b(Bench::s1());
    ASSERT_TRUE(b.pt->map(0x40201000, 0x1000, K4, Prot::rw()).ok());
    Gather g;
    ASSERT_EQ(b.pt->unmap(0x40201000, K4, g).bytes, K4);
    EXPECT_EQ(b.pt->tables_in_use(), 4u);
    EXPECT_TRUE(b.pt->map(0x40201000, 0x5000, K4, Prot::rw()).ok());  // the empty table is reused
    EXPECT_EQ(b.pt->tables_in_use(), 4u);
    ASSERT_EQ(b.pt->unmap(0x40201000, K4, g).bytes, K4);
    b.take_log();
    Result r = b.pt->map(0x40200000, 0x90200000, M2, Prot::rw());
    ASSERT_TRUE(r.ok()) << error_name(r.error);
    const std::vector<Event> log = b.take_log();
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0].kind, Event::Store);
    EXPECT_EQ(log[0].b, 0u);
    EXPECT_EQ(log[1], (Event{Event::FlushWalk, 0x40200000, M2, K4}));
    EXPECT_EQ(log[2].a, log[0].a);
    EXPECT_EQ(r.stats.tables_freed, 1u);
    EXPECT_EQ(b.pt->tables_in_use(), 3u);
    b.expect_translates(0x40200000 + 0x1234, 0x90201234, 2);
}

// pKVM-style reclaim: a table whose last entry goes is unhooked, flushed and freed, upwards;
// the memory in use is back to the root only once everything is unmapped.
TEST(PgtableUnmap, ReclaimFreesEmptyTablesUpToTheRoot) {
    IoPgtable::Config cfg;
    cfg.reclaim_empty_tables = true;
    Bench b(Bench::s1(), cfg);
    const uint64_t a = 0x1000, c = 0x7F0000000000;
    ASSERT_TRUE(b.pt->map(a, 0x81000, K4, Prot::rw()).ok());
    ASSERT_TRUE(b.pt->map(c, 0x82000, K4, Prot::rw()).ok());
    EXPECT_EQ(b.pt->tables_in_use(), 7u);
    EXPECT_EQ(b.alloc.bytes_in_use(), 7 * K4);
    std::vector<uint64_t> in_use_at_flush;
    b.tlb.on_flush_walk = [&](uint64_t, uint64_t) { in_use_at_flush.push_back(b.alloc.bytes_in_use()); };
    b.take_log();
    Gather g;
    Result r = b.pt->unmap(a, K4, g);
    EXPECT_EQ(r.bytes, K4);
    std::vector<Event> flushes;
    for (const Event& e : b.take_log())
        if (e.kind == Event::FlushWalk || e.kind == Event::AddPage) flushes.push_back(e);
    const std::vector<Event> want = {{Event::AddPage, a, K4},
                                     {Event::FlushWalk, 0, M2, K4},
                                     {Event::FlushWalk, 0, G1, K4},
                                     {Event::FlushWalk, 0, 512 * G1, K4}};
    EXPECT_EQ(flushes, want);
    // Each table was still allocated when its walk-cache flush was asked for.
    EXPECT_EQ(in_use_at_flush, (std::vector<uint64_t>{7 * K4, 6 * K4, 5 * K4}));
    EXPECT_EQ(r.stats.tables_freed, 3u);
    EXPECT_GT(b.alloc.bytes_in_use(), K4);  // c's tables remain
    EXPECT_EQ(b.pt->iova_to_phys(c), std::optional<uint64_t>(0x82000));
    r = b.pt->unmap(c, K4, g);
    EXPECT_EQ(r.bytes, K4);
    EXPECT_EQ(b.pt->tables_in_use(), 1u);
    EXPECT_EQ(b.alloc.bytes_in_use(), K4);  // the root only
    EXPECT_EQ(b.pt->table_bytes(), K4);
}

// Unmapping a page inside a 2 MiB block splits it: the new table is built while unreachable,
// then break-before-make: invalid, flush_walk (invalidate + sync), table descriptor.
TEST(PgtableSplit, BlockSplitWithBreakBeforeMake) {
    Bench b(Bench::s2(12, 40));
    const uint64_t ipa = 0x40200000, pa = 0x100000000;
    ASSERT_TRUE(b.pt->map(ipa, pa, M2, Prot::rw()).ok());
    const uint64_t slot = last_store(b.take_log());
    const uint64_t block = b.load(slot);
    bool broken_when_flushed = false;
    b.tlb.on_flush_walk = [&](uint64_t, uint64_t) { broken_when_flushed = b.load(slot) == 0; };
    Gather g;
    Result r = b.pt->unmap(ipa + 2 * K4, K4, g);
    ASSERT_TRUE(r.ok()) << error_name(r.error);
    EXPECT_EQ(r.bytes, K4);
    EXPECT_TRUE(broken_when_flushed);
    const std::vector<Event> log = b.take_log();
    ASSERT_EQ(log.size(), 1u + 512u + 5u);
    ASSERT_EQ(log[0].kind, Event::Fill);
    const uint64_t table = log[0].a;
    EXPECT_EQ(log[0].b, K4);
    const uint64_t attrs = arch::pte::leaf_attrs(block, 12);
    for (uint64_t i = 0; i < 512; ++i)
        ASSERT_EQ(log[1 + i], (Event{Event::Store, table + 8 * i, (pa + i * K4) | attrs | 3})) << i;
    const std::vector<Event> tail(log.begin() + 513, log.end());
    const std::vector<Event> want = {{Event::Store, slot, 0},
                                     {Event::FlushWalk, ipa, M2, M2},
                                     {Event::Store, slot, table | 3},
                                     {Event::Store, table + 16, 0},
                                     {Event::AddPage, ipa + 2 * K4, K4}};
    EXPECT_EQ(tail, want);
    EXPECT_EQ(r.stats.blocks_split, 1u);
    EXPECT_EQ(r.stats.tables_allocated, 1u);
    EXPECT_EQ(r.stats.pte_writes, 512u + 3u);
    b.expect_translates(ipa + 8, pa + 8, 3);
    EXPECT_EQ(b.walk(ipa + 2 * K4).fault, arch::evt::F_TRANSLATION);
    b.expect_translates(ipa + 3 * K4, pa + 3 * K4, 3);
    b.expect_translates(ipa + M2 - 8, pa + M2 - 8, 3);
    EXPECT_TRUE(b.walk(ipa + 0x5000, {true}).ok);  // permissions survive the split
    // The hole can be mapped again, read-only this time.
    ASSERT_TRUE(b.pt->map(ipa + 2 * K4, 0x5000, K4, Prot::r()).ok());
    b.expect_translates(ipa + 2 * K4, 0x5000, 3);
    EXPECT_EQ(b.walk(ipa + 2 * K4, {true}).fault, arch::evt::F_PERMISSION);
}

// With BBML2 the table descriptor goes straight over the block; the old block's TLB entries
// are gathered for the caller's next sync instead of a synchronous flush.
TEST(PgtableSplit, BlockSplitWithoutBreakOnBbml2) {
    IoPgtable::Config cfg;
    cfg.bbml2 = true;
    Bench b(Bench::s2(12, 40), cfg);
    const uint64_t ipa = 0x40200000, pa = 0x100000000;
    ASSERT_TRUE(b.pt->map(ipa, pa, M2, Prot::rw()).ok());
    const uint64_t slot = last_store(b.take_log());
    Gather g;
    Result r = b.pt->unmap(ipa + 2 * K4, K4, g);
    EXPECT_EQ(r.bytes, K4);
    const std::vector<Event> log = b.take_log();
    ASSERT_EQ(log.size(), 1u + 512u + 4u);
    const uint64_t table = log[0].a;
    const std::vector<Event> tail(log.begin() + 513, log.end());
    const std::vector<Event> want = {{Event::Store, slot, table | 3},
                                     {Event::AddPage, ipa, M2},
                                     {Event::Store, table + 16, 0},
                                     {Event::AddPage, ipa + 2 * K4, K4}};
    EXPECT_EQ(tail, want);
    EXPECT_EQ(count(log, Event::FlushWalk), 0u);
    EXPECT_EQ(r.stats.flush_walks, 0u);
    EXPECT_EQ(g.start, ipa);
    EXPECT_EQ(g.end, ipa + M2);
    b.expect_translates(ipa + 3 * K4, pa + 3 * K4, 3);
    EXPECT_EQ(b.walk(ipa + 2 * K4).fault, arch::evt::F_TRANSLATION);
}

// A page out of a 1 GiB block: split to 2 MiB blocks, then the one holding the page to pages,
// each with its own break-before-make.
TEST(PgtableSplit, GigabyteBlockSplitsTwice) {
    Bench b(Bench::s1());
    const uint64_t va = 2 * G1, pa = 7 * G1;
    ASSERT_TRUE(b.pt->map(va, pa, G1, Prot::rw()).ok());
    b.take_log();
    Gather g;
    Result r = b.pt->unmap(va + 5 * M2 + 3 * K4, K4, g);
    EXPECT_EQ(r.bytes, K4);
    std::vector<Event> flushes;
    for (const Event& e : b.take_log())
        if (e.kind == Event::FlushWalk) flushes.push_back(e);
    const std::vector<Event> want = {{Event::FlushWalk, va, G1, G1}, {Event::FlushWalk, va + 5 * M2, M2, M2}};
    EXPECT_EQ(flushes, want);
    EXPECT_EQ(r.stats.blocks_split, 2u);
    EXPECT_EQ(r.stats.tables_allocated, 2u);
    b.expect_translates(va + 0x1234, pa + 0x1234, 2);
    b.expect_translates(va + 5 * M2 + 2 * K4, pa + 5 * M2 + 2 * K4, 3);
    EXPECT_EQ(b.walk(va + 5 * M2 + 3 * K4).fault, arch::evt::F_TRANSLATION);
    b.expect_translates(va + G1 - 8, pa + G1 - 8, 2);
    // 2 MiB out of the 1 GiB region: one 2 MiB leaf goes, no further split.
    r = b.pt->unmap(va + 9 * M2, M2, g);
    EXPECT_EQ(r.bytes, M2);
    EXPECT_EQ(r.stats.blocks_split, 0u);
    EXPECT_EQ(b.walk(va + 9 * M2 + 0x100).fault, arch::evt::F_TRANSLATION);
    b.expect_translates(va + 10 * M2, pa + 10 * M2, 2);
}

TEST(PgtableSplit, OutOfMemoryLeavesTheBlock) {
    Bench b(Bench::s1(), {}, 3 * K4);  // root + L1 + L2: full after one 2 MiB block
    ASSERT_TRUE(b.pt->map(0x40200000, 0x90200000, M2, Prot::rw()).ok());
    b.take_log();
    Gather g;
    Result r = b.pt->unmap(0x40201000, K4, g);
    EXPECT_EQ(r.error, Error::NoMemory);
    EXPECT_EQ(r.bytes, 0u);
    EXPECT_TRUE(b.log.empty());
    b.expect_translates(0x40201000, 0x90201000, 2);
}

TEST(PgtableDestroy, FlushAllThenEveryTableFreed) {
    Bench b(Bench::s2(12, 40));  // concatenated root: 8 KiB
    ASSERT_TRUE(b.pt->map(0x40000000, 0x40000000, G1 + M2 + K4, Prot::rw()).ok());
    ASSERT_TRUE(b.pt->map(0x123456000, 0x1000, K4, Prot::rw()).ok());
    const uint64_t in_use = b.alloc.bytes_in_use();
    EXPECT_EQ(in_use, b.pt->table_bytes());
    EXPECT_GT(in_use, 2 * K4);
    uint64_t at_flush = 0;
    b.tlb.on_flush_all = [&] { at_flush = b.alloc.bytes_in_use(); };
    b.take_log();
    b.pt->destroy();
    EXPECT_EQ(at_flush, in_use);
    EXPECT_EQ(b.take_log(), (std::vector<Event>{{Event::FlushAll}}));  // no memory traffic
    EXPECT_EQ(b.alloc.bytes_in_use(), 0u);
    EXPECT_EQ(b.pt->tables_in_use(), 0u);
    EXPECT_EQ(b.pt->map(0x1000, 0x1000, K4, Prot::rw()).error, Error::Destroyed);
    Gather g;
    EXPECT_EQ(b.pt->unmap(0x40000000, K4, g).error, Error::Destroyed);
    EXPECT_FALSE(b.pt->iova_to_phys(0x40000000));
    b.pt->destroy();  // twice: nothing more
    EXPECT_TRUE(b.log.empty());

    // Without destroy(), the destructor still gives the memory back (no TLB calls).
    Bench b2(Bench::s1());
    ASSERT_TRUE(b2.pt->map(0x1000, 0x1000, K4, Prot::rw()).ok());
    b2.pt.reset();
    EXPECT_EQ(b2.alloc.bytes_in_use(), 0u);
    EXPECT_EQ(count(b2.log, Event::FlushAll), 0u);
}
