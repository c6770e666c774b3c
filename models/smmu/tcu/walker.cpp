#include "models/smmu/tcu/walker.h"

#include "models/smmu/arch/events.h"
#include "models/smmu/arch/pte.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

uint64_t mask_bits(unsigned hi, unsigned lo) {
    return (hi >= 63 ? ~uint64_t(0) : (uint64_t(1) << (hi + 1)) - 1) & ~((uint64_t(1) << lo) - 1);
}

uint64_t s2_class(S2Use use) {
    switch (use) {
    case S2Use::Data: return evt_class::IN;
    case S2Use::TableWalk: return evt_class::TT;
    case S2Use::CdFetch: return evt_class::CD;
    }
    return evt_class::IN;
}

Fault s1_fault(uint8_t type) { return Fault{type, false, evt_class::IN, 0, 0}; }

bool read_desc(TableReader& mem, uint64_t pa, uint64_t& desc) {
    unsigned char b[8];
    if (!mem.read(pa, b, 8)) return false;
    desc = 0;
    for (int i = 7; i >= 0; --i) desc = (desc << 8) | b[i];
    return true;
}

// Stage-1 permissions (fact sheet §2). Hierarchical table restrictions are accumulated in
// `tbl` (APTable bits 61/62, PXNTable, XNTable).
struct TableAttrs {
    bool no_unpriv = false, no_write = false, pxn = false, xn = false;
};

bool s1_permitted(const S1Context& c, uint64_t desc, const TableAttrs& tbl, const Access& a) {
    const uint64_t ap = get<pte::AP>(desc);
    bool r, w, x;
    if (c.single_priv) {
        // EL2 without E2H: one privilege level; AP[1], PXN and APTable[0] are unused.
        r = true;
        w = !(ap & 2) && !tbl.no_write;
        x = !get<pte::UXN>(desc) && !tbl.xn;
    } else {
        bool ur = (ap & 1) && !tbl.no_unpriv;
        bool uw = ap == 1 && !tbl.no_unpriv && !tbl.no_write;
        bool pr = true;
        bool pw = !(ap & 2) && !tbl.no_write;
        // Memory writable by unprivileged accesses is never executable by privileged ones.
        bool px = !get<pte::PXN>(desc) && !tbl.pxn && !uw;
        bool ux = !get<pte::UXN>(desc) && !tbl.xn;
        if (c.pan && a.priv && !a.instr && (ur || uw)) pr = pw = false;
        r = a.priv ? pr : ur;
        w = a.priv ? pw : uw;
        x = a.priv ? px : ux;
    }
    if (c.wxn && w) x = false;
    if (a.instr) return x;  // instruction fetches need execute permission only
    return a.write ? w : r;
}

// Stage-2 permissions (fact sheet §3): S2AP read/write, XN[1:0] with XNX.
bool s2_permitted(uint64_t desc, const Access& a, S2Use use) {
    const uint64_t s2ap = get<pte::S2AP>(desc);
    if (use != S2Use::Data) return s2ap & 1;  // table walks and CD fetches are data reads
    if (a.instr) {
        switch (get<pte::XN>(desc)) {
        case 0: return true;
        case 1: return !a.priv;
        case 2: return false;
        default: return a.priv;
        }
    }
    return a.write ? (s2ap & 2) : (s2ap & 1);
}

}  // namespace

Outcome<WalkResult> Walker::stage2(const S2Context& c, uint64_t ipa, const Access& a, S2Use use) {
    const uint64_t cls = s2_class(use);
    auto fault = [&](uint8_t type, uint64_t fetch = 0) { return Fault{type, true, cls, ipa, fetch}; };
    // An IPA outside the stage-2 input range is a translation fault, never an address-size one.
    if (c.ias < 64 && (ipa >> c.ias)) return fault(evt::F_TRANSLATION);

    const Granule& g = c.g;
    int level = c.start.level;
    uint64_t table = c.ttb;
    uint64_t index = (ipa >> g.level_shift(level)) & (c.start.entries - 1);
    const uint64_t pa_limit = c.ps_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << c.ps_bits) - 1;
    for (;;) {
        const uint64_t desc_pa = table + index * 8;
        uint64_t desc;
        ++n_.s2_reads;
        if (!read_desc(mem_, desc_pa, desc)) return fault(evt::F_WALK_EABT, desc_pa);
        if (!pte::valid(desc)) return fault(evt::F_TRANSLATION);
        if (level < 3 && pte::is_table_or_page(desc)) {
            table = pte::address(desc, g.shift);
            if (table > pa_limit) return fault(evt::F_ADDR_SIZE);
            ++level;
            index = g.index(ipa, level);
            continue;
        }
        if (level == 3 ? !pte::is_table_or_page(desc) : !g.block_allowed(level))
            return fault(evt::F_TRANSLATION);
        const unsigned shift = g.level_shift(level);
        const uint64_t base = pte::address(desc, g.shift) & ~((uint64_t(1) << shift) - 1);
        if (base > pa_limit) return fault(evt::F_ADDR_SIZE);
        if (!get<pte::AF>(desc) && !c.affd) return fault(evt::F_ACCESS);
        if (!s2_permitted(desc, a, use)) return fault(evt::F_PERMISSION);
        // S2PTW: walks and CD fetches must not land in Device memory (MemAttr[3:2] == 00).
        if (use != S2Use::Data && c.ptw && (get<pte::MemAttr>(desc) & 0xC) == 0)
            return fault(evt::F_PERMISSION);
        return WalkResult{base | (ipa & ((uint64_t(1) << shift) - 1)), shift};
    }
}

Outcome<WalkResult> Walker::stage1(const S1Context& c, const S2Context* s2, const Access& a) {
    const uint64_t va = a.addr;
    // TTB1 covers VA[55] = 1 in regimes that have it, whatever TBI says.
    const unsigned sel = c.has_ttb1 ? unsigned((va >> 55) & 1) : 0;
    const S1Table& t = c.table[sel];
    const unsigned top = t.tbi ? 55 : 63;
    const uint64_t range = mask_bits(top, t.ia);
    if ((va & range) != (sel ? range : 0)) return s1_fault(evt::F_TRANSLATION);
    if (!t.enabled) return s1_fault(evt::F_TRANSLATION);

    const Granule& g = t.g;
    int level = t.start;
    uint64_t table = t.ttb;
    uint64_t index = (va >> g.level_shift(level)) & ((uint64_t(1) << (t.ia - g.level_shift(level))) - 1);
    const uint64_t ipa_limit = c.ips_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << c.ips_bits) - 1;
    TableAttrs tbl;
    for (;;) {
        const uint64_t desc_ipa = table + index * 8;
        uint64_t desc_pa = desc_ipa;
        if (s2) {
            Outcome<WalkResult> r = stage2(*s2, desc_ipa, a, S2Use::TableWalk);
            if (auto* f = std::get_if<Fault>(&r)) return *f;
            desc_pa = std::get<WalkResult>(r).oa;
        }
        uint64_t desc;
        ++n_.s1_reads;
        if (!read_desc(mem_, desc_pa, desc)) return Fault{evt::F_WALK_EABT, false, evt_class::TT, 0, desc_pa};
        if (!pte::valid(desc)) return s1_fault(evt::F_TRANSLATION);
        if (level < 3 && pte::is_table_or_page(desc)) {
            table = pte::address(desc, g.shift);
            if (table > ipa_limit) return s1_fault(evt::F_ADDR_SIZE);
            const uint64_t aptable = get<pte::APTable>(desc);
            tbl.no_unpriv |= (aptable & 1) != 0;
            tbl.no_write |= (aptable & 2) != 0;
            tbl.pxn |= get<pte::PXNTable>(desc) != 0;
            tbl.xn |= get<pte::XNTable>(desc) != 0;
            ++level;
            index = g.index(va, level);
            continue;
        }
        if (level == 3 ? !pte::is_table_or_page(desc) : !g.block_allowed(level))
            return s1_fault(evt::F_TRANSLATION);
        const unsigned shift = g.level_shift(level);
        const uint64_t base = pte::address(desc, g.shift) & ~((uint64_t(1) << shift) - 1);
        if (base > ipa_limit) return s1_fault(evt::F_ADDR_SIZE);
        if (!get<pte::AF>(desc) && !c.affd) return s1_fault(evt::F_ACCESS);
        if (!s1_permitted(c, desc, tbl, a)) return s1_fault(evt::F_PERMISSION);
        return WalkResult{base | (va & ((uint64_t(1) << shift) - 1)), shift};
    }
}

}  // namespace smmusim::smmu::tcu
