#pragma once
// Broadcast TLB maintenance (SMMUv3 §3.17, IDR0.BTM): the PE TLBI instructions whose DVM
// messages an SMMU in the PE's Inner Shareable domain receives, the layout of their Xt operand
// (Arm ARM, "TLBI <op>, <Xt>": VA form, IPA form, range form of FEAT_TLBIRANGE, ASID form) and
// the translation context the issuing PE sends with them. Software builds operands with the
// encoders (as Linux's __TLBI_VADDR / __TLBI_VADDR_RANGE do); the SMMU decodes the same fields.

#include <cstdint>
#include <optional>
#include <string>

#include "models/smmu/arch/bits.h"
#include "models/smmu/arch/tlbi_range.h"

namespace smmusim::smmu::arch::dvm {

enum class Tlbi : uint8_t {
    // Stage 1 of the EL1&0 regime of the PE's VMID (or of the EL2&0 regime, see Message::el20).
    VAE1IS, VALE1IS, VAAE1IS, VAALE1IS, ASIDE1IS, VMALLE1IS,
    RVAE1IS, RVALE1IS, RVAAE1IS, RVAALE1IS,
    // From EL2: stage 2 of the PE's VMID by IPA, both stages of the VMID, all of EL1&0.
    IPAS2E1IS, IPAS2LE1IS, RIPAS2E1IS, RIPAS2LE1IS, VMALLS12E1IS, ALLE1IS,
    // The EL2 (or EL2&0, HCR_EL2.E2H = 1) regime.
    VAE2IS, VALE2IS, RVAE2IS, RVALE2IS, ALLE2IS,
};
const char* name(Tlbi op);
// The operation of a name as name() gives it ("VAE1IS"), nullopt for none.
std::optional<Tlbi> tlbi_from_name(const std::string& n);

// One TLBI as the DVM message carries it.
struct Message {
    Tlbi op = Tlbi::VMALLE1IS;
    uint64_t xt = 0;     // the instruction's register operand
    uint16_t vmid = 0;   // VTTBR_EL2.VMID of the issuing PE (0 without EL2 or with stage 2 off)
    // The regime the operation targets is EL2&0: an EL1 operation executed at EL2 with
    // HCR_EL2.{E2H,TGE} = {1,1} (a VHE host), or an EL2 one with HCR_EL2.E2H = 1.
    bool el20 = false;
};

// Xt of the VA forms (VA{L}E1IS, VAA{L}E1IS, VA{L}E2IS): ASID[63:48], TTL[47:44], VA[55:12] in
// [43:0]. TTL (FEAT_TTL): [3:2] the granule (01 4K, 10 16K, 11 64K), [1:0] the leaf level;
// 0 or a zero level: no hint.
using XtAsid = RegField<63, 48>;
using XtTtl = RegField<47, 44>;
using XtVa = RegField<43, 0>;
// The IPA forms (IPAS2{L}E1IS): TTL[47:44], IPA[51:12] in [39:0].
using XtIpa = RegField<39, 0>;
// The range forms (FEAT_TLBIRANGE): ASID[63:48], TG[47:46], SCALE[45:44], NUM[43:39],
// TTL[38:37] (the leaf level, 0 any), BaseADDR[36:0] in granules. (NUM+1) * 2^(5*SCALE+1)
// granules from BaseADDR (note: the SMMU's command is (NUM+1) * 2^SCALE).
using XtRangeTg = RegField<47, 46>;
using XtScale = RegField<45, 44>;
using XtNum = RegField<43, 39>;
using XtRangeTtl = RegField<38, 37>;
using XtBase = RegField<36, 0>;

uint64_t va_operand(uint64_t va, uint16_t asid, unsigned ttl = 0);
uint64_t ipa_operand(uint64_t ipa, unsigned ttl = 0);
uint64_t asid_operand(uint16_t asid);
// A range of (num + 1) << (5 * scale + 1) granules of 2^tg_shift from `base` (granule aligned).
uint64_t range_operand(uint64_t base, uint16_t asid, unsigned tg_shift, unsigned scale, unsigned num,
                       unsigned ttl_level = 0);
// FEAT_TTL's hint for a leaf at `level` of granule 2^tg_shift.
unsigned ttl_hint(unsigned tg_shift, unsigned level);

bool is_range(Tlbi op);
bool by_address(Tlbi op);  // a VA, IPA or range form
bool is_ipa(Tlbi op);
bool last_level(Tlbi op);  // the L forms: leaf entries only
// What a by-address operation covers: VA or IPA, range, TTL hint, leaf-only. A single address
// with a TTL hint is a one-granule range of that granule and level. nullopt when the operand
// is a reserved encoding that invalidates nothing (a range with TG = 00).
std::optional<TlbiRange> decode_address(Tlbi op, uint64_t xt);

}  // namespace smmusim::smmu::arch::dvm
