// What each broadcast TLBI removes (cache::InvScope::from_dvm, SMMUv3 §3.17): table driven, for
// every operation the exact set of entries hit, against the rules of the spec's §3.17 rather
// than the code: ASET = 1 entries spared by the ASID-matching operations only, the VMID always
// matched (VMID 0 without stage 2), regimes kept apart, illegal operations ignored; and that
// commands (CMD_TLBI_*) still ignore ASET.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/smmu/arch/dvm.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/cache/invalidation.h"
#include "models/smmu/features.h"
#include "tests/unit/smmu/scope_table.h"

using namespace smmusim::smmu;
using namespace smmusim::smmu::cache;
using arch::dvm::Message;
using arch::dvm::Tlbi;
namespace dvm = arch::dvm;

namespace {

constexpr uint64_t X = 0x12345000;

struct Case {
    std::string what;
    Message m;
    std::set<std::string> hit;
    Features f = {};
};

Message msg(Tlbi op, uint64_t xt = 0, uint16_t vmid = 1, bool el20 = false) { return Message{op, xt, vmid, el20}; }

template <typename E>
void check(const std::vector<std::pair<std::string, E>>& catalogue, const std::vector<Case>& cases) {
    smmusim::test::check_hits(catalogue, cases, [](const Case& c) { return InvScope::from_dvm(c.m, c.f); });
}

using smmusim::test::with;

// A stage-1 NS-EL1 4 KiB page of VMID 1, ASID 5, shared (ASET = 0).
TlbEntry s1(uint64_t base = X) { return smmusim::test::stage1_page(base); }

TlbEntry el2(World w, uint16_t asid, bool global, bool aset = false) {
    return with(s1(), [&](TlbEntry& e) {
        e.world = w, e.vmid_tagged = false, e.vmid = 0, e.asid = asid, e.global = global, e.aset = aset;
    });
}

std::vector<std::pair<std::string, TlbEntry>> catalogue() {
    return {
        {"s1", s1()},
        {"s1.aset", with(s1(), [](TlbEntry& e) { e.aset = true; })},
        {"s1.asid6", with(s1(), [](TlbEntry& e) { e.asid = 6; })},
        {"s1.glob", with(s1(), [](TlbEntry& e) { e.global = true, e.asid = 0; })},
        {"s1.glob.aset", with(s1(), [](TlbEntry& e) { e.global = true, e.asid = 0, e.aset = true; })},
        {"s1.vmid0", with(s1(), [](TlbEntry& e) { e.vmid = 0; })},
        {"s1.next", s1(X + 0x1000)},
        {"s1.block", with(s1(X & ~0x1FFFFFull), [](TlbEntry& e) { e.shift = 21, e.s1_level = 2; })},
        {"nested", with(s1(), [](TlbEntry& e) { e.s2 = true, e.s2_level = 3, e.s2_gshift = 12; })},
        {"s2", with(s1(), [](TlbEntry& e) {
             e.s1 = false, e.s2 = true, e.cd = -1, e.asid = 0, e.s2_level = 3, e.s2_gshift = 12;
         })},
        {"s2.vmid2", with(s1(), [](TlbEntry& e) {
             e.s1 = false, e.s2 = true, e.cd = -1, e.asid = 0, e.vmid = 2, e.s2_level = 3, e.s2_gshift = 12;
         })},
        {"bypass", with(s1(), [](TlbEntry& e) { e.s1 = false, e.cd = -1; })},
        {"el2", el2(World::NsEl2, 0, false)},
        {"el2.aset", el2(World::NsEl2, 0, false, true)},
        {"e2h", el2(World::NsEl2E2H, 5, false)},
        {"e2h.aset", el2(World::NsEl2E2H, 5, false, true)},
        {"e2h.glob", el2(World::NsEl2E2H, 0, true)},
    };
}

const std::set<std::string> kVmid1S1 = {"s1",      "s1.aset", "s1.asid6", "s1.glob", "s1.glob.aset",
                                        "s1.next", "s1.block", "nested"};

}  // namespace

TEST(SmmuInvalidationDvm, EL1BroadcastsByTheRulesOfSection3_17) {
    using dvm::va_operand;
    auto plus = [](std::set<std::string> s, std::initializer_list<std::string> more) {
        s.insert(more);
        return s;
    };
    check(catalogue(), {
        // ASID-matching operations spare ASET = 1 (global ones too: they are the same operations).
        {"VAE1IS 1/5 X", msg(Tlbi::VAE1IS, va_operand(X, 5)), {"s1", "s1.glob", "s1.block", "nested"}},
        {"VALE1IS 1/5 X", msg(Tlbi::VALE1IS, va_operand(X, 5)), {"s1", "s1.glob", "s1.block", "nested"}},
        {"VAE1IS 1/6 X", msg(Tlbi::VAE1IS, va_operand(X, 6)), {"s1.asid6", "s1.glob"}},
        {"ASIDE1IS 1/5", msg(Tlbi::ASIDE1IS, dvm::asid_operand(5)), {"s1", "s1.next", "s1.block", "nested"}},
        // Every other operation hits ASET = 1.
        {"VAAE1IS 1 X", msg(Tlbi::VAAE1IS, va_operand(X, 0)),
         {"s1", "s1.aset", "s1.asid6", "s1.glob", "s1.glob.aset", "s1.block", "nested"}},
        {"VMALLE1IS 1", msg(Tlbi::VMALLE1IS), kVmid1S1},
        {"VMALLE1IS 0", msg(Tlbi::VMALLE1IS, 0, 0), {"s1.vmid0"}},
        {"VMALLS12E1IS 1", msg(Tlbi::VMALLS12E1IS), plus(kVmid1S1, {"s2"})},
        {"IPAS2E1IS 1 X", msg(Tlbi::IPAS2E1IS, dvm::ipa_operand(X)), {"s2"}},
        {"IPAS2E1IS 2 X", msg(Tlbi::IPAS2E1IS, dvm::ipa_operand(X), 2), {"s2.vmid2"}},
        {"ALLE1IS", msg(Tlbi::ALLE1IS, 0, 7), plus(kVmid1S1, {"s1.vmid0", "s2", "s2.vmid2"})},
        // VMID 2 has no stage-1 entries here.
        {"VAE1IS 2/5 X", msg(Tlbi::VAE1IS, va_operand(X, 5), 2), {}},
        // Range: 2 pages from X (SCALE 0, NUM 0); a 4K level-2 hint reaches only the block.
        {"RVAE1IS 1/5 X 2 pages", msg(Tlbi::RVAE1IS, dvm::range_operand(X, 5, 12, 0, 0)),
         {"s1", "s1.glob", "s1.next", "s1.block", "nested"}},
        {"RVAAE1IS 1 X 2 pages", msg(Tlbi::RVAAE1IS, dvm::range_operand(X, 0, 12, 0, 0)),
         {"s1", "s1.aset", "s1.asid6", "s1.glob", "s1.glob.aset", "s1.next", "s1.block", "nested"}},
        {"VAE1IS TTL 4K L2", msg(Tlbi::VAE1IS, va_operand(X, 5, dvm::ttl_hint(12, 2))), {"s1.block"}},
        {"RVAE1IS reserved TG", msg(Tlbi::RVAE1IS, arch::put<dvm::XtRangeTg>(dvm::range_operand(X, 5, 12, 0, 0), 0)),
         {}},
    });
}

TEST(SmmuInvalidationDvm, EL2AndVheHostBroadcastsReachOnlyTheirRegime) {
    using dvm::va_operand;
    check(catalogue(), {
        // any-EL2: no ASIDs; ASET = 1 spared by VA forms, hit by ALLE2IS.
        {"VAE2IS X", msg(Tlbi::VAE2IS, va_operand(X, 9), 0), {"el2"}},
        {"ALLE2IS", msg(Tlbi::ALLE2IS, 0, 0), {"el2", "el2.aset"}},
        // EL2&0 (HCR_EL2.E2H = 1): by ASID; EL1 operations of a VHE host act here too.
        {"VAE2IS E2H 5 X", msg(Tlbi::VAE2IS, va_operand(X, 5), 0, true), {"e2h", "e2h.glob"}},
        {"ALLE2IS E2H", msg(Tlbi::ALLE2IS, 0, 0, true), {"e2h", "e2h.aset", "e2h.glob"}},
        {"VAE1IS VHE 5 X", msg(Tlbi::VAE1IS, va_operand(X, 5), 0, true), {"e2h", "e2h.glob"}},
        {"VAAE1IS VHE X", msg(Tlbi::VAAE1IS, va_operand(X, 0), 0, true), {"e2h", "e2h.aset", "e2h.glob"}},
        {"ASIDE1IS VHE 5", msg(Tlbi::ASIDE1IS, dvm::asid_operand(5), 0, true), {"e2h"}},
        {"VMALLE1IS VHE", msg(Tlbi::VMALLE1IS, 0, 0, true), {"e2h", "e2h.aset", "e2h.glob"}},
    });
}

TEST(SmmuInvalidationDvm, IllegalOrUnimplementedOperationsAreIgnored) {
    Features no_s2;
    no_s2.s2p = false;
    Features no_hyp;
    no_hyp.hyp = false;
    const std::vector<std::pair<std::string, TlbEntry>> cat = {
        {"untagged", with(s1(), [](TlbEntry& e) { e.vmid_tagged = false, e.vmid = 0; })},
        {"untagged.aset", with(s1(), [](TlbEntry& e) { e.vmid_tagged = false, e.vmid = 0, e.aset = true; })},
        {"e2h", el2(World::NsEl2E2H, 5, false)},
    };
    check(cat, {
        // Without stage 2 the SMMU matches VMID 0 (§3.17).
        {"VAE1IS 0/5 no S2P", msg(Tlbi::VAE1IS, dvm::va_operand(X, 5), 0), {"untagged"}, no_s2},
        {"VAE1IS 3/5 no S2P", msg(Tlbi::VAE1IS, dvm::va_operand(X, 5), 3), {}, no_s2},
        {"IPAS2E1IS no S2P", msg(Tlbi::IPAS2E1IS, dvm::ipa_operand(X), 0), {}, no_s2},
        // A both-stages operation affects the stage that is implemented.
        {"VMALLS12E1IS 0 no S2P", msg(Tlbi::VMALLS12E1IS, 0, 0), {"untagged", "untagged.aset"}, no_s2},
        {"VMALLS12E1IS 3 no S2P", msg(Tlbi::VMALLS12E1IS, 0, 3), {}, no_s2},
        {"VAE2IS E2H no HYP", msg(Tlbi::VAE2IS, dvm::va_operand(X, 5), 0, true), {}, no_hyp},
        {"VAE1IS VHE no HYP", msg(Tlbi::VAE1IS, dvm::va_operand(X, 5), 0, true), {}, no_hyp},
    });
    Features no_s1;
    no_s1.s1p = false;
    no_s1.hyp = false;
    EXPECT_EQ(InvScope::from_dvm(msg(Tlbi::VAAE1IS, dvm::va_operand(X, 0)), no_s1).kind, InvScope::Kind::None);
    EXPECT_EQ(InvScope::from_dvm(msg(Tlbi::IPAS2E1IS, dvm::ipa_operand(X)), no_s1).kind, InvScope::Kind::S2Ipa);
}

// CMD_TLBI_* invalidate regardless of ASET (§3.17).
TEST(SmmuInvalidationDvm, CommandsIgnoreAset) {
    arch::Command c;
    c.set<arch::Command::Opcode>(arch::op::TLBI_NH_ASID);
    c.set<arch::Command::VMID>(1);
    c.set<arch::Command::ASID>(5);
    const TlbEntry aset = with(s1(), [](TlbEntry& e) { e.aset = true; });
    EXPECT_TRUE(hits(InvScope::from(c, Features{}, false), aset));
    c.set<arch::Command::Opcode>(arch::op::TLBI_NH_VA);
    c.set_address<arch::Command::Address>(X);
    EXPECT_TRUE(hits(InvScope::from(c, Features{}, false), aset));
}

TEST(SmmuInvalidationDvm, WalkCacheEntriesFollowTheSameRules) {
    auto w = [](uint64_t base, uint8_t shift, uint8_t level, bool leaf, bool aset) {
        return with(smmusim::test::stage1_walk_entry(base, shift, level, leaf), [&](WalkEntry& e) { e.aset = aset; });
    };
    const std::vector<std::pair<std::string, WalkEntry>> cat = {
        {"L2", w(X & ~0x1FFFFFull, 21, 2, false, false)},
        {"L2.aset", w(X & ~0x1FFFFFull, 21, 2, false, true)},
        {"s2.L2", with(w(X & ~0x1FFFFFull, 21, 2, false, false), [](WalkEntry& e) { e.stage = 2, e.asid = 0; })},
    };
    check(cat, {
        {"VAE1IS 1/5 X", msg(Tlbi::VAE1IS, dvm::va_operand(X, 5)), {"L2"}},
        {"VALE1IS 1/5 X: tables spared", msg(Tlbi::VALE1IS, dvm::va_operand(X, 5)), {}},
        {"VAAE1IS 1 X", msg(Tlbi::VAAE1IS, dvm::va_operand(X, 0)), {"L2", "L2.aset"}},
        {"ASIDE1IS 1/5", msg(Tlbi::ASIDE1IS, dvm::asid_operand(5)), {"L2"}},
        {"IPAS2E1IS 1 X", msg(Tlbi::IPAS2E1IS, dvm::ipa_operand(X)), {"s2.L2"}},
        {"VMALLS12E1IS 1", msg(Tlbi::VMALLS12E1IS), {"L2", "L2.aset", "s2.L2"}},
    });
}
