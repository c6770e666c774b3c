// What each CFGI / TLBI command removes from each cache (models/smmu/cache/invalidation.h)
// against ../shared/reference/smmuv3.md §4.2 scope notes, §5.1, §9.2 and the command facts
// (E2H, S2P, TG/TTL/Leaf). Table driven: for every command, the exact set of entries hit.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/smmu/arch/commands.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/cache/invalidation.h"
#include "models/smmu/features.h"
#include "tests/unit/smmu/scope_table.h"

using namespace smmusim::smmu;
using namespace smmusim::smmu::cache;
using arch::Command;
namespace op = arch::op;

namespace {

// A command built field by field.
struct Cmd {
    Command c;
    explicit Cmd(uint8_t opcode) { c.set<Command::Opcode>(opcode); }
    Cmd& vmid(uint64_t v) { return c.set<Command::VMID>(v), *this; }
    Cmd& asid(uint64_t v) { return c.set<Command::ASID>(v), *this; }
    Cmd& sid(uint64_t v) { return c.set<Command::StreamID>(v), *this; }
    Cmd& ssid(uint64_t v) { return c.set<Command::SubstreamID>(v), *this; }
    Cmd& range(uint64_t v) { return c.set<Command::Range>(v), *this; }
    Cmd& va(uint64_t a) { return c.set_address<Command::Address>(a), *this; }
    Cmd& ipa(uint64_t a) { return c.set_address<Command::IPA>(a), *this; }
    Cmd& leaf(uint64_t v) { return c.set<Command::Leaf>(v), *this; }
    // TG, NUM, SCALE, TTL
    Cmd& rng(uint64_t tg, uint64_t num, uint64_t scale, uint64_t ttl) {
        c.set<Command::TG>(tg);
        c.set<Command::NUM>(num);
        c.set<Command::SCALE>(scale);
        c.set<Command::TTL>(ttl);
        return *this;
    }
};

struct Case {
    std::string what;
    Cmd cmd;
    std::set<std::string> hit;
    bool e2h = false;
    Features f = {};
};

Features no_ril() {
    Features f;
    f.ril = false;
    return f;
}

// Checks that each command hits exactly the named entries of the catalogue.
template <typename E>
void check(const std::vector<std::pair<std::string, E>>& catalogue, const std::vector<Case>& cases) {
    smmusim::test::check_hits(catalogue, cases, [](const Case& c) { return InvScope::from(c.cmd.c, c.f, c.e2h); });
}

constexpr uint64_t X = 0x12345000;  // the VA (or IPA) invalidated

// A stage-1 NS-EL1 4 KiB page: VMID 1, ASID 5, non-global, StreamID 0x10, CD 0.
TlbEntry s1(uint64_t base = X) { return smmusim::test::stage1_page(base); }

TlbEntry s2only(uint64_t base = X, uint16_t vmid = 1) {
    TlbEntry e = s1(base);
    e.s1 = false;
    e.s2 = true;
    e.cd = -1;
    e.asid = 0;
    e.s1_level = e.s1_gshift = 0;
    e.vmid = vmid;
    e.s2_level = 3;
    e.s2_gshift = 12;
    return e;
}

TlbEntry el2(World w, uint16_t asid, bool global, uint64_t base = X) {
    TlbEntry e = s1(base);
    e.world = w;
    e.vmid_tagged = false;
    e.vmid = 0;
    e.asid = asid;
    e.global = global;
    return e;
}

using smmusim::test::with;

std::vector<std::pair<std::string, TlbEntry>> tlb_catalogue() {
    return {
        {"s1", s1()},
        {"s1.asid6", with(s1(), [](TlbEntry& e) { e.asid = 6; })},
        {"s1.glob", with(s1(), [](TlbEntry& e) { e.global = true; })},
        {"s1.vmid2", with(s1(), [](TlbEntry& e) { e.vmid = 2; })},
        {"s1.next", s1(X + 0x1000)},
        {"s1.block", with(s1(X & ~0x1FFFFFull), [](TlbEntry& e) { e.shift = 21, e.s1_level = 2; })},
        {"nested", with(s1(), [](TlbEntry& e) { e.s2 = true, e.s2_level = 3, e.s2_gshift = 12; })},
        {"s2", s2only()},
        {"s2.vmid2", s2only(X, 2)},
        {"s2.next", s2only(X + 0x1000)},
        {"bypass", with(s1(), [](TlbEntry& e) { e.s1 = false, e.cd = -1; })},
        {"el2", el2(World::NsEl2, 5, false)},
        {"el2.next", el2(World::NsEl2, 5, false, X + 0x1000)},
        {"e2h", el2(World::NsEl2E2H, 5, false)},
        {"e2h.asid6", el2(World::NsEl2E2H, 6, false)},
        {"e2h.glob", el2(World::NsEl2E2H, 7, true)},
        {"e2h.next", el2(World::NsEl2E2H, 5, false, X + 0x1000)},
    };
}

}  // namespace

TEST(SmmuInvalidation, TlbiScopesOnTlbEntries) {
    const std::set<std::string> nh_vm1{"s1", "s1.asid6", "s1.glob", "s1.next", "s1.block", "nested"};
    const std::set<std::string> el2_all{"el2", "el2.next", "e2h", "e2h.asid6", "e2h.glob", "e2h.next"};
    check(tlb_catalogue(), {
        {"NH_ALL vmid1", Cmd(op::TLBI_NH_ALL).vmid(1), nh_vm1},
        {"NH_ALL vmid2", Cmd(op::TLBI_NH_ALL).vmid(2), {"s1.vmid2"}},
        {"NH_ASID 1/5 spares globals", Cmd(op::TLBI_NH_ASID).vmid(1).asid(5), {"s1", "s1.next", "s1.block", "nested"}},
        {"NH_ASID 1/6", Cmd(op::TLBI_NH_ASID).vmid(1).asid(6), {"s1.asid6"}},
        {"NH_VA 1/5 X", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(X), {"s1", "s1.glob", "s1.block", "nested"}},
        {"NH_VA 1/6 X", Cmd(op::TLBI_NH_VA).vmid(1).asid(6).va(X), {"s1.asid6", "s1.glob"}},
        {"NH_VA 1/5 X leaf", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(X).leaf(1), {"s1", "s1.glob", "s1.block", "nested"}},
        {"NH_VA 2/5 X", Cmd(op::TLBI_NH_VA).vmid(2).asid(5).va(X), {"s1.vmid2"}},
        {"NH_VAA 1 X", Cmd(op::TLBI_NH_VAA).vmid(1).va(X), {"s1", "s1.asid6", "s1.glob", "s1.block", "nested"}},
        {"NH_VAA 1 X+4K", Cmd(op::TLBI_NH_VAA).vmid(1).va(X + 0x1000), {"s1.next", "s1.block"}},
        {"EL2_ALL", Cmd(op::TLBI_EL2_ALL), el2_all},
        {"EL2_ALL e2h", Cmd(op::TLBI_EL2_ALL), el2_all, true},
        {"EL2_ASID 5 e2h", Cmd(op::TLBI_EL2_ASID).asid(5), {"e2h", "e2h.next"}, true},
        {"EL2_ASID 5", Cmd(op::TLBI_EL2_ASID).asid(5), {"e2h", "e2h.next"}},
        {"EL2_ASID 7 (global)", Cmd(op::TLBI_EL2_ASID).asid(7), {}, true},
        {"EL2_VA 5 X e2h", Cmd(op::TLBI_EL2_VA).asid(5).va(X), {"e2h", "e2h.glob"}, true},
        {"EL2_VA 6 X e2h", Cmd(op::TLBI_EL2_VA).asid(6).va(X), {"e2h.asid6", "e2h.glob"}, true},
        {"EL2_VA 5 X", Cmd(op::TLBI_EL2_VA).asid(5).va(X), {"el2"}},
        {"EL2_VA 9 X ignores ASID", Cmd(op::TLBI_EL2_VA).asid(9).va(X), {"el2"}},
        {"EL2_VAA X e2h", Cmd(op::TLBI_EL2_VAA).va(X), {"e2h", "e2h.asid6", "e2h.glob"}, true},
        {"EL2_VAA X+4K e2h", Cmd(op::TLBI_EL2_VAA).va(X + 0x1000), {"e2h.next"}, true},
        {"EL2_VAA X", Cmd(op::TLBI_EL2_VAA).va(X), {"el2"}},
        {"S12_VMALL 1", Cmd(op::TLBI_S12_VMALL).vmid(1),
         {"s1", "s1.asid6", "s1.glob", "s1.next", "s1.block", "nested", "s2", "s2.next"}},
        {"S12_VMALL 2", Cmd(op::TLBI_S12_VMALL).vmid(2), {"s1.vmid2", "s2.vmid2"}},
        {"S2_IPA 1 X", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(X), {"s2"}},
        {"S2_IPA 2 X", Cmd(op::TLBI_S2_IPA).vmid(2).ipa(X), {"s2.vmid2"}},
        {"S2_IPA 1 X+4K", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(X + 0x1000), {"s2.next"}},
        {"NSNH_ALL", Cmd(op::TLBI_NSNH_ALL),
         {"s1", "s1.asid6", "s1.glob", "s1.vmid2", "s1.next", "s1.block", "nested", "s2", "s2.vmid2", "s2.next"}},
        {"CMD_SYNC", Cmd(op::CMD_SYNC), {}},
        {"PREFETCH_CONFIG", Cmd(op::PREFETCH_CONFIG).sid(0x10), {}},
        {"ATC_INV", Cmd(op::ATC_INV).sid(0x10).va(X), {}},
    });
}

TEST(SmmuInvalidation, WithoutStage2NhCommandsIgnoreTheVmid) {
    Features s1only;
    s1only.s2p = false;
    const std::vector<std::pair<std::string, TlbEntry>> cat = {
        {"untagged", with(s1(), [](TlbEntry& e) { e.vmid_tagged = false, e.vmid = 0; })},
        {"tagged1", s1()},
        {"asid6", with(s1(), [](TlbEntry& e) { e.vmid_tagged = false, e.vmid = 0, e.asid = 6; })},
    };
    check(cat, {
        {"NH_ALL 0 no S2P", Cmd(op::TLBI_NH_ALL), {"untagged", "tagged1", "asid6"}, false, s1only},
        {"NH_ASID 0/5 no S2P", Cmd(op::TLBI_NH_ASID).asid(5), {"untagged", "tagged1"}, false, s1only},
        {"NH_VA 0/5 X no S2P", Cmd(op::TLBI_NH_VA).asid(5).va(X), {"untagged", "tagged1"}, false, s1only},
        {"NH_VAA 3 X no S2P", Cmd(op::TLBI_NH_VAA).vmid(3).va(X), {"untagged", "tagged1", "asid6"}, false, s1only},
    });
    // With S2P the VMID selects.
    const InvScope s = InvScope::from(Cmd(op::TLBI_NH_ASID).vmid(2).asid(5).c, Features{}, false);
    EXPECT_FALSE(hits(s, s1()));
    EXPECT_TRUE(hits(InvScope::from(Cmd(op::TLBI_NH_ASID).vmid(1).asid(5).c, Features{}, false), s1()));
}

TEST(SmmuInvalidation, CfgiScopesByStreamAndCd) {
    auto at = [](uint32_t sid, int32_t cd, TlbEntry e = s1()) {
        e.sid = sid;
        e.cd = cd;
        return e;
    };
    const TlbEntry bypass = with(s1(), [](TlbEntry& e) { e.s1 = false; });
    const std::vector<std::pair<std::string, TlbEntry>> cat = {
        {"a.cd0", at(0x10, 0)},
        {"a.cd3", at(0x10, 3)},
        {"a.s2", at(0x10, -1, s2only())},
        {"a.bypass", at(0x10, -1, bypass)},
        {"b.cd3", at(0x11, 3)},
        {"c", at(0x17, 0)},
        {"d", at(0x18, 0)},
        {"e.bypass", at(0x200, -1, bypass)},
    };
    const std::set<std::string> a{"a.cd0", "a.cd3", "a.s2", "a.bypass"};
    auto plus = [](std::set<std::string> s, std::initializer_list<std::string> more) {
        s.insert(more);
        return s;
    };
    check(cat, {
        {"CFGI_STE 0x10", Cmd(op::CFGI_STE).sid(0x10), a},
        {"CFGI_STE 0x200", Cmd(op::CFGI_STE).sid(0x200), {"e.bypass"}},
        {"CFGI_STE 0x12", Cmd(op::CFGI_STE).sid(0x12), {}},
        {"CFGI_STE_RANGE 0x11/0", Cmd(op::CFGI_STE_RANGE).sid(0x11).range(0), plus(a, {"b.cd3"})},
        {"CFGI_STE_RANGE 0x13/2", Cmd(op::CFGI_STE_RANGE).sid(0x13).range(2), plus(a, {"b.cd3", "c"})},
        {"CFGI_STE_RANGE 0x18/3", Cmd(op::CFGI_STE_RANGE).sid(0x18).range(3), plus(a, {"b.cd3", "c", "d"})},
        {"CFGI_STE_RANGE 0x18/2", Cmd(op::CFGI_STE_RANGE).sid(0x18).range(2), {"d"}},
        {"CFGI_STE_RANGE 0x1FF/8", Cmd(op::CFGI_STE_RANGE).sid(0x1FF).range(8), plus(a, {"b.cd3", "c", "d"})},
        {"CFGI_STE_RANGE 0x1FF/9", Cmd(op::CFGI_STE_RANGE).sid(0x1FF).range(9), plus(a, {"b.cd3", "c", "d", "e.bypass"})},
        {"CFGI_STE_RANGE 31 (all)", Cmd(op::CFGI_STE_RANGE).sid(0x5).range(31),
         plus(a, {"b.cd3", "c", "d", "e.bypass"})},
        {"CFGI_CD 0x10/3", Cmd(op::CFGI_CD).sid(0x10).ssid(3), {"a.cd3"}},
        {"CFGI_CD 0x10/0", Cmd(op::CFGI_CD).sid(0x10).ssid(0), {"a.cd0"}},
        {"CFGI_CD 0x10/7", Cmd(op::CFGI_CD).sid(0x10).ssid(7), {}},
        {"CFGI_CD 0x11/3", Cmd(op::CFGI_CD).sid(0x11).ssid(3), {"b.cd3"}},
        {"CFGI_CD_ALL 0x10", Cmd(op::CFGI_CD_ALL).sid(0x10), {"a.cd0", "a.cd3"}},
        {"NSNH_ALL spares bypass", Cmd(op::TLBI_NSNH_ALL), {"a.cd0", "a.cd3", "a.s2", "b.cd3", "c", "d"}},
        {"S12_VMALL 1 spares bypass", Cmd(op::TLBI_S12_VMALL).vmid(1), {"a.cd0", "a.cd3", "a.s2", "b.cd3", "c", "d"}},
        {"EL2_ALL", Cmd(op::TLBI_EL2_ALL), {}},
    });
    // The configuration cache itself.
    const Features f;
    const InvScope cd3 = InvScope::from(Cmd(op::CFGI_CD).sid(0x10).ssid(3).c, f, false);
    EXPECT_TRUE(cd3.config());
    EXPECT_FALSE(cd3.tlbi());
    EXPECT_TRUE(hits_config(cd3, 0x10, 3));
    EXPECT_FALSE(hits_config(cd3, 0x10, -1));  // no CD
    EXPECT_FALSE(hits_config(cd3, 0x10, 0));
    EXPECT_FALSE(hits_config(cd3, 0x11, 3));
    const InvScope all = InvScope::from(Cmd(op::CFGI_STE_RANGE).range(31).c, f, false);
    EXPECT_TRUE(hits_config(all, 0xFFFFFFFF, -1));
    const InvScope nsnh = InvScope::from(Cmd(op::TLBI_NSNH_ALL).c, f, false);
    EXPECT_FALSE(nsnh.config());
    EXPECT_TRUE(nsnh.tlbi());
    EXPECT_FALSE(hits_config(nsnh, 0x10, 0));
}

TEST(SmmuInvalidation, RangeTlbiGranuleAndLevel) {
    auto page4k = [](uint64_t base) { return s1(base); };
    auto entry = [](uint64_t base, uint8_t shift, uint8_t level, uint8_t gshift) {
        TlbEntry e = s1(base);
        e.shift = shift;
        e.s1_level = level;
        e.s1_gshift = gshift;
        return e;
    };
    const std::vector<std::pair<std::string, TlbEntry>> cat = {
        {"p100", page4k(0x100000)},
        {"p103", page4k(0x103000)},
        {"p104", page4k(0x104000)},
        {"pFF", page4k(0xFF000)},
        {"g16k", entry(0x100000, 14, 3, 14)},
        {"g64k", entry(0x100000, 16, 3, 16)},
        {"blk2M", entry(0x0, 21, 2, 12)},
        {"blk1G", entry(0x0, 30, 1, 12)},
        // Nested: stage-1 4 KiB page over a stage-2 64 KiB level-2 block.
        {"nested", with(page4k(0x100000), [](TlbEntry& e) { e.s2 = true, e.s2_gshift = 16, e.s2_level = 2; })},
        {"s2.64k.l2", with(s2only(0x0), [](TlbEntry& e) { e.shift = 29, e.s2_gshift = 16, e.s2_level = 2; })},
    };
    const uint64_t A = 0x100000;
    auto va = [&](uint64_t addr) { return Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(addr).leaf(1); };
    auto ipa = [&](uint64_t addr) { return Cmd(op::TLBI_S2_IPA).vmid(1).ipa(addr).leaf(1); };
    check(cat, {
        {"4K x4 TTL3", va(A).rng(1, 3, 0, 3), {"p100", "p103", "nested"}},
        {"4K x4 TTL0", va(A).rng(1, 3, 0, 0), {"p100", "p103", "nested", "blk2M", "blk1G"}},
        {"4K x4 TTL2", va(A).rng(1, 3, 0, 2), {"blk2M"}},
        {"4K x1 TTL1", va(A).rng(1, 0, 0, 1), {"blk1G"}},
        {"4K x4 from +4K", va(A + 0x1000).rng(1, 0, 2, 3), {"p103", "p104"}},
        {"4K below", va(0xFF000).rng(1, 0, 0, 3), {"pFF"}},
        {"64K TTL3", va(A).rng(3, 0, 0, 3), {"g64k"}},
        {"16K TTL=01 is no hint", va(A).rng(2, 1, 0, 1), {"g16k"}},
        {"TG=0: TTL ignored", va(A + 0x3000).rng(0, 0, 0, 3), {"p103", "g16k", "g64k", "blk2M", "blk1G"}},
        {"no RIL: one address", va(A).rng(1, 3, 0, 3), {"p100", "g16k", "g64k", "nested", "blk2M", "blk1G"},
         false, no_ril()},
        {"S2 64K TTL2", ipa(A).rng(3, 0, 0, 2), {"s2.64k.l2"}},
        {"S2 64K TTL3", ipa(A).rng(3, 0, 0, 3), {}},
        {"S2 4K TTL2", ipa(A).rng(1, 0, 0, 2), {}},
        {"S2 TG=0", ipa(A), {"s2.64k.l2"}},
    });
}

TEST(SmmuInvalidation, WalkCacheEntries) {
    auto w = [](uint64_t base, uint8_t shift, uint8_t level, bool leaf, uint8_t gshift = 12) {
        return smmusim::test::stage1_walk_entry(base, shift, level, leaf, gshift);
    };
    auto s2w = [&](uint64_t base, uint8_t shift, uint8_t level, uint16_t vmid) {
        WalkEntry e = w(base, shift, level, false);
        e.stage = 2;
        e.asid = 0;
        e.vmid = vmid;
        return e;
    };
    const uint64_t WX = 0x40201000, WY = 0x40400000;
    const std::vector<std::pair<std::string, WalkEntry>> cat = {
        {"L0", w(0, 39, 0, false)},
        {"L1", w(0x40000000, 30, 1, false)},
        {"L2", w(0x40200000, 21, 2, false)},
        {"L3t", w(0x40201000, 12, 3, false)},
        {"L2@Y", w(WY, 21, 2, false)},
        {"L2blk@Y", w(WY, 21, 2, true)},
        {"L1blk", w(0x80000000, 30, 1, true)},
        {"L2far", w(0x40600000, 21, 2, false)},
        {"L2.64k", w(0x40000000, 29, 2, false, 16)},
        {"el2.L1", with(w(0x40000000, 30, 1, false),
                        [](WalkEntry& e) { e.world = World::NsEl2, e.vmid_tagged = false, e.vmid = e.asid = 0; })},
        {"s2.L1", s2w(0x40000000, 30, 1, 1)},
        {"s2.L2.v2", s2w(0x40200000, 21, 2, 2)},
    };
    const std::set<std::string> s1all{"L0", "L1", "L2", "L3t", "L2@Y", "L2blk@Y", "L1blk", "L2far", "L2.64k"};
    auto plus = [](std::set<std::string> s, std::initializer_list<std::string> more) {
        s.insert(more);
        return s;
    };
    auto va = [](uint64_t addr, uint64_t leaf) { return Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(addr).leaf(leaf); };
    check(cat, {
        {"NH_VA Leaf=1 X: tables spared", va(WX, 1), {}},
        {"NH_VA Leaf=1 Y: block hit", va(WY, 1), {"L2blk@Y"}},
        {"NH_VA Leaf=1 1G block", va(0x80000000, 1).rng(1, 0, 0, 1), {"L1blk"}},
        {"NH_VA Leaf=0 X", va(WX, 0), {"L0", "L1", "L2", "L3t", "L2.64k"}},
        {"NH_VA Leaf=0 X TTL3", va(WX, 0).rng(1, 0, 0, 3), {"L0", "L1", "L2"}},
        {"NH_VA Leaf=0 Y TTL2", va(WY, 0).rng(1, 0, 0, 2), {"L0", "L1", "L2blk@Y"}},
        {"NH_VA Leaf=0 4M range", va(0x40200000, 0).rng(1, 31, 5, 0), {"L0", "L1", "L2", "L3t", "L2@Y", "L2blk@Y"}},
        {"NH_VA asid6", Cmd(op::TLBI_NH_VA).vmid(1).asid(6).va(WX), {}},
        {"NH_VAA X", Cmd(op::TLBI_NH_VAA).vmid(1).va(WX), {"L0", "L1", "L2", "L3t", "L2.64k"}},
        {"NH_ASID 5", Cmd(op::TLBI_NH_ASID).vmid(1).asid(5), s1all},
        {"NH_ASID 6", Cmd(op::TLBI_NH_ASID).vmid(1).asid(6), {}},
        {"NH_ALL 1", Cmd(op::TLBI_NH_ALL).vmid(1), s1all},
        {"NH_ALL 2", Cmd(op::TLBI_NH_ALL).vmid(2), {}},
        {"S12_VMALL 1", Cmd(op::TLBI_S12_VMALL).vmid(1), plus(s1all, {"s2.L1"})},
        {"S12_VMALL 2", Cmd(op::TLBI_S12_VMALL).vmid(2), {"s2.L2.v2"}},
        {"S2_IPA 1 X", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(WX), {"s2.L1"}},
        {"S2_IPA 2 X", Cmd(op::TLBI_S2_IPA).vmid(2).ipa(WX), {"s2.L2.v2"}},
        {"S2_IPA 1 X Leaf=1", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(WX).leaf(1), {}},
        {"S2_IPA 1 far", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(0x80000000), {}},
        {"NSNH_ALL", Cmd(op::TLBI_NSNH_ALL), plus(s1all, {"s2.L1", "s2.L2.v2"})},
        {"EL2_ALL", Cmd(op::TLBI_EL2_ALL), {"el2.L1"}},
        {"EL2_VA X", Cmd(op::TLBI_EL2_VA).va(WX), {"el2.L1"}},
        {"EL2_VA X e2h", Cmd(op::TLBI_EL2_VA).va(WX), {}, true},
        {"CFGI_ALL", Cmd(op::CFGI_STE_RANGE).range(31), {}},
        {"CFGI_STE", Cmd(op::CFGI_STE).sid(0x10), {}},
    });
}

TEST(SmmuInvalidation, IpaCacheEntries) {
    auto ie = [](uint64_t base, uint8_t shift, uint8_t level, uint16_t vmid) {
        IpaEntry e;
        e.base = base;
        e.shift = shift;
        e.level = level;
        e.gshift = 12;
        e.vmid = vmid;
        return e;
    };
    const uint64_t I = 0x80001000;
    const std::vector<std::pair<std::string, IpaEntry>> cat = {
        {"ipa", ie(I, 12, 3, 1)},
        {"ipa.v2", ie(I, 12, 3, 2)},
        {"ipa.blk", ie(0x80000000, 21, 2, 1)},
        {"ipa.far", ie(0x90000000, 12, 3, 1)},
    };
    check(cat, {
        {"S2_IPA 1 I", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(I), {"ipa", "ipa.blk"}},
        {"S2_IPA 1 I TTL3", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(I).rng(1, 0, 0, 3), {"ipa"}},
        {"S2_IPA 1 I Leaf=1", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(I).leaf(1), {"ipa", "ipa.blk"}},
        {"S2_IPA 2 I", Cmd(op::TLBI_S2_IPA).vmid(2).ipa(I), {"ipa.v2"}},
        {"S12_VMALL 1", Cmd(op::TLBI_S12_VMALL).vmid(1), {"ipa", "ipa.blk", "ipa.far"}},
        {"S12_VMALL 2", Cmd(op::TLBI_S12_VMALL).vmid(2), {"ipa.v2"}},
        {"NSNH_ALL", Cmd(op::TLBI_NSNH_ALL), {"ipa", "ipa.v2", "ipa.blk", "ipa.far"}},
        {"NH_ALL 1", Cmd(op::TLBI_NH_ALL).vmid(1), {}},
        {"NH_ASID 1/0", Cmd(op::TLBI_NH_ASID).vmid(1), {}},
        {"NH_VA 1 I", Cmd(op::TLBI_NH_VA).vmid(1).va(I), {}},
        {"NH_VAA 1 I", Cmd(op::TLBI_NH_VAA).vmid(1).va(I), {}},
        {"EL2_ALL", Cmd(op::TLBI_EL2_ALL), {}},
        {"EL2_VAA I", Cmd(op::TLBI_EL2_VAA).va(I), {}},
        {"CFGI_ALL", Cmd(op::CFGI_STE_RANGE).range(31), {}},
        {"CFGI_CD_ALL 0", Cmd(op::CFGI_CD_ALL), {}},
    });
}

// A stage-1 2 MiB block held as 4 KiB combined entries (over stage-2 pages), and a stage-2
// 2 MiB block held as 4 KiB entries: a by-address TLBI that meets any part of the leaf removes
// every entry split from it (Arm ARM D8.17), of its own stage only (§4.2: S2_IPA need not hit
// combined entries).
TEST(SmmuInvalidation, SplinteredEntriesGoWithTheirWholeLeaf) {
    const uint64_t B = 0x40000000;  // the blocks' base
    auto split_s1 = [](uint64_t page) {
        return with(s1(page), [](TlbEntry& e) {
            e.s1_level = 2, e.s1_lshift = 21, e.s2 = true, e.s2_level = 3, e.s2_gshift = 12, e.s2_lshift = 12;
        });
    };
    auto split_s2 = [](uint64_t page) {
        return with(s2only(page), [](TlbEntry& e) { e.s2_level = 2, e.s2_lshift = 21; });
    };
    const std::vector<std::pair<std::string, TlbEntry>> cat = {
        {"s1blk.p0", split_s1(B)},
        {"s1blk.p5", split_s1(B + 0x5000)},
        {"s1blk.last", split_s1(B + 0x1FF000)},
        {"s1.nextblk", split_s1(B + 0x200000)},
        {"s2blk.p0", split_s2(B)},
        {"s2blk.p9", split_s2(B + 0x9000)},
        {"s2.nextblk", split_s2(B + 0x200000)},
    };
    check(cat, {
        {"NH_VA block base", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(B), {"s1blk.p0", "s1blk.p5", "s1blk.last"}},
        {"NH_VA in the block", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(B + 0x77000),
         {"s1blk.p0", "s1blk.p5", "s1blk.last"}},
        {"NH_VAA TTL2", Cmd(op::TLBI_NH_VAA).vmid(1).va(B + 0x3000).rng(1, 0, 0, 2),
         {"s1blk.p0", "s1blk.p5", "s1blk.last"}},
        {"NH_VA TTL3: not the block's level", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(B).rng(1, 0, 0, 3), {}},
        {"NH_VA range of the block's last 2 pages",
         Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(B + 0x1FE000).rng(1, 1, 0, 0), {"s1blk.p0", "s1blk.p5", "s1blk.last"}},
        {"S2_IPA block base", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(B), {"s2blk.p0", "s2blk.p9"}},
        {"S2_IPA in the block", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(B + 0x100000), {"s2blk.p0", "s2blk.p9"}},
        {"S2_IPA next block", Cmd(op::TLBI_S2_IPA).vmid(1).ipa(B + 0x200000), {"s2.nextblk"}},
    });
}

// Entries hold canonical VAs (TBI); a TLBI by VA matches on VA[55:0] with VA[55] extended,
// whatever its Address[63:56] hold.
TEST(SmmuInvalidation, TlbiByVaIgnoresTheTopByte) {
    const uint64_t hi = 0xFFFF800012345000ull;
    const std::vector<std::pair<std::string, TlbEntry>> cat = {{"lo", s1()}, {"hi", s1(hi)}};
    check(cat, {
        {"tag 0x5A on a low VA", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va((0x5Aull << 56) | X), {"lo"}},
        {"tag 0x00 on a high VA", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(hi & ~(0xFFull << 56)), {"hi"}},
        {"S2_IPA is not a VA", Cmd(op::TLBI_S2_IPA).vmid(1).ipa((0x5Aull << 48) | X), {}},
    });
}

// A global (nG = 0) leaf in a stage-1 walk cache: every ASID's by-VA TLBI removes it, a
// by-ASID one spares it; table entries stay tagged by their ASID.
TEST(SmmuInvalidation, GlobalWalkCacheLeaves) {
    auto w = [](bool leaf, bool global, World world = World::NsEl1) {
        WalkEntry e;
        e.base = 0x40200000;
        e.shift = 21;
        e.level = 2;
        e.leaf = leaf;
        e.global = global;
        e.world = world;
        e.vmid_tagged = world == World::NsEl1;
        e.vmid = world == World::NsEl1 ? 1 : 0;
        e.asid = 5;
        return e;
    };
    const std::vector<std::pair<std::string, WalkEntry>> cat = {
        {"glob", w(true, true)}, {"ng", w(true, false)}, {"table", w(false, false)},
        {"e2h.glob", w(true, true, World::NsEl2E2H)}};
    check(cat, {
        {"NH_VA asid 6", Cmd(op::TLBI_NH_VA).vmid(1).asid(6).va(0x40201000), {"glob"}},
        {"NH_VA asid 5", Cmd(op::TLBI_NH_VA).vmid(1).asid(5).va(0x40201000), {"glob", "ng", "table"}},
        {"NH_ASID 5 spares the global leaf", Cmd(op::TLBI_NH_ASID).vmid(1).asid(5), {"ng", "table"}},
        {"EL2_VA asid 6 e2h", Cmd(op::TLBI_EL2_VA).asid(6).va(0x40201000), {"e2h.glob"}, true},
        {"EL2_ASID 5 e2h spares it", Cmd(op::TLBI_EL2_ASID).asid(5), {}, true},
    });
}
