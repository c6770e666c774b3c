#include "models/smmu/cache/invalidation.h"

#include <algorithm>

#include "models/smmu/arch/geometry.h"

namespace smmusim::smmu::cache {

using namespace arch;
using Kind = InvScope::Kind;

namespace {
bool is_el2(Kind k) { return k >= Kind::El2All && k <= Kind::El2Vaa; }
bool by_address(Kind k) { return k == Kind::NhVa || k == Kind::NhVaa || k == Kind::El2Va || k == Kind::El2Vaa; }
}  // namespace

InvScope InvScope::from(const Command& c, const Features& f, bool e2h) {
    InvScope s;
    s.e2h = e2h;
    s.match_vmid = f.s2p;
    s.sid = s.sid_last = uint32_t(c.get<Command::StreamID>());
    s.ssid = uint32_t(c.get<Command::SubstreamID>());
    s.asid = uint16_t(c.get<Command::ASID>());
    s.vmid = uint16_t(c.get<Command::VMID>());
    auto with_range = [&](Kind k) {
        s.kind = k;
        // Consumed commands passed validation, so the range decodes.
        s.range = decode_tlbi_range(c, f.ril).value_or(TlbiRange{});
        // Entries hold canonical VAs (TBI); the tag of a TLBI's VA is not matched.
        if (k != Kind::S2Ipa) s.range.addr = canonical_va(s.range.addr);
    };
    switch (c.opcode()) {
    case op::CFGI_STE: s.kind = Kind::CfgiSte; break;
    case op::CFGI_STE_RANGE: {
        const uint64_t range = c.get<Command::Range>();
        if (range == 31) {
            s.kind = Kind::CfgiAll;
            break;
        }
        const uint64_t n = uint64_t(1) << (range + 1);  // 2^(Range+1) aligned StreamIDs
        s.kind = Kind::CfgiSteRange;
        s.sid = uint32_t(s.sid & ~(n - 1));
        s.sid_last = uint32_t(std::min<uint64_t>(uint64_t(s.sid) + n - 1, 0xFFFFFFFFull));
        break;
    }
    case op::CFGI_CD: s.kind = Kind::CfgiCd; break;
    case op::CFGI_CD_ALL: s.kind = Kind::CfgiCdAll; break;
    case op::TLBI_NH_ALL: s.kind = Kind::NhAll; break;
    case op::TLBI_NH_ASID: s.kind = Kind::NhAsid; break;
    case op::TLBI_NH_VA: with_range(Kind::NhVa); break;
    case op::TLBI_NH_VAA: with_range(Kind::NhVaa); break;
    case op::TLBI_EL2_ALL: s.kind = Kind::El2All; break;
    case op::TLBI_EL2_ASID: s.kind = Kind::El2Asid; break;
    case op::TLBI_EL2_VA: with_range(Kind::El2Va); break;
    case op::TLBI_EL2_VAA: with_range(Kind::El2Vaa); break;
    case op::TLBI_S12_VMALL: s.kind = Kind::S12Vmall; break;
    case op::TLBI_S2_IPA: with_range(Kind::S2Ipa); break;
    case op::TLBI_NSNH_ALL: s.kind = Kind::NsnhAll; break;
    default: s.kind = Kind::None; break;
    }
    return s;
}

InvScope InvScope::from_dvm(const dvm::Message& m, const Features& f) {
    using dvm::Tlbi;
    InvScope s;
    s.broadcast = true;
    s.match_vmid = true;
    s.vmid = m.vmid;
    s.e2h = m.el20;
    s.asid = uint16_t(get<dvm::XtAsid>(m.xt));
    if (dvm::by_address(m.op)) {
        const std::optional<TlbiRange> r = dvm::decode_address(m.op, m.xt);
        if (!r) return s;  // reserved encoding: None
        s.range = *r;
        if (!dvm::is_ipa(m.op)) s.range.addr = canonical_va(s.range.addr);
    }
    // The EL1 stage-1 operations act on the EL2&0 regime when the PE runs a VHE host.
    const bool el20 = m.el20;
    switch (m.op) {
    case Tlbi::VAE1IS:
    case Tlbi::VALE1IS:
    case Tlbi::RVAE1IS:
    case Tlbi::RVALE1IS: s.kind = el20 ? Kind::El2Va : Kind::NhVa; break;
    case Tlbi::VAAE1IS:
    case Tlbi::VAALE1IS:
    case Tlbi::RVAAE1IS:
    case Tlbi::RVAALE1IS: s.kind = el20 ? Kind::El2Vaa : Kind::NhVaa; break;
    case Tlbi::ASIDE1IS: s.kind = el20 ? Kind::El2Asid : Kind::NhAsid; break;
    case Tlbi::VMALLE1IS: s.kind = el20 ? Kind::El2All : Kind::NhAll; break;
    case Tlbi::IPAS2E1IS:
    case Tlbi::IPAS2LE1IS:
    case Tlbi::RIPAS2E1IS:
    case Tlbi::RIPAS2LE1IS: s.kind = f.s2p ? Kind::S2Ipa : Kind::None; break;
    // Both stages: without stage 2 it affects stage 1 of the VMID (which must then be 0).
    case Tlbi::VMALLS12E1IS: s.kind = f.s2p ? Kind::S12Vmall : Kind::NhAll; break;
    case Tlbi::ALLE1IS: s.kind = Kind::NsnhAll; break;
    case Tlbi::VAE2IS:
    case Tlbi::VALE2IS:
    case Tlbi::RVAE2IS:
    case Tlbi::RVALE2IS: s.kind = Kind::El2Va; break;
    case Tlbi::ALLE2IS: s.kind = Kind::El2All; break;
    }
    const bool stage1 = s.kind != Kind::S2Ipa && s.kind != Kind::S12Vmall && s.kind != Kind::NsnhAll;
    if ((stage1 && !f.s1p) || (is_el2(s.kind) && !f.hyp)) s.kind = Kind::None;
    return s;
}

namespace {

// A broadcast always names a VMID: entries without a VMID tag (S2P = 0) are VMID 0's (§3.17).
bool vmid_ok(const InvScope& s, bool tagged, uint16_t vmid) {
    if (s.broadcast) return (tagged ? vmid : 0) == s.vmid;
    return !s.match_vmid || !tagged || vmid == s.vmid;
}

// Whether a broadcast spares a stage-1 entry of a non-shared ASID (CD.ASET = 1, §3.17): the
// operations that match an ASID (VA{L}ExIS, ASIDExIS; at any-EL2, which has no ASIDs, the VA
// forms) do; everything else must hit it. (A broadcast VAA form reaches the EL2 regimes only from
// a VHE host's VAA{L}E1IS, EL2&0, which must hit ASET = 1 entries: there is no VAAE2IS.)
bool aset_spared(const InvScope& s, bool aset) {
    if (!s.broadcast || !aset) return false;
    switch (s.kind) {
    case Kind::NhVa:
    case Kind::NhAsid:
    case Kind::El2Asid:
    case Kind::El2Va: return true;
    default: return false;
    }
}

// A leaf of `level` in a granule of 2^gshift covering [base, base + 2^shift) against the
// address range, TG and TTL of a by-address invalidation.
bool leaf_in_range(const InvScope& s, uint64_t base, uint8_t shift, uint8_t level, uint8_t gshift) {
    const TlbiRange& r = s.range;
    if (!r.overlaps(base, shift >= 64 ? ~uint64_t(0) : uint64_t(1) << shift)) return false;
    if (r.is_range() && gshift != r.tg_shift) return false;
    return r.ttl == 0 || level == r.ttl;
}

// Which regime and ASID an EL2_* command selects (fact sheet walk_cmd_evt §6).
bool el2_hits(const InvScope& s, World w, bool global, uint16_t asid, bool by_asid) {
    // A broadcast ALLE2IS (or a VHE host's VMALLE1IS) reaches only its own regime's entries.
    if (s.kind == Kind::El2All) return s.broadcast ? w == (s.e2h ? World::NsEl2E2H : World::NsEl2) : w != World::NsEl1;
    if (s.kind == Kind::El2Asid) return w == World::NsEl2E2H && !global && asid == s.asid;
    if (!s.e2h) return w == World::NsEl2;  // EL2_VA / EL2_VAA without E2H: ASID ignored
    return w == World::NsEl2E2H && (!by_asid || global || asid == s.asid);
}


}  // namespace

bool hits_config(const InvScope& s, uint32_t sid, int32_t cd) {
    switch (s.kind) {
    case Kind::CfgiSte: return sid == s.sid;
    case Kind::CfgiSteRange: return sid >= s.sid && sid <= s.sid_last;
    case Kind::CfgiAll: return true;
    case Kind::CfgiCd: return sid == s.sid && cd >= 0 && uint32_t(cd) == s.ssid;
    case Kind::CfgiCdAll: return sid == s.sid && cd >= 0;
    default: return false;
    }
}

bool hits(const InvScope& s, const TlbEntry& e) {
    if (s.config()) return hits_config(s, e.sid, e.cd);
    if (!e.s1 && !e.s2) return false;  // an STE-bypass entry goes only with its configuration
    // By address, an entry is matched by the whole leaf it came from (splintered blocks).
    const uint8_t reach = uint8_t(e.reach_shift());
    const uint64_t reach_base = e.base & ~((uint64_t(1) << reach) - 1);
    auto s1_va = [&] { return leaf_in_range(s, reach_base, reach, e.s1_level, e.s1_gshift); };
    if (e.s1 && aset_spared(s, e.aset)) return false;
    if (is_el2(s.kind)) {
        if (!el2_hits(s, e.world, e.global, e.asid, s.kind == Kind::El2Va)) return false;
        return !by_address(s.kind) || s1_va();
    }
    if (e.world != World::NsEl1) return false;
    const bool vm = vmid_ok(s, e.vmid_tagged, e.vmid);
    switch (s.kind) {
    case Kind::NhAll: return e.s1 && vm;
    case Kind::NhAsid: return e.s1 && vm && !e.global && e.asid == s.asid;
    case Kind::NhVa:
        return e.s1 && vm && (e.global || e.asid == s.asid) && s1_va();
    case Kind::NhVaa: return e.s1 && vm && s1_va();
    case Kind::S12Vmall: return e.vmid_tagged && e.vmid == s.vmid;
    // Combined stage-1+2 entries need not be hit by S2_IPA (§4.2): only stage-2-only ones are.
    case Kind::S2Ipa:
        return !e.s1 && e.s2 && e.vmid == s.vmid && leaf_in_range(s, reach_base, reach, e.s2_level, e.s2_gshift);
    case Kind::NsnhAll: return true;
    default: return false;
    }
}

bool hits(const InvScope& s, const WalkEntry& e) {
    if (s.config() || s.kind == Kind::None) return false;
    if (by_address(s.kind) || s.kind == Kind::S2Ipa) {
        // Leaf=1 leaves table entries alone; with a TTL, tables above the leaf level go too.
        if (s.range.leaf && !e.leaf) return false;
        if (!s.range.overlaps(e.base, e.shift >= 64 ? ~uint64_t(0) : uint64_t(1) << e.shift)) return false;
        if (s.range.is_range() && e.gshift != s.range.tg_shift) return false;
        if (s.range.ttl && (e.leaf ? e.level != s.range.ttl : e.level >= s.range.ttl)) return false;
    }
    if (e.stage == 2) {
        switch (s.kind) {
        case Kind::S2Ipa:
        case Kind::S12Vmall: return e.vmid == s.vmid;
        case Kind::NsnhAll: return true;
        default: return false;
        }
    }
    // A global leaf (nG = 0) belongs to every ASID: NH_VA / EL2_VA of any ASID remove it,
    // NH_ASID / EL2_ASID spare it (§4.4.2.4).
    const bool global = e.leaf && e.global;
    if (aset_spared(s, e.aset)) return false;
    if (is_el2(s.kind)) return el2_hits(s, e.world, global, e.asid, s.kind == Kind::El2Va);
    if (e.world != World::NsEl1) return false;
    const bool vm = vmid_ok(s, e.vmid_tagged, e.vmid);
    switch (s.kind) {
    case Kind::NhAll:
    case Kind::NhVaa: return vm;
    case Kind::NhAsid: return vm && !global && e.asid == s.asid;
    case Kind::NhVa: return vm && (global || e.asid == s.asid);
    case Kind::S12Vmall: return e.vmid_tagged && e.vmid == s.vmid;
    case Kind::NsnhAll: return true;
    default: return false;
    }
}

bool hits(const InvScope& s, const IpaEntry& e) {
    switch (s.kind) {
    case Kind::S2Ipa: return e.vmid == s.vmid && leaf_in_range(s, e.base, e.shift, e.level, e.gshift);
    case Kind::S12Vmall: return e.vmid == s.vmid;
    case Kind::NsnhAll: return true;
    default: return false;
    }
}

}  // namespace smmusim::smmu::cache
