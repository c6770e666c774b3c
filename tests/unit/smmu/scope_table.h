#pragma once
// Table-driven invalidation-scope tests (test_invalidation.cpp: commands; test_invalidation_dvm.cpp:
// broadcast TLBIs): each case names exactly the catalogue entries its scope must hit.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/smmu/cache/invalidation.h"

namespace smmusim::test {

// For every case (fields `what`, `hit`), the scope `scope_of(case)` hits exactly the entries of
// the catalogue named in `hit`; a name not in the catalogue is a failure of the table itself.
template <typename E, typename Case, typename ScopeOf>
void check_hits(const std::vector<std::pair<std::string, E>>& catalogue, const std::vector<Case>& cases,
                ScopeOf scope_of) {
    std::set<std::string> names;
    for (const auto& [name, e] : catalogue) names.insert(name);
    for (const Case& c : cases) {
        for (const std::string& h : c.hit)
            if (!names.count(h)) ADD_FAILURE() << c.what << ": no entry named " << h;
        const smmu::cache::InvScope s = scope_of(c);
        for (const auto& [name, e] : catalogue)
            EXPECT_EQ(smmu::cache::hits(s, e), c.hit.count(name) == 1) << c.what << " vs " << name;
    }
}

// A stage-1 NS-EL1 4 KiB page at `base` (a level-3 leaf): VMID 1, ASID 5, non-global, shared
// (ASET = 0), StreamID 0x10, CD 0; the catalogues' entries are variations of it.
inline smmu::cache::TlbEntry stage1_page(uint64_t base) {
    smmu::cache::TlbEntry e;
    e.base = base;
    e.shift = 12;
    e.sid = 0x10;
    e.cd = 0;
    e.world = smmu::cache::World::NsEl1;
    e.s1 = true;
    e.vmid_tagged = true;
    e.vmid = 1;
    e.asid = 5;
    e.s1_level = 3;
    e.s1_gshift = 12;
    return e;
}

// A stage-1 NS-EL1 walk-cache entry of VMID 1, ASID 5 (ASET = 0) covering [base, base + 2^shift).
inline smmu::cache::WalkEntry stage1_walk_entry(uint64_t base, uint8_t shift, uint8_t level, bool leaf,
                                                uint8_t gshift = 12) {
    smmu::cache::WalkEntry e;
    e.base = base;
    e.shift = shift;
    e.stage = 1;
    e.level = level;
    e.leaf = leaf;
    e.world = smmu::cache::World::NsEl1;
    e.vmid_tagged = true;
    e.vmid = 1;
    e.asid = 5;
    e.gshift = gshift;
    return e;
}

// `e` changed by `f`: catalogue entries as variations of one.
template <typename E, typename F>
E with(E e, F f) {
    f(e);
    return e;
}

}  // namespace smmusim::test
