#pragma once
// What the SMMU's caches hold. A TlbEntry is a final translation with every tag an
// invalidation may select on (reference §4.2 scope notes, fact sheet walk_cmd_evt §6); a
// WalkEntry a descriptor of one level of one stage; an IpaEntry a stage-2 translation of an IPA
// page (nested walks, CD fetches); a ConfigEntry a stream's decoded STE and CD.

#include <cstdint>

namespace smmusim::smmu::cache {

// Translation regimes an entry belongs to (the STE's StreamWorld).
enum class World : uint8_t { NsEl1, NsEl2, NsEl2E2H };

// Permission bits of a translation, for privileged (P) and unprivileged (U) accesses.
namespace perm {
constexpr uint8_t PR = 1, PW = 2, PX = 4, UR = 8, UW = 16, UX = 32, ALL = 63;
// The bit an access needs: instruction fetches execute permission, data reads read, writes write.
inline uint8_t needed(bool write, bool priv, bool instr) {
    const uint8_t p = instr ? PX : write ? PW : PR;
    return priv ? p : uint8_t(p << 3);
}
}  // namespace perm

struct TlbEntry {
    uint64_t base = 0;  // input range: [base, base + 2^shift)
    uint8_t shift = 12;
    uint64_t oa = 0;  // output address of base
    uint8_t perms = perm::ALL;
    // The stream it was translated for (TBU lookups; CFGI_STE / CFGI_CD).
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false;
    int32_t cd = -1;  // CD index used, -1 without stage 1
    // The translation context (TLBI).
    World world = World::NsEl1;
    bool s1 = false, s2 = false;  // stages that produced it (neither: STE bypass)
    bool global = false;          // stage-1 nG = 0
    // Stage 1: the CD's ASET (§3.17): 1 marks a non-shared ASID, spared by broadcast TLBIs that
    // match an ASID; a global entry matches only lookups through CDs of the same ASET (§3.17.1).
    bool aset = false;
    bool vmid_tagged = false;
    uint16_t asid = 0, vmid = 0;
    uint8_t s1_level = 0, s1_gshift = 0;  // stage-1 leaf level and granule (TTL / TG)
    uint8_t s2_level = 0, s2_gshift = 0;
    // Size of the leaf (block or page) of each stage the entry was made from. An entry may be
    // smaller than its stage-1 leaf (a stage-1 block over stage-2 pages is held as pages):
    // a by-VA invalidation that meets any part of that leaf removes it all the same (Arm ARM
    // D8.17, "splintered" entries; SMMUv3 §4.4.2.4).
    uint8_t s1_lshift = 0, s2_lshift = 0;
    // Stage 1 with CD.TBIx for the half the address is in: VA[63:56] are not part of the
    // translation; `base` holds the canonical VA (VA[55] sign-extended, §3.4.1).
    bool tbi = false;
    // TBU: invalidations processed when the translation was made; a transaction using it may
    // have used anything invalidated after that. An entry that survived a later invalidation
    // did not use what it removed: its epoch is then the TBU's count of invalidations, which
    // the TBU derives at lookup from `filled_after` (Tbu::epoch_of) instead of rewriting
    // every entry per invalidation.
    uint64_t epoch = 0;
    uint64_t filled_after = 0;  // TBU: invalidations it had processed when it kept the entry
    // Invalidations the TCU had consumed when the translation that made it started (the
    // stale-entry check, models/smmu/stale_check.h).
    uint64_t fill_epoch = 0;

    // The input range a by-address invalidation of the entry's own stage meets: the entry,
    // or the leaf it was split from when that is larger.
    unsigned reach_shift() const {
        const unsigned leaf = s1 ? s1_lshift : s2_lshift;
        return leaf > shift ? leaf : shift;
    }
};

// Hierarchical stage-1 table attributes gathered down to a cached level.
struct TableAttrs {
    bool no_unpriv = false, no_write = false, pxn = false, xn = false;
};

struct WalkEntry {
    uint64_t base = 0;  // the input range this descriptor covers
    uint8_t shift = 0;
    uint8_t stage = 1;
    uint8_t level = 0;
    bool leaf = false;       // a block descriptor (walk caches hold tables, optionally leaves)
    uint64_t desc = 0;       // the descriptor as read
    TableAttrs attrs;        // stage 1: restrictions from the tables above, including this one
    World world = World::NsEl1;
    bool vmid_tagged = false;
    uint16_t asid = 0, vmid = 0;
    uint8_t gshift = 12;
    bool global = false;     // a stage-1 leaf with nG = 0: matches every ASID (§4.4.2.4)
    bool aset = false;       // stage 1: the CD's ASET (see TlbEntry)
    uint64_t fill_epoch = 0;  // see TlbEntry
};

struct IpaEntry {
    uint64_t base = 0;  // IPA range
    uint8_t shift = 12;
    uint64_t oa = 0;
    uint16_t vmid = 0;
    uint8_t level = 3, gshift = 12;
    uint64_t desc = 0;  // the stage-2 leaf (permissions, memory type)
    uint64_t fill_epoch = 0;  // see TlbEntry
};

}  // namespace smmusim::smmu::cache
