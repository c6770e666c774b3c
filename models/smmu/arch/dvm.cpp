#include "models/smmu/arch/dvm.h"

#include <algorithm>

#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch::dvm {

const char* name(Tlbi op) {
    static const char* const names[] = {
        "VAE1IS",    "VALE1IS",    "VAAE1IS",     "VAALE1IS",     "ASIDE1IS",     "VMALLE1IS",
        "RVAE1IS",   "RVALE1IS",   "RVAAE1IS",    "RVAALE1IS",    "IPAS2E1IS",    "IPAS2LE1IS",
        "RIPAS2E1IS", "RIPAS2LE1IS", "VMALLS12E1IS", "ALLE1IS",     "VAE2IS",       "VALE2IS",
        "RVAE2IS",   "RVALE2IS",   "ALLE2IS",
    };
    return names[unsigned(op)];
}

std::optional<Tlbi> tlbi_from_name(const std::string& n) {
    for (unsigned i = 0; i <= unsigned(Tlbi::ALLE2IS); ++i)
        if (n == name(Tlbi(i))) return Tlbi(i);
    return std::nullopt;
}

uint64_t va_operand(uint64_t va, uint16_t asid, unsigned ttl) {
    return put<XtAsid>(put<XtTtl>(put<XtVa>(0, va >> 12), ttl), asid);
}

uint64_t ipa_operand(uint64_t ipa, unsigned ttl) { return put<XtTtl>(put<XtIpa>(0, ipa >> 12), ttl); }

uint64_t asid_operand(uint16_t asid) { return put<XtAsid>(0, asid); }

uint64_t range_operand(uint64_t base, uint16_t asid, unsigned tg_shift, unsigned scale, unsigned num,
                       unsigned ttl_level) {
    uint64_t x = put<XtBase>(0, base >> tg_shift);
    x = put<XtRangeTtl>(x, ttl_level);
    x = put<XtNum>(x, num);
    x = put<XtScale>(x, scale);
    x = put<XtRangeTg>(x, tlbi_tg(tg_shift));
    return put<XtAsid>(x, asid);
}

unsigned ttl_hint(unsigned tg_shift, unsigned level) { return (tlbi_tg(tg_shift) << 2) | (level & 3); }

bool is_range(Tlbi op) {
    switch (op) {
    case Tlbi::RVAE1IS:
    case Tlbi::RVALE1IS:
    case Tlbi::RVAAE1IS:
    case Tlbi::RVAALE1IS:
    case Tlbi::RIPAS2E1IS:
    case Tlbi::RIPAS2LE1IS:
    case Tlbi::RVAE2IS:
    case Tlbi::RVALE2IS: return true;
    default: return false;
    }
}

bool by_address(Tlbi op) {
    switch (op) {
    case Tlbi::ASIDE1IS:
    case Tlbi::VMALLE1IS:
    case Tlbi::VMALLS12E1IS:
    case Tlbi::ALLE1IS:
    case Tlbi::ALLE2IS: return false;
    default: return true;
    }
}

bool is_ipa(Tlbi op) {
    return op == Tlbi::IPAS2E1IS || op == Tlbi::IPAS2LE1IS || op == Tlbi::RIPAS2E1IS || op == Tlbi::RIPAS2LE1IS;
}

bool last_level(Tlbi op) {
    switch (op) {
    case Tlbi::VALE1IS:
    case Tlbi::VAALE1IS:
    case Tlbi::RVALE1IS:
    case Tlbi::RVAALE1IS:
    case Tlbi::IPAS2LE1IS:
    case Tlbi::RIPAS2LE1IS:
    case Tlbi::VALE2IS:
    case Tlbi::RVALE2IS: return true;
    default: return false;
    }
}

std::optional<TlbiRange> decode_address(Tlbi op, uint64_t xt) {
    TlbiRange r;
    r.leaf = last_level(op);
    const bool ipa = is_ipa(op);
    if (is_range(op)) {
        const unsigned tg = unsigned(get<XtRangeTg>(xt));
        if (tg == 0) return std::nullopt;  // reserved: no entry is required to be invalidated
        r.tg_shift = tlbi_tg_shift(tg);
        r.ttl = unsigned(get<XtRangeTtl>(xt));
        if (tg == 2 && r.ttl == 1) r.ttl = 0;  // 16K level 1 does not exist without LPA2: no hint
        r.addr = get<XtBase>(xt) << r.tg_shift;
        // BaseADDR holds VA[36 + G : G]: its top bit is the sign of an upper-range VA.
        const unsigned top = 36 + r.tg_shift;
        if (!ipa && (r.addr >> top) & 1) r.addr |= ~uint64_t(0) << top;
        const uint64_t granules = (get<XtNum>(xt) + 1) << (5 * get<XtScale>(xt) + 1);
        r.size = granules << r.tg_shift;  // at most 32 * 2^16 * 64 KiB: fits
        if (r.addr != 0) r.size = std::min(r.size, 0 - r.addr);
        return r;
    }
    r.addr = (ipa ? get<XtIpa>(xt) : get<XtVa>(xt)) << 12;
    if (!ipa && (r.addr >> 55) & 1) r.addr |= uint64_t(0xFF) << 56;
    const unsigned ttl = unsigned(get<XtTtl>(xt));
    const unsigned tg = ttl >> 2, level = ttl & 3;
    if (tg && level && !(tg == 2 && level == 1)) {
        // The hint: only a leaf of that granule and level holds the address. As a one-granule
        // range, the entry matching rules of range invalidations apply (TG, TTL).
        r.tg_shift = tlbi_tg_shift(tg);
        r.ttl = level;
        r.addr &= ~((uint64_t(1) << r.tg_shift) - 1);
        r.size = uint64_t(1) << r.tg_shift;
    }
    return r;
}

}  // namespace smmusim::smmu::arch::dvm
