// The page-table builder for an SMMU that does not snoop the CPU caches (IDR0.COHACC = 0,
// Linux io_pgtable_cfg.coherent_walk = false): the order of descriptor stores, cleans to the
// point of coherency (DC CVAC over a range) and DSBs is compared with what io-pgtable-arm does
// (__arm_lpae_alloc_pages's dma_map_single of a new table, arm_lpae_install_table's sync after
// the cmpxchg, __arm_lpae_init_pte / __arm_lpae_clear_pte syncing num_entries at once, the
// unmap's add_page calls after the clear, arm_lpae_split_blk_unmap's entry-by-entry init).

#include "tests/unit/sw/pgtable_bench.h"

using namespace pgtable_test;

namespace {

IoPgtable::Config non_coherent(bool skip = false) {
    IoPgtable::Config c;
    c.coherent_walk = false;
    c.skip_cleans = skip;
    return c;
}

std::vector<Event> kinds_only(const std::vector<Event>& log, std::initializer_list<Event::Kind> keep) {
    std::vector<Event> v;
    for (const Event& e : log)
        for (Event::Kind k : keep)
            if (e.kind == k) v.push_back(e);
    return v;
}

}  // namespace

TEST(PgtableNonCoherent, RootCleanedWhenZeroed) {
    std::vector<Event> log;
    RecordingBus bus{log};
    sw::hal::PageAllocator alloc(kMem, kMemSize);
    IoPgtable pt(Bench::s1(), bus, alloc, nullptr, non_coherent());
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0], (Event{Event::Fill, pt.root(), 4096}));
    EXPECT_EQ(log[1], (Event{Event::Clean, pt.root(), 4096}));
    EXPECT_EQ(log[2], (Event{Event::Dsb}));
}

TEST(PgtableNonCoherent, MapCleansNewTablesEachInstallAndTheLeafRunOnce) {
    Bench b(Bench::s1(), non_coherent());
    const uint64_t iova = 0x10000000;
    ASSERT_TRUE(b.pt->map(iova, 0x90000000, 4 * K4, Prot::rw()).ok());
    const std::vector<Event> log = b.take_log();
    // Levels 1, 2, 3 are new: each table zeroed and cleaned, then installed and its entry cleaned.
    std::vector<Event> expect;
    uint64_t parent = b.pt->root();
    for (int level = 0; level < 3; ++level) {
        const uint64_t slot = parent + 8 * ((iova >> (39 - 9 * level)) & 511);
        const uint64_t table = arch::pte::address(b.load(slot), 12);
        expect.push_back({Event::Fill, table, 4096});
        expect.push_back({Event::Clean, table, 4096});
        expect.push_back({Event::Dsb});
        expect.push_back({Event::Store, slot, b.load(slot)});
        expect.push_back({Event::Clean, slot, 8});
        expect.push_back({Event::Dsb});
        parent = table;
    }
    const uint64_t pte0 = parent + 8 * ((iova >> 12) & 511);
    for (int i = 0; i < 4; ++i) expect.push_back({Event::Store, pte0 + 8 * i, b.load(pte0 + 8 * i)});
    expect.push_back({Event::Clean, pte0, 32});  // one __arm_lpae_sync_pte for num_entries = 4
    expect.push_back({Event::Dsb});
    EXPECT_EQ(log, expect);
    b.expect_translates(iova + 3 * K4, 0x90003000, 3);
}

TEST(PgtableNonCoherent, UnmapCleansTheRunBeforeItsInvalidations) {
    Bench b(Bench::s1(), non_coherent());
    const uint64_t iova = 0x10000000;
    ASSERT_TRUE(b.pt->map(iova, 0x90000000, 4 * K4, Prot::rw()).ok());
    const uint64_t pte0 = [&] {
        uint64_t t = b.pt->root();
        for (int level = 0; level < 3; ++level)
            t = arch::pte::address(b.load(t + 8 * ((iova >> (39 - 9 * level)) & 511)), 12);
        return t + 8 * ((iova >> 12) & 511);
    }();
    b.take_log();
    Gather g;
    ASSERT_EQ(b.pt->unmap(iova, 4 * K4, g).bytes, 4 * K4);
    std::vector<Event> expect;
    for (int i = 0; i < 4; ++i) expect.push_back({Event::Store, pte0 + 8 * i, 0});
    expect.push_back({Event::Clean, pte0, 32});
    expect.push_back({Event::Dsb});
    for (int i = 0; i < 4; ++i) expect.push_back({Event::AddPage, iova + i * K4, K4});
    EXPECT_EQ(b.take_log(), expect);
}

TEST(PgtableNonCoherent, RunsEndAtATableBoundary) {
    Bench b(Bench::s1(), non_coherent());
    // 2 pages at the end of one last-level table and 2 at the start of the next.
    const uint64_t iova = 0x10000000 + 510 * K4;
    ASSERT_TRUE(b.pt->map(iova, 0x90000000, 4 * K4, Prot::rw()).ok());
    b.take_log();
    Gather g;
    ASSERT_EQ(b.pt->unmap(iova, 4 * K4, g).bytes, 4 * K4);
    const std::vector<Event> cleans = kinds_only(b.take_log(), {Event::Clean});
    ASSERT_EQ(cleans.size(), 2u);
    EXPECT_EQ(cleans[0].b, 16u);
    EXPECT_EQ(cleans[1].b, 16u);
}

TEST(PgtableNonCoherent, SplitCleansEveryEntryAndBreaksBeforeMaking) {
    Bench b(Bench::s1(), non_coherent());
    ASSERT_TRUE(b.pt->map(0x40000000, 0x80000000, M2, Prot::rw()).ok());
    b.take_log();
    Gather g;
    ASSERT_EQ(b.pt->unmap(0x40000000, K4, g).bytes, K4);
    const std::vector<Event> log = b.take_log();
    // The new table's 512 entries are each stored, cleaned on its own and fenced.
    unsigned synced = 0;
    for (size_t i = 0; i + 2 < log.size(); ++i)
        if (log[i].kind == Event::Store && log[i + 1] == (Event{Event::Clean, log[i].a, 8}) &&
            log[i + 2].kind == Event::Dsb)
            ++synced;
    // + the invalid block descriptor and the table descriptor (BBM), + the page cleared.
    EXPECT_EQ(synced, 512u + 3u);
    // Break-before-make: the invalid block descriptor is cleaned before the walk is flushed.
    size_t flush = 0;
    while (flush < log.size() && log[flush].kind != Event::FlushWalk) ++flush;
    ASSERT_LT(flush, log.size());
    ASSERT_GE(flush, 3u);
    EXPECT_EQ(log[flush - 3].kind, Event::Store);
    EXPECT_EQ(log[flush - 3].b, 0u);
    EXPECT_EQ(log[flush - 2].kind, Event::Clean);
    EXPECT_EQ(log[flush - 1].kind, Event::Dsb);
    b.expect_translates(0x40001000, 0x80001000, 3);
}

TEST(PgtableNonCoherent, SkipCleansLeavesThemOut) {
    Bench b(Bench::s1(), non_coherent(true));
    ASSERT_TRUE(b.pt->map(0x10000000, 0x90000000, 4 * K4, Prot::rw()).ok());
    Gather g;
    ASSERT_EQ(b.pt->unmap(0x10000000, 4 * K4, g).bytes, 4 * K4);
    EXPECT_TRUE(kinds_only(b.take_log(), {Event::Clean, Event::Dsb}).empty());
    EXPECT_EQ(b.pt->totals().cmo_syncs, 0u);
}

TEST(PgtableNonCoherent, CoherentWalkCleansNothing) {
    Bench b(Bench::s1());
    ASSERT_TRUE(b.pt->map(0x10000000, 0x90000000, 4 * K4, Prot::rw()).ok());
    Gather g;
    ASSERT_EQ(b.pt->unmap(0x10000000, 4 * K4, g).bytes, 4 * K4);
    EXPECT_TRUE(kinds_only(b.take_log(), {Event::Clean, Event::Dsb}).empty());
}
