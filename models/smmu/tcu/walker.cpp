#include "models/smmu/tcu/walker.h"

#include <algorithm>

#include "models/core/sim_time.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/arch/pte.h"

namespace smmusim::smmu::tcu {

using namespace arch;
using cache::TableAttrs;
using cache::WalkEntry;
namespace perm = cache::perm;

namespace {

uint64_t mask_bits(unsigned hi, unsigned lo) {
    return (hi >= 63 ? ~uint64_t(0) : (uint64_t(1) << (hi + 1)) - 1) & ~((uint64_t(1) << lo) - 1);
}
uint64_t low(unsigned shift) { return (uint64_t(1) << shift) - 1; }

uint64_t s2_class(S2Use use) {
    switch (use) {
    case S2Use::Data: return evt_class::IN;
    case S2Use::TableWalk: return evt_class::TT;
    case S2Use::CdFetch: return evt_class::CD;
    }
    return evt_class::IN;
}

Fault s1_fault(uint8_t type) { return Fault{type, false, evt_class::IN, 0, 0}; }

// Where a walk stands: the level and the table entry to read next, or the leaf found.
struct Cursor {
    const Granule& g;
    uint64_t in;  // the input address being walked
    int level;
    uint64_t table;
    uint64_t index;
    uint64_t desc = 0;
    bool have_leaf = false;

    void descend(uint64_t next_table) {
        table = next_table;
        ++level;
        index = g.index(in, level);
    }
    // A walk-cache hit skips the levels above the entry (a leaf skips the whole walk).
    void resume(const WalkEntry& hit) {
        level = hit.level;
        if (hit.leaf) {
            desc = hit.desc;
            have_leaf = true;
        } else {
            descend(pte::address(hit.desc, g.shift));
        }
    }
};

// What a stage-1 leaf grants (fact sheet walk_cmd_evt §2), for both privilege levels.
uint8_t s1_perms(const S1Context& c, uint64_t desc, const TableAttrs& tbl) {
    const uint64_t ap = get<pte::AP>(desc);
    uint8_t p = 0;
    if (c.single_priv) {
        // EL2 without E2H: one privilege level; AP[1], PXN and APTable[0] are unused.
        const bool w = !(ap & 2) && !tbl.no_write;
        const bool x = !get<pte::UXN>(desc) && !tbl.xn && !(c.wxn && w);
        p = uint8_t(perm::PR | (w ? perm::PW : 0) | (x ? perm::PX : 0));
        return uint8_t(p | (p << 3));  // unprivileged accesses are checked as privileged
    }
    const bool ur = (ap & 1) && !tbl.no_unpriv;
    const bool uw = ap == 1 && !tbl.no_unpriv && !tbl.no_write;
    bool pr = true;
    bool pw = !(ap & 2) && !tbl.no_write;
    // Memory writable by unprivileged accesses is never executable by privileged ones; WXN
    // makes writable memory execute-never at that privilege.
    const bool px = !get<pte::PXN>(desc) && !tbl.pxn && !uw && !(c.wxn && pw);
    const bool ux = !get<pte::UXN>(desc) && !tbl.xn && !(c.wxn && uw);
    if (c.pan && (ur || uw)) pr = pw = false;  // PAN: privileged data accesses only
    return uint8_t((pr ? perm::PR : 0) | (pw ? perm::PW : 0) | (px ? perm::PX : 0) | (ur ? perm::UR : 0) |
                   (uw ? perm::UW : 0) | (ux ? perm::UX : 0));
}

// What a stage-2 leaf grants (fact sheet walk_cmd_evt §3): S2AP, and XN[1:0] with XNX.
uint8_t s2_perms(uint64_t desc) {
    const uint64_t s2ap = get<pte::S2AP>(desc);
    const uint64_t xn = get<pte::XN>(desc);
    const bool px = xn == 0 || xn == 3, ux = xn == 0 || xn == 1;
    uint8_t p = uint8_t(((s2ap & 1) ? perm::PR | perm::UR : 0) | ((s2ap & 2) ? perm::PW | perm::UW : 0));
    return uint8_t(p | (px ? perm::PX : 0) | (ux ? perm::UX : 0));
}

bool permitted(uint8_t perms, const Access& a) { return perms & perm::needed(a.write, a.priv, a.instr); }

// A stage-2 leaf checked for a use: walks and CD fetches are data reads and must not land in
// Device memory with S2PTW.
bool s2_allows(const S2Context& c, uint64_t desc, const Access& a, S2Use use) {
    if (use == S2Use::Data) return permitted(s2_perms(desc), a);
    if (!(get<pte::S2AP>(desc) & 1)) return false;
    return !(c.ptw && (get<pte::MemAttr>(desc) & 0xC) == 0);
}

}  // namespace

bool Walker::read(uint64_t pa, uint64_t& desc, WalkState& st, bool stage2) {
    if (env_ && !st.ptw_slot) {
        env_->take_ptw_slot();
        st.ptw_slot = true;
    }
    st.walked = true;
    ++(stage2 ? n_.s2_reads : n_.s1_reads);
    unsigned char b[8];
    const sc_core::sc_time read_start = env_ ? env_->now() : core::now();
    const bool ok = mem_.read(pa, b, 8);
    if (env_ && env_->tracing()) env_->trace_span(stage2 ? "stage-2 descriptor read" : "stage-1 descriptor read", read_start, pa);
    if (!ok) return false;
    desc = 0;
    for (int i = 7; i >= 0; --i) desc = (desc << 8) | b[i];
    return true;
}

const WalkEntry* Walker::cached(int stage, int start, uint64_t addr, unsigned gshift, const Tags& t) {
    if (!env_) return nullptr;
    const WalkEntry* best = nullptr;
    sc_core::sc_time done = env_->now();
    for (int level = start; level <= 3; ++level) {
        cache::WalkCache* c = env_->walk_cache(stage, level);
        if (!c || !c->enable) continue;
        auto f = c->lookup(addr, [&](const WalkEntry& e) {
            return e.gshift == gshift && e.vmid == t.vmid && e.vmid_tagged == t.vmid_tagged && e.world == t.world &&
                   (e.leaf && e.global ? e.aset == t.aset : e.asid == t.asid);
        });
        // The levels are looked up together: the walk waits for the slowest.
        done = std::max(done, env_->lookup_done(*c, c->probes_for(f.sizes_probed)));
        if (f.entry) best = f.entry;
    }
    env_->wait_until(done);
    return best;
}

void Walker::remember(int stage, const WalkEntry& e, const WalkState& st) {
    if (!env_) return;
    cache::WalkCache* c = env_->walk_cache(stage, e.level);
    if (!c || !c->enable || (e.leaf && !c->leaves) || !env_->may_insert(st.start_epoch)) return;
    WalkEntry filled = e;
    filled.fill_epoch = st.start_epoch;
    c->insert(filled, [&](const WalkEntry& o) {
        return o.gshift == e.gshift && o.vmid == e.vmid && o.vmid_tagged == e.vmid_tagged && o.world == e.world &&
               (o.asid == e.asid || (o.leaf && o.global && e.leaf && e.global && o.aset == e.aset));
    });
}

Outcome<WalkResult> Walker::stage2(const S2Context& c, uint64_t ipa, const Access& a, S2Use use, WalkState& st) {
    const uint64_t cls = s2_class(use);
    auto fault = [&](uint8_t type, uint64_t fetch = 0) { return Fault{type, true, cls, ipa, fetch}; };
    // An IPA outside the stage-2 input range is a translation fault, never an address-size one.
    if (c.ias < 64 && (ipa >> c.ias)) return fault(evt::F_TRANSLATION);

    const Granule& g = c.g;
    const Tags tags{cache::World::NsEl1, true, c.vmid, 0};
    auto result = [&](uint64_t desc, int level, uint64_t base) {
        WalkResult r;
        r.leaf_shift = g.level_shift(level);
        r.span_shift = r.leaf_shift + (get<pte::Contiguous>(desc) ? g.contiguous_log2(level) : 0);
        r.oa = base | (ipa & low(r.leaf_shift));
        r.level = level;
        r.gshift = g.shift;
        r.perms = s2_perms(desc);
        r.desc = desc;
        return r;
    };
    cache::IpaCache* ic = env_ ? env_->ipa_cache() : nullptr;
    if (ic && ic->enable) {
        auto f = ic->lookup(ipa, [&](const cache::IpaEntry& e) { return e.vmid == c.vmid && e.gshift == g.shift; });
        env_->wait_until(env_->lookup_done(*ic, ic->probes_for(f.sizes_probed)));
        if (f.entry) {
            if (!s2_allows(c, f.entry->desc, a, use)) return fault(evt::F_PERMISSION);
            return result(f.entry->desc, f.entry->level, f.entry->oa);
        }
    }
    Cursor w{g, ipa, c.start.level, c.ttb, (ipa >> g.level_shift(c.start.level)) & (c.start.entries - 1)};
    if (const WalkEntry* hit = cached(2, w.level, ipa, g.shift, tags)) w.resume(*hit);
    auto entry = [&](bool leaf) {
        const unsigned shift = g.level_shift(w.level);
        return WalkEntry{ipa & ~low(shift), uint8_t(shift), 2, uint8_t(w.level), leaf, w.desc, {},
                         tags.world, true, 0, c.vmid, uint8_t(g.shift)};
    };
    const uint64_t pa_limit = c.ps_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << c.ps_bits) - 1;
    while (!w.have_leaf) {
        const uint64_t desc_pa = w.table + w.index * 8;
        if (!read(desc_pa, w.desc, st, true)) return fault(evt::F_WALK_EABT, desc_pa);
        if (!pte::valid(w.desc)) return fault(evt::F_TRANSLATION);
        if (w.level < 3 && pte::is_table_or_page(w.desc)) {
            const uint64_t next = pte::address(w.desc, g.shift);
            if (next > pa_limit) return fault(evt::F_ADDR_SIZE);
            remember(2, entry(false), st);
            w.descend(next);
            continue;
        }
        w.have_leaf = true;
    }
    const int level = w.level;
    const uint64_t desc = w.desc;
    if (level == 3 ? !pte::is_table_or_page(desc) : !g.block_allowed(level)) return fault(evt::F_TRANSLATION);
    const unsigned shift = g.level_shift(level);
    const uint64_t base = pte::address(desc, g.shift) & ~low(shift);
    if (base > pa_limit) return fault(evt::F_ADDR_SIZE);
    if (!get<pte::AF>(desc) && !c.affd) return fault(evt::F_ACCESS);
    if (!s2_allows(c, desc, a, use)) return fault(evt::F_PERMISSION);
    remember(2, entry(true), st);
    if (ic && ic->enable && env_->may_insert(st.start_epoch))
        ic->insert(cache::IpaEntry{ipa & ~low(shift), uint8_t(shift), base, c.vmid, uint8_t(level), uint8_t(g.shift),
                                   desc, st.start_epoch},
                   [&](const cache::IpaEntry& o) { return o.vmid == c.vmid && o.gshift == g.shift; });
    return result(desc, level, base);
}

Outcome<WalkResult> Walker::stage1(const S1Context& c, const S2Context* s2, const Access& a, WalkState& st) {
    // TTB1 covers VA[55] = 1 in regimes that have it, whatever TBI says.
    const unsigned sel = c.has_ttb1 ? unsigned((a.addr >> 55) & 1) : 0;
    const S1Table& t = c.table[sel];
    const unsigned top = t.tbi ? 55 : 63;
    const uint64_t range = mask_bits(top, t.ia);
    if ((a.addr & range) != (sel ? range : 0)) return s1_fault(evt::F_TRANSLATION);
    if (!t.enabled) return s1_fault(evt::F_TRANSLATION);
    // With TBI the tag is not part of the translation: walk caches hold the canonical VA.
    const uint64_t va = t.tbi ? canonical_va(a.addr) : a.addr;

    const Granule& g = t.g;
    const uint16_t asid = st.world == cache::World::NsEl2 ? 0 : c.asid;  // EL2 entries carry no ASID
    const Tags tags{st.world, st.vmid_tagged, st.vmid, asid, c.aset};
    Cursor w{g, va, t.start, t.ttb,
             (va >> g.level_shift(t.start)) & ((uint64_t(1) << (t.ia - g.level_shift(t.start))) - 1)};
    TableAttrs tbl;
    const uint64_t ipa_limit = c.ips_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << c.ips_bits) - 1;
    if (const WalkEntry* hit = cached(1, w.level, va, g.shift, tags)) {
        tbl = hit->attrs;
        w.resume(*hit);
    }
    auto entry = [&](bool leaf) {
        const unsigned shift = g.level_shift(w.level);
        return WalkEntry{va & ~low(shift), uint8_t(shift), 1, uint8_t(w.level), leaf, w.desc, tbl, st.world,
                         st.vmid_tagged, asid, st.vmid, uint8_t(g.shift), leaf && !get<pte::nG>(w.desc), c.aset};
    };
    while (!w.have_leaf) {
        const uint64_t desc_ipa = w.table + w.index * 8;
        uint64_t desc_pa = desc_ipa;
        if (s2) {
            Outcome<WalkResult> r = stage2(*s2, desc_ipa, a, S2Use::TableWalk, st);
            if (auto* f = std::get_if<Fault>(&r)) return *f;
            desc_pa = std::get<WalkResult>(r).oa;
        }
        if (!read(desc_pa, w.desc, st, false)) return Fault{evt::F_WALK_EABT, false, evt_class::TT, 0, desc_pa};
        const uint64_t desc = w.desc;
        if (!pte::valid(desc)) return s1_fault(evt::F_TRANSLATION);
        if (w.level < 3 && pte::is_table_or_page(desc)) {
            const uint64_t next = pte::address(desc, g.shift);
            if (next > ipa_limit) return s1_fault(evt::F_ADDR_SIZE);
            const uint64_t aptable = get<pte::APTable>(desc);
            tbl.no_unpriv |= (aptable & 1) != 0;
            tbl.no_write |= (aptable & 2) != 0;
            tbl.pxn |= get<pte::PXNTable>(desc) != 0;
            tbl.xn |= get<pte::XNTable>(desc) != 0;
            remember(1, entry(false), st);
            w.descend(next);
            continue;
        }
        w.have_leaf = true;
    }
    const int level = w.level;
    const uint64_t desc = w.desc;
    if (level == 3 ? !pte::is_table_or_page(desc) : !g.block_allowed(level)) return s1_fault(evt::F_TRANSLATION);
    const unsigned shift = g.level_shift(level);
    const uint64_t base = pte::address(desc, g.shift) & ~low(shift);
    if (base > ipa_limit) return s1_fault(evt::F_ADDR_SIZE);
    if (!get<pte::AF>(desc) && !c.affd) return s1_fault(evt::F_ACCESS);
    WalkResult r;
    r.perms = s1_perms(c, desc, tbl);
    if (!permitted(r.perms, a)) return s1_fault(evt::F_PERMISSION);
    remember(1, entry(true), st);
    r.leaf_shift = shift;
    r.span_shift = shift + (get<pte::Contiguous>(desc) ? g.contiguous_log2(level) : 0);
    r.oa = base | (va & low(shift));
    r.level = level;
    r.gshift = g.shift;
    r.global = !get<pte::nG>(desc);
    r.tbi = t.tbi;
    r.desc = desc;
    return r;
}

}  // namespace smmusim::smmu::tcu
