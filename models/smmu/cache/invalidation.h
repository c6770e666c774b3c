#pragma once
// What one CFGI or TLBI command removes from each kind of cache (reference §4.2, §5.1, §9.2;
// fact sheet walk_cmd_evt §6). Exactly what the architecture requires, no more and no less:
// - NH_* hit stage-1 (incl. nested) entries of NS-EL1 with the VMID (when stage 2 exists);
//   NH_ASID spares global entries; NH_VA hits the ASID's entries and global ones;
// - EL2_* hit EL2 regimes as CR2.E2H selects; S12_VMALL everything of a VMID at NS-EL1;
// - S2_IPA hits stage-2-only entries (not combined ones) and stage-2 walk / IPA caches;
// - TG restricts range invalidations to entries of that granule, TTL to that leaf level,
//   Leaf=1 spares walk-cache table entries; Leaf=0 with TTL also removes tables above it;
// - CFGI_* hit configuration and what the TBUs hold per StreamID / SubstreamID.
// A broadcast TLBI (IDR0.BTM, SMMUv3 §3.17; from_dvm) is the scope of the command of the same
// reach, with the broadcast's rules: its VMID is always matched (entries without a VMID tag,
// S2P = 0, count as VMID 0); ASET = 1 entries are spared by the operations that match an ASID
// (VA{L}E1IS, ASIDE1IS, VA{L}E2IS) and hit by all others; an
// EL2 or EL2&0 broadcast hits only its own regime's entries (§3.17.5: an E2H broadcast need
// not hit any-EL2 entries, nor the converse). Illegal broadcasts (a stage or regime the SMMU
// does not implement) are None, except that a both-stages one affects the stage there is.

#include <cstdint>

#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/dvm.h"
#include "models/smmu/arch/tlbi_range.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/features.h"

namespace smmusim::smmu::cache {

struct InvScope {
    enum class Kind : uint8_t {
        None, CfgiSte, CfgiSteRange, CfgiCd, CfgiCdAll, CfgiAll,
        NhAll, NhAsid, NhVa, NhVaa, El2All, El2Asid, El2Va, El2Vaa, S12Vmall, S2Ipa, NsnhAll,
    };
    Kind kind = Kind::None;
    uint32_t sid = 0, sid_last = 0;  // CFGI: StreamIDs [sid, sid_last]
    uint32_t ssid = 0;
    uint16_t asid = 0, vmid = 0;
    bool match_vmid = false;  // NH_*: only when stage 2 is implemented
    bool e2h = false;         // EL2_*: CR2.E2H when consumed (broadcast: the EL2&0 regime)
    bool broadcast = false;   // a PE's TLBI received as a DVM message (from_dvm)
    arch::TlbiRange range;

    // The scope of a consumed command (None for commands that invalidate nothing).
    static InvScope from(const arch::Command& c, const Features& f, bool e2h);
    // The scope of a broadcast TLBI (None for what this SMMU must ignore).
    static InvScope from_dvm(const arch::dvm::Message& m, const Features& f);
    bool config() const { return kind >= Kind::CfgiSte && kind <= Kind::CfgiAll; }
    bool tlbi() const { return kind >= Kind::NhAll; }
    // By address (NH_VA, NH_VAA, EL2_VA, EL2_VAA, S2_IPA): a TLB entry is hit only if its
    // reach (TlbEntry::reach_shift) meets the input addresses [first(), last()].
    bool addressed() const {
        return kind == Kind::NhVa || kind == Kind::NhVaa || kind == Kind::El2Va || kind == Kind::El2Vaa ||
               kind == Kind::S2Ipa;
    }
    uint64_t first() const { return range.addr; }
    uint64_t last() const { return range.is_range() ? range.addr + (range.size - 1) : range.addr; }
};

bool hits(const InvScope& s, const TlbEntry& e);
// Removes from a TLB what `s` hits, probing only the sets its addresses map to when it is by
// address (SetAssocCache::invalidate_range_if); returns how many.
template <typename Tlb>
unsigned invalidate_tlb(Tlb& tlb, const InvScope& s) {
    auto hit = [&](const TlbEntry& e) { return hits(s, e); };
    return s.addressed() ? tlb.invalidate_range_if(s.first(), s.last(), hit) : tlb.invalidate_if(hit);
}
bool hits(const InvScope& s, const WalkEntry& e);
bool hits(const InvScope& s, const IpaEntry& e);
// A stream's cached configuration (sid, CD index used or -1).
bool hits_config(const InvScope& s, uint32_t sid, int32_t cd);

}  // namespace smmusim::smmu::cache
