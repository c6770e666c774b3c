// The set-associative cache every SMMU cache is built on (models/smmu/cache/set_assoc_cache.h):
// range entries of several sizes, replacement policies, stats and lookup timing.

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include <systemc>

#include "models/core/errors.h"
#include "models/core/rng.h"
#include "models/smmu/cache/set_assoc_cache.h"
#include "tests/common/presets.h"

using namespace smmusim::smmu::cache;
using smmusim::test::Presets;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

struct E {
    uint64_t base = 0;
    uint8_t shift = 12;
    int tag = 0;
};
using Cache = SetAssocCache<E>;

constexpr uint64_t KiB4 = 0x1000, MiB2 = 0x200000, GiB1 = 0x40000000;

E page(uint64_t pfn, int tag) { return E{pfn * KiB4, 12, tag}; }
const auto any = [](const E&) { return true; };
const auto none = [](const E&) { return false; };
void put(Cache& c, const E& e) { c.insert(e, none); }  // never replaces: a new entry or a victim

std::set<int> tags(Cache& c) {
    std::set<int> t;
    c.for_each([&](E& e) { t.insert(e.tag); });
    return t;
}

}  // namespace

TEST(SmmuCache, LargeEntryServesEveryAddressInside) {
    Cache c("c", CacheDefaults{});
    const uint64_t base = 0x40200000;  // 2 MiB aligned
    put(c, E{base, 21, 7});
    for (uint64_t i = 0; i < 512; ++i) {
        auto f = c.lookup(base + i * KiB4 + (i % 8) * 0x1F8, any);
        ASSERT_NE(f.entry, nullptr) << "page " << i;
        EXPECT_EQ(f.entry->tag, 7);
        EXPECT_EQ(f.sizes_probed, 1u);
    }
    EXPECT_NE(c.lookup(base + MiB2 - 1, any).entry, nullptr);
    EXPECT_EQ(c.lookup(base - 1, any).entry, nullptr);
    EXPECT_EQ(c.lookup(base + MiB2, any).entry, nullptr);
    // The caller's predicate decides the other tags.
    EXPECT_EQ(c.lookup(base, [](const E& e) { return e.tag == 8; }).entry, nullptr);
    EXPECT_EQ(c.hits.value(), 513u);
    EXPECT_EQ(c.misses.value(), 3u);
    EXPECT_EQ(c.fills.value(), 1u);
    EXPECT_EQ(c.evictions.value(), 0u);
}

TEST(SmmuCache, ProbesOnePerLiveSizeSmallestFirst) {
    Cache c("c", CacheDefaults{});
    EXPECT_EQ(c.live_sizes(), 0u);
    EXPECT_EQ(c.lookup(0x1000, any).sizes_probed, 0u);  // nothing to probe
    put(c, E{0x1000, 12, 1});
    put(c, E{0x3000, 12, 2});
    EXPECT_EQ(c.live_sizes(), 1u);
    put(c, E{MiB2, 21, 3});
    put(c, E{GiB1, 30, 4});
    EXPECT_EQ(c.live_sizes(), 3u);
    auto f = c.lookup(0x1000, any);
    EXPECT_EQ(f.entry->tag, 1);
    EXPECT_EQ(f.sizes_probed, 1u);
    f = c.lookup(MiB2 + 0x5000, any);
    EXPECT_EQ(f.entry->tag, 3);
    EXPECT_EQ(f.sizes_probed, 2u);
    f = c.lookup(GiB1 + 0x12345678, any);
    EXPECT_EQ(f.entry->tag, 4);
    EXPECT_EQ(f.sizes_probed, 3u);
    f = c.lookup(0x80000000, any);
    EXPECT_EQ(f.entry, nullptr);
    EXPECT_EQ(f.sizes_probed, 3u);
    // Removing the only 1 GiB entry drops that size; removing one of two 4 KiB entries does not.
    EXPECT_EQ(c.invalidate_if([](const E& e) { return e.shift == 30; }), 1u);
    EXPECT_EQ(c.live_sizes(), 2u);
    EXPECT_EQ(c.lookup(0x80000000, any).sizes_probed, 2u);
    EXPECT_EQ(c.invalidate_if([](const E& e) { return e.tag == 1; }), 1u);
    EXPECT_EQ(c.live_sizes(), 2u);
    EXPECT_EQ(c.invalidate_if([](const E& e) { return e.tag == 3; }), 1u);
    EXPECT_EQ(c.live_sizes(), 1u);
    EXPECT_EQ(c.lookup(0x80000000, any).sizes_probed, 1u);
    // Timing: serial probes cost one probe per size, at least one.
    EXPECT_EQ(c.probes_for(0), 1u);
    EXPECT_EQ(c.probes_for(1), 1u);
    EXPECT_EQ(c.probes_for(3), 3u);
}

TEST(SmmuCache, EvictionOfTheLastEntryOfASizeForgetsTheSize) {
    Presets p({"c.entries=2", "c.ways=0"});
    Cache c("c", CacheDefaults{});
    put(c, page(1, 1));
    put(c, page(2, 2));
    put(c, E{MiB2, 21, 3});  // evicts page 1 (LRU)
    EXPECT_EQ(c.live_sizes(), 2u);
    EXPECT_EQ(tags(c), (std::set<int>{2, 3}));
    put(c, E{2 * MiB2, 21, 4});  // evicts page 2: no 4 KiB entry left
    EXPECT_EQ(tags(c), (std::set<int>{3, 4}));
    EXPECT_EQ(c.live_sizes(), 1u);
    EXPECT_EQ(c.lookup(0x2000, any).sizes_probed, 1u);
    EXPECT_EQ(c.evictions.value(), 2u);
}

TEST(SmmuCache, ParallelSizeProbesCostOneProbe) {
    Presets p({"c.size_probes=parallel", "c.latency=2"});
    Cache c("c", CacheDefaults{});
    put(c, E{0x1000, 12, 1});
    put(c, E{MiB2, 21, 2});
    EXPECT_EQ(c.lookup(MiB2 + 0x1000, any).sizes_probed, 2u);  // what was probed is still reported
    EXPECT_EQ(c.probes_for(0), 1u);
    EXPECT_EQ(c.probes_for(2), 1u);
    EXPECT_EQ(c.probes_for(5), 1u);
    const sc_time cyc(1, SC_NS);
    EXPECT_EQ(c.reserve(sc_time(0, SC_NS), c.probes_for(2), cyc), sc_time(2, SC_NS));
}

TEST(SmmuCache, LruEvictsTheLeastRecentlyUsedOfTheSet) {
    Presets p({"c.entries=8", "c.ways=2", "d.entries=8", "d.ways=2"});
    Cache c("c", CacheDefaults{});
    Cache d("d", CacheDefaults{});
    EXPECT_EQ(c.sets(), 4u);
    EXPECT_EQ(c.associativity(), 2u);
    // Pages 0, 4, 8, 12 share set 0; page 1 is in set 1.
    for (Cache* x : {&c, &d}) {
        put(*x, page(0, 0));
        put(*x, page(4, 4));
        put(*x, page(1, 1));
    }
    ASSERT_NE(c.lookup(0x0, any).entry, nullptr);  // touch page 0: page 4 is now the LRU
    put(c, page(8, 8));
    EXPECT_EQ(tags(c), (std::set<int>{0, 1, 8}));
    put(c, page(12, 12));  // page 0 (touched before page 8 was filled) goes
    EXPECT_EQ(tags(c), (std::set<int>{1, 8, 12}));
    EXPECT_EQ(c.evictions.value(), 2u);
    // Without the touch, fill order decides.
    put(d, page(8, 8));
    EXPECT_EQ(tags(d), (std::set<int>{1, 4, 8}));
    EXPECT_EQ(d.evictions.value(), 1u);
    EXPECT_EQ(d.valid_entries(), 3u);
}

TEST(SmmuCache, RoundRobinEvictsInRotationRegardlessOfUse) {
    Presets p({"c.entries=8", "c.ways=2", "c.policy=rr"});
    Cache c("c", CacheDefaults{});
    put(c, page(0, 0));  // way 0
    put(c, page(4, 4));  // way 1
    ASSERT_NE(c.lookup(0x4000, any).entry, nullptr);
    ASSERT_NE(c.lookup(0x0, any).entry, nullptr);
    put(c, page(8, 8));  // way 0: page 0 though just used
    EXPECT_EQ(tags(c), (std::set<int>{4, 8}));
    ASSERT_NE(c.lookup(0x4000, any).entry, nullptr);
    put(c, page(12, 12));  // way 1: page 4 though just used
    EXPECT_EQ(tags(c), (std::set<int>{8, 12}));
    put(c, page(16, 16));  // way 0 again
    EXPECT_EQ(tags(c), (std::set<int>{12, 16}));
    EXPECT_EQ(c.evictions.value(), 3u);
}

TEST(SmmuCache, PlruFollowsTheTree) {
    Presets p({"c.entries=16", "c.ways=4", "c.policy=plru", "l.entries=16", "l.ways=4"});
    Cache c("c", CacheDefaults{});
    Cache l("l", CacheDefaults{});  // LRU, for contrast
    EXPECT_EQ(c.sets(), 4u);
    // Pages 0, 4, 8, ... share set 0: A..D fill ways 0..3.
    for (Cache* x : {&c, &l}) {
        for (int pfn : {0, 4, 8, 12}) put(*x, page(pfn, pfn));
        ASSERT_NE(x->lookup(4 * KiB4, any).entry, nullptr);  // touch way 1
        put(*x, page(16, 16));
    }
    // Tree after filling 0..3 then touching way 1: root -> right half, right node -> way 2.
    EXPECT_EQ(tags(c), (std::set<int>{0, 4, 12, 16}));
    EXPECT_EQ(tags(l), (std::set<int>{4, 8, 12, 16}));  // true LRU evicts page 0
    put(c, page(20, 20));  // way 2 just filled points the root left; left node -> way 0
    EXPECT_EQ(tags(c), (std::set<int>{4, 12, 16, 20}));
    put(c, page(24, 24));  // way 0 just filled: root -> right, right node -> way 3
    EXPECT_EQ(tags(c), (std::set<int>{4, 16, 20, 24}));
    EXPECT_EQ(c.evictions.value(), 3u);
}

TEST(SmmuCache, RandomStaysInTheSetAndIsDeterministicForASeed) {
    Presets p({"r1.entries=16", "r1.ways=4", "r1.policy=random", "r2.entries=16", "r2.ways=4",
               "r2.policy=random"});
    const uint64_t seed = 42;
    Cache r1("r1", CacheDefaults{}, seed);
    Cache r2("r2", CacheDefaults{}, seed);
    // Expected: each eviction draws a way uniformly from the seeded stream.
    smmusim::core::Rng rng(seed);
    int way[4] = {0, 4, 8, 12};
    for (Cache* x : {&r1, &r2}) {
        for (int pfn : {0, 4, 8, 12}) put(*x, page(pfn, pfn));
        put(*x, page(1, 1));  // set 1
        put(*x, page(2, 2));  // set 2
    }
    for (int i = 0; i < 16; ++i) {
        const int pfn = 16 + 4 * i;
        way[rng.below(4)] = pfn;
        put(r1, page(pfn, pfn));
        put(r2, page(pfn, pfn));
    }
    std::set<int> expected{1, 2, way[0], way[1], way[2], way[3]};
    EXPECT_EQ(tags(r1), expected);
    EXPECT_EQ(tags(r2), expected);
    EXPECT_EQ(r1.valid_entries(), 6u);
    EXPECT_EQ(r1.evictions.value(), 16u);
}

TEST(SmmuCache, FullyAssociativeHoldsAllEntries) {
    Presets p({"c.entries=8", "c.ways=0"});
    Cache c("c", CacheDefaults{});
    EXPECT_EQ(c.sets(), 1u);
    EXPECT_EQ(c.associativity(), 8u);
    // Pages that would share a set in any set-associative layout, and other sizes.
    const E es[8] = {page(0, 0),       page(8, 1),         page(16, 2),      page(64, 3),
                     E{MiB2, 21, 4},   E{GiB1, 30, 5},     page(1024, 6),    E{4 * MiB2, 21, 7}};
    for (const E& e : es) put(c, e);
    EXPECT_EQ(c.valid_entries(), 8u);
    EXPECT_EQ(c.evictions.value(), 0u);
    for (const E& e : es) {
        auto f = c.lookup(e.base, any);
        ASSERT_NE(f.entry, nullptr);
        EXPECT_EQ(f.entry->tag, e.tag);
    }
    put(c, page(2048, 8));  // the first one looked up is the least recently used
    EXPECT_EQ(c.valid_entries(), 8u);
    EXPECT_EQ(c.evictions.value(), 1u);
    EXPECT_EQ(tags(c), (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(SmmuCache, DisabledCacheStoresNothingAndMisses) {
    Presets p({"c.enable=false"});
    Cache c("c", CacheDefaults{});
    put(c, page(1, 1));
    put(c, E{MiB2, 21, 2});
    EXPECT_EQ(c.valid_entries(), 0u);
    EXPECT_EQ(c.live_sizes(), 0u);
    EXPECT_EQ(c.fills.value(), 0u);
    auto f = c.lookup(0x1000, any);
    EXPECT_EQ(f.entry, nullptr);
    EXPECT_EQ(f.sizes_probed, 0u);
    EXPECT_EQ(c.lookup(MiB2, any).entry, nullptr);
    EXPECT_EQ(c.misses.value(), 2u);
    EXPECT_EQ(c.hits.value(), 0u);
    EXPECT_EQ(c.evictions.value(), 0u);
}

TEST(SmmuCache, InsertReplacesTheSameEntryWithoutEviction) {
    Presets p({"c.entries=8", "c.ways=2"});
    Cache c("c", CacheDefaults{});
    put(c, page(1, 1));
    c.insert(page(1, 2), [](const E& o) { return o.tag == 1; });
    EXPECT_EQ(c.valid_entries(), 1u);
    EXPECT_EQ(c.live_sizes(), 1u);
    EXPECT_EQ(c.evictions.value(), 0u);
    EXPECT_EQ(c.fills.value(), 2u);
    EXPECT_EQ(c.lookup(0x1000, any).entry->tag, 2);
    // Same range but `same` says another context: both kept, the predicate picks.
    put(c, page(1, 3));
    EXPECT_EQ(c.valid_entries(), 2u);
    EXPECT_EQ(c.lookup(0x1000, [](const E& e) { return e.tag == 3; }).entry->tag, 3);
    EXPECT_EQ(c.lookup(0x1000, [](const E& e) { return e.tag == 2; }).entry->tag, 2);
    // A replacement in a full set takes the matching way, not the LRU one.
    c.insert(page(1, 4), [](const E& o) { return o.tag == 2; });
    EXPECT_EQ(tags(c), (std::set<int>{3, 4}));
    EXPECT_EQ(c.evictions.value(), 0u);
    EXPECT_EQ(c.fills.value(), 4u);
    EXPECT_EQ(c.invalidate_if(any), 2u);
    EXPECT_EQ(c.live_sizes(), 0u);
}

TEST(SmmuCache, InvalidateIfRemovesExactlyTheMatchingEntries) {
    Cache c("c", CacheDefaults{});
    for (int i = 0; i < 6; ++i) put(c, page(10 + i, i));
    put(c, E{MiB2, 21, 6});
    const auto even = [](const E& e) { return e.tag % 2 == 0; };
    EXPECT_EQ(c.invalidate_if(even), 4u);
    EXPECT_EQ(c.invalidated.value(), 4u);
    EXPECT_EQ(tags(c), (std::set<int>{1, 3, 5}));
    EXPECT_EQ(c.live_sizes(), 1u);
    EXPECT_EQ(c.lookup(10 * KiB4, any).entry, nullptr);
    EXPECT_EQ(c.lookup(11 * KiB4, any).entry->tag, 1);
    EXPECT_EQ(c.invalidate_if(even), 0u);
    EXPECT_EQ(c.invalidated.value(), 4u);
    EXPECT_EQ(c.invalidate_if(any), 3u);
    EXPECT_EQ(c.invalidated.value(), 7u);
    EXPECT_EQ(c.valid_entries(), 0u);
    EXPECT_EQ(c.fills.value(), 7u);
}

TEST(SmmuCache, ForEachVisitsEveryValidEntryOnceAndMayEditIt) {
    Cache c("c", CacheDefaults{});
    for (int i = 0; i < 5; ++i) put(c, page(100 + i, i));
    c.invalidate_if([](const E& e) { return e.tag == 2; });
    int visits = 0, sum = 0;
    c.for_each([&](E& e) {
        ++visits;
        sum += e.tag;
        e.tag += 100;
    });
    EXPECT_EQ(visits, 4);
    EXPECT_EQ(sum, 0 + 1 + 3 + 4);
    EXPECT_EQ(c.lookup(103 * KiB4, any).entry->tag, 103);
    EXPECT_EQ(c.lookup(102 * KiB4, any).entry, nullptr);
}

TEST(SmmuCache, StatsCountExactly) {
    Presets p({"c.entries=4", "c.ways=2"});
    Cache c("c", CacheDefaults{});
    EXPECT_EQ(c.sets(), 2u);
    put(c, page(0, 0));
    put(c, page(2, 2));
    put(c, page(4, 4));  // set 0 full: evicts page 0
    put(c, page(1, 1));
    c.insert(page(1, 11), any);  // replaced, not evicted
    EXPECT_EQ(c.lookup(0x0000, any).entry, nullptr);
    EXPECT_EQ(c.lookup(0x2000, any).entry->tag, 2);
    EXPECT_EQ(c.lookup(0x4000, any).entry->tag, 4);
    EXPECT_EQ(c.lookup(0x1000, any).entry->tag, 11);
    EXPECT_EQ(c.lookup(0x3000, any).entry, nullptr);
    EXPECT_EQ(c.invalidate_if([](const E& e) { return e.tag >= 4; }), 2u);
    EXPECT_EQ(c.hits.value(), 3u);
    EXPECT_EQ(c.misses.value(), 2u);
    EXPECT_EQ(c.fills.value(), 5u);
    EXPECT_EQ(c.evictions.value(), 1u);
    EXPECT_EQ(c.invalidated.value(), 2u);
    EXPECT_EQ(c.valid_entries(), 1u);
}

TEST(SmmuCache, ReserveOneLookupInFlight) {
    Presets p({"c.latency=3", "c.lookups=1"});
    Cache c("c", CacheDefaults{});
    const sc_time cyc(1, SC_NS), t0 = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(3, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(6, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(9, SC_NS));
    // Two serial probes take twice the latency; an idle cache starts at once.
    EXPECT_EQ(c.reserve(t0, 2, cyc), sc_time(15, SC_NS));
    EXPECT_EQ(c.reserve(sc_time(100, SC_NS), 1, cyc), sc_time(103, SC_NS));
}

TEST(SmmuCache, ReserveThreeLookupsInFlight) {
    Presets p({"c.latency=3", "c.lookups=3"});
    Cache c("c", CacheDefaults{});
    const sc_time cyc(1, SC_NS), t0 = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(3, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(3, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(3, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(6, SC_NS));
    EXPECT_EQ(c.reserve(sc_time(1, SC_NS), 1, cyc), sc_time(6, SC_NS));
    EXPECT_EQ(c.reserve(sc_time(2, SC_NS), 1, cyc), sc_time(6, SC_NS));
    EXPECT_EQ(c.reserve(sc_time(2, SC_NS), 1, cyc), sc_time(9, SC_NS));
}

TEST(SmmuCache, ReserveZeroLatencyStillTakesACycleOfThePipe) {
    Presets p({"c.latency=0", "c.lookups=1"});
    Cache c("c", CacheDefaults{});
    const sc_time cyc(2, SC_NS), t0 = sc_core::SC_ZERO_TIME;
    EXPECT_EQ(c.reserve(t0, 1, cyc), t0);
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(2, SC_NS));
    EXPECT_EQ(c.reserve(t0, 1, cyc), sc_time(4, SC_NS));
}

TEST(SmmuCache, WaysAboveEntriesMeanFullyAssociative) {
    Presets p({"c.entries=12", "c.ways=3", "d.entries=8", "d.ways=16"});
    Cache c("c", CacheDefaults{});  // LRU accepts any associativity
    EXPECT_EQ(c.sets(), 4u);
    EXPECT_EQ(c.associativity(), 3u);
    Cache d("d", CacheDefaults{});
    EXPECT_EQ(d.sets(), 1u);
    EXPECT_EQ(d.associativity(), 8u);
}

TEST(SmmuCache, EntriesNotAMultipleOfWaysIsAnInputError) {
    Presets p({"c.entries=10", "c.ways=4"});
    EXPECT_THROW(Cache("c", CacheDefaults{}), smmusim::InputError);
}

// Issue 19, item 3: any associativity the `ways` parameter accepts works with every policy
// (more than 64 ways used to shift a 64-bit tree by 64, undefined behaviour, or was refused).
TEST(SmmuCache, PlruWithThreeWaysNeverPicksAMissingWay) {
    Presets p({"c.entries=3", "c.ways=3", "c.policy=plru"});
    Cache c("c", CacheDefaults{});
    for (int pfn : {0, 1, 2}) put(c, page(pfn, pfn));
    // Leaves 0..3 with way 3 missing: after touching 0, 1, 2 the tree points at way 0.
    for (int i = 3; i < 40; ++i) {
        put(c, page(uint64_t(i), i));
        EXPECT_EQ(c.valid_entries(), 3u);
        EXPECT_EQ(tags(c).count(i), 1u);
    }
    EXPECT_EQ(c.evictions.value(), 37u);
}

TEST(SmmuCache, PlruWith128WaysEvictsTheTreesVictim) {
    Presets p({"c.entries=128", "c.ways=0", "c.policy=plru"});
    Cache c("c", CacheDefaults{});
    ASSERT_EQ(c.associativity(), 128u);
    for (int pfn = 0; pfn < 128; ++pfn) put(c, page(uint64_t(pfn), pfn));
    // Filled in order 0..127: every node points left of the last fill's path, so the victim
    // is way 0; touching it moves the victim to the other half of the tree (way 64).
    put(c, page(1000, 1000));
    EXPECT_EQ(tags(c).count(0), 0u);
    put(c, page(1001, 1001));
    EXPECT_EQ(tags(c).count(64), 0u);
    EXPECT_EQ(tags(c).count(1000), 1u);
}

TEST(SmmuCache, FullyAssociative2048WaysLruEvictsTheOldest) {
    Presets p({"c.entries=2048", "c.ways=0"});
    Cache c("c", CacheDefaults{});
    ASSERT_EQ(c.associativity(), 2048u);
    for (int pfn = 0; pfn < 2048; ++pfn) put(c, page(uint64_t(pfn), pfn));
    for (int pfn = 0; pfn < 2048; ++pfn) {
        if (pfn != 1500) {
            ASSERT_NE(c.lookup(uint64_t(pfn) * KiB4, any).entry, nullptr);
        }
    }
    put(c, page(5000, 5000));
    EXPECT_EQ(tags(c).count(1500), 0u);
    EXPECT_EQ(c.valid_entries(), 2048u);
}

namespace {
// An entry that may be split from a larger leaf (as TlbEntry): reach >= shift.
struct SplitE {
    uint64_t base = 0;
    uint8_t shift = 12;
    uint8_t reach = 12;
    int tag = 0;
    unsigned reach_shift() const { return reach; }
};
}  // namespace

// A by-address invalidation probing only the sets its addresses map to removes exactly what a
// scan of every entry removes (the same entries, the same count), with entries of several
// sizes, entries split from larger leaves, single addresses and ranges.
TEST(SmmuCache, RangeInvalidationRemovesWhatAScanRemoves) {
    smmusim::core::Rng rng(7);
    for (int round = 0; round < 40; ++round) {
        CacheDefaults d;
        d.entries = 256;
        d.ways = round % 3 == 0 ? 0 : 4;
        SetAssocCache<SplitE> probed("probed", d), scanned("scanned", d);
        const bool split = round % 2;
        int tag = 0;
        for (int step = 0; step < 400; ++step) {
            const unsigned shifts[] = {12, 12, 12, 16, 21};
            const unsigned sh = shifts[rng.below(5)];
            SplitE e{(rng.below(4096) * KiB4) & ~((uint64_t(1) << sh) - 1), uint8_t(sh), uint8_t(sh), ++tag};
            if (split && sh == 12 && rng.below(4) == 0) e.reach = 21;
            probed.insert(e, [](const SplitE&) { return false; });
            scanned.insert(e, [](const SplitE&) { return false; });
            if (rng.below(3)) continue;
            const uint64_t first = rng.below(4096) * KiB4 + rng.below(KiB4);
            const uint64_t last = first + (rng.below(2) ? 0 : rng.below(64) * KiB4);
            auto meets = [&](const SplitE& x) {
                const uint64_t b = x.base & ~((uint64_t(1) << x.reach) - 1);
                return b <= last && first <= b + ((uint64_t(1) << x.reach) - 1) && x.tag % 5 != 0;
            };
            ASSERT_EQ(probed.invalidate_range_if(first, last, meets), scanned.invalidate_if(meets));
            std::set<int> a, b;
            probed.for_each([&](SplitE& x) { a.insert(x.tag); });
            scanned.for_each([&](SplitE& x) { b.insert(x.tag); });
            ASSERT_EQ(a, b) << "round " << round << " step " << step;
        }
        EXPECT_EQ(probed.invalidated.value(), scanned.invalidated.value());
    }
}

namespace {
// An independent LRU reference: each set a list of ways holding (entry, last use), looked up
// size by size, smallest first, first matching way; a fill replaces the same range of the
// same tag group, else the first empty way, else the least recently used.
struct RefLru {
    struct Way {
        bool valid = false;
        E e;
        uint64_t used = 0;
    };
    RefLru(uint32_t sets, uint32_t ways) : sets(sets), ways(ways), slots(size_t(sets) * ways) {}
    uint32_t set_of(uint64_t base, unsigned shift) const {
        const uint64_t n = base >> shift;
        return uint32_t((n ^ (n >> 17)) % sets);
    }
    const E* lookup(uint64_t addr, int group) {
        std::set<unsigned> sizes;
        for (const Way& w : slots)
            if (w.valid) sizes.insert(w.e.shift);
        for (unsigned sh : sizes) {
            const uint64_t base = addr & ~((uint64_t(1) << sh) - 1);
            const uint32_t s = set_of(base, sh);
            for (uint32_t w = 0; w < ways; ++w) {
                Way& x = slots[size_t(s) * ways + w];
                if (x.valid && x.e.shift == sh && x.e.base == base && x.e.tag % 3 == group) {
                    x.used = ++clock;
                    return &x.e;
                }
            }
        }
        return nullptr;
    }
    void insert(const E& e) {
        const uint32_t s = set_of(e.base, e.shift);
        Way* row = &slots[size_t(s) * ways];
        Way* victim = nullptr;
        for (uint32_t w = 0; w < ways && !victim; ++w)
            if (row[w].valid && row[w].e.shift == e.shift && row[w].e.base == e.base && row[w].e.tag % 3 == e.tag % 3)
                victim = &row[w];
        for (uint32_t w = 0; w < ways && !victim; ++w)
            if (!row[w].valid) victim = &row[w];
        if (!victim) {
            victim = &row[0];
            for (uint32_t w = 1; w < ways; ++w)
                if (row[w].used < victim->used) victim = &row[w];
        }
        *victim = Way{true, e, ++clock};
    }
    uint32_t sets, ways;
    std::vector<Way> slots;
    uint64_t clock = 0;
};
}  // namespace

// Lookups, fills and invalidations in random order give the reference's hits, entries and
// victims exactly (the cache keeps its tags, validity and LRU stamps apart from the entries).
TEST(SmmuCache, RandomOperationsMatchAnArrayOfWaysReference) {
    smmusim::core::Rng rng(11);
    for (int round = 0; round < 30; ++round) {
        CacheDefaults d;
        d.entries = round % 3 == 0 ? 32 : 128;
        d.ways = round % 3 == 0 ? 0 : (round % 3 == 1 ? 4 : 2);
        Cache c("c", d);
        RefLru ref(c.sets(), c.associativity());
        int tag = 0;
        for (int step = 0; step < 2000; ++step) {
            const unsigned shifts[] = {12, 12, 12, 16, 21};
            const unsigned sh = shifts[rng.below(5)];
            const uint64_t addr = rng.below(1024) * KiB4 + rng.below(KiB4);
            const int op = int(rng.below(10));
            if (op < 5) {
                const int group = int(rng.below(3));
                const E* want = ref.lookup(addr, group);
                auto got = c.lookup(addr, [&](const E& e) { return e.tag % 3 == group; });
                ASSERT_EQ(want != nullptr, got.entry != nullptr) << "round " << round << " step " << step;
                if (want) {
                    ASSERT_EQ(want->tag, got.entry->tag);
                }
            } else if (op < 9) {
                const E e{addr & ~((uint64_t(1) << sh) - 1), uint8_t(sh), ++tag};
                ref.insert(e);
                c.insert(e, [&](const E& o) { return o.tag % 3 == e.tag % 3; });
            } else {
                const int mod = 2 + int(rng.below(5));
                auto drop = [&](const E& e) { return e.tag % mod == 0; };
                for (auto& w : ref.slots)
                    if (w.valid && drop(w.e)) w.valid = false;
                c.invalidate_if(drop);
            }
            std::set<int> want;
            for (const auto& w : ref.slots)
                if (w.valid) want.insert(w.e.tag);
            ASSERT_EQ(tags(c), want) << "round " << round << " step " << step;
        }
    }
}
