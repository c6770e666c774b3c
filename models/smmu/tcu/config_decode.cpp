#include "models/smmu/tcu/config_decode.h"

#include <algorithm>

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

uint64_t limit(unsigned bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits); }

// Largest TxSZ / S2T0SZ (reference §3.1, fact sheet ste_cd §1 row 12, §2 row 8).
unsigned max_tsz(const Features& f, unsigned gshift) { return f.stt ? (gshift == 16 ? 47 : 48) : 39; }

// A table base is aligned to the table's size (at least 64 bytes): low bits are ignored.
uint64_t align_table(uint64_t addr, uint64_t bytes) { return addr & ~(std::max<uint64_t>(bytes, 64) - 1); }

}  // namespace

StreamWorld stream_world(const Ste& ste, const Features& f, bool e2h) {
    // STRW is used only by stage-1-only STEs of an SMMU with EL2 support.
    if (!f.hyp || ste.get<Ste::Config>() != ste_config::S1_TRANS || ste.get<Ste::STRW>() != strw::NS_EL2)
        return StreamWorld::NsEl1;
    return e2h ? StreamWorld::NsEl2E2H : StreamWorld::NsEl2;
}

bool ste_legal(const Ste& ste, const Features& f) {
    const uint64_t config = ste.get<Ste::Config>();
    const bool s1 = ste_config::s1_enabled(config), s2 = ste_config::s2_enabled(config);
    if ((s1 && !f.s1p) || (s2 && !f.s2p)) return false;
    // STE.EATS (with IDR0.ATS; RES0 without): 0b10 split-stage ATS needs IDR0.NS1ATS and 0b11
    // (full ATS with DPT checks) SMMUv3.3 DPT, neither implemented: an STE that translates and
    // asks for them is ILLEGAL. Without a translating stage EATS is ignored (effective 0b00).
    if (f.ats && (s1 || s2) && ste.get<Ste::EATS>() >= 2) return false;
    if (s1) {
        // Stalls are not implemented (STALL_MODEL = terminate only): S1STALLD must be 0.
        if (ste.get<Ste::S1STALLD>()) return false;
        if (f.ssidsize && ste.get<Ste::S1CDMax>() > f.ssidsize) return false;
        const uint64_t fmt = ste.get<Ste::S1Fmt>();
        if ((fmt == s1fmt::L2_4K || fmt == s1fmt::L2_64K) && !f.cd2l && f.ssidsize && ste.get<Ste::S1CDMax>())
            return false;
        if (f.hyp && !s2 && (ste.get<Ste::STRW>() & 1)) return false;
        // A stage-1-only CD pointer is a PA: it must be inside OAS (v3.1).
        if (!s2 && ste.address<Ste::S1ContextPtr>() >= limit(f.oas_bits())) return false;
    }
    // The VMID tags stage-2 and (with S2P, in NS-EL1) stage-1-only entries.
    const bool vmid_used = s2 || (s1 && f.s2p && !(f.hyp && ste.get<Ste::STRW>() == strw::NS_EL2));
    if (vmid_used && !f.vmid16 && (ste.get<Ste::S2VMID>() >> 8)) return false;
    if (s2) {
        if (!ste.get<Ste::S2AA64>()) return false;  // AArch32 tables are not implemented
        if (ste.get<Ste::S2ENDI>()) return false;   // little-endian tables only
        if (ste.get<Ste::S2S>()) return false;      // stalls are not implemented
        if (ste.get<Ste::S2HA>() || ste.get<Ste::S2HD>()) return false;  // no HTTU
        if (!decode_s2(ste, f)) return false;
    }
    return true;
}

std::optional<S2Context> decode_s2(const Ste& ste, const Features& f) {
    std::optional<unsigned> gshift = tg0_shift(ste.get<Ste::S2TG>());
    if (!gshift || !f.granule_supported(*gshift)) return std::nullopt;
    const unsigned ias = f.oas_bits();  // no AArch32 tables: IAS = OAS
    const unsigned t0sz = unsigned(ste.get<Ste::S2T0SZ>());
    const unsigned min_t0sz = std::max(*gshift == 16 ? 12u : 16u, 64 - ias);
    if (t0sz < min_t0sz || t0sz > max_tsz(f, *gshift)) return std::nullopt;
    S2Context c;
    c.g = Granule{*gshift};
    c.ias = 64 - t0sz;
    const uint64_t sl0 = ste.get<Ste::S2SL0>();
    std::optional<S2Start> start = s2_start(c.g, sl0, c.ias, f.stt);
    if (!start) return std::nullopt;
    // A level-0 start (4K) or level-1 start (16K, 64K) needs a large enough PA space (Arm ARM
    // S2InvalidSL, with OAS as PAMax).
    if (sl0 == 2 && f.oas_bits() < (*gshift == 14 ? 42u : 44u)) return std::nullopt;
    c.start = *start;
    c.ps_bits = pa_bits(std::min<uint64_t>(ste.get<Ste::S2PS>(), f.oas));
    const uint64_t ttb = ste.address<Ste::S2TTB>();
    if (ttb >= limit(c.ps_bits) || ttb >= limit(48)) return std::nullopt;
    c.ttb = align_table(ttb, start->entries * 8);  // concatenated tables: aligned to their total size
    c.affd = ste.get<Ste::S2AFFD>();
    c.ptw = ste.get<Ste::S2PTW>();
    c.vmid = uint16_t(ste.get<Ste::S2VMID>());
    return c;
}

std::optional<S1Decoded> decode_cd(const Cd& cd, const Features& f, StreamWorld world) {
    if (!cd.get<Cd::V>()) return std::nullopt;
    if (cd.get<Cd::S>()) return std::nullopt;                              // STALL_MODEL = terminate only
    if (f.term_model_abort_only && !cd.get<Cd::A>()) return std::nullopt;  // TERM_MODEL = 1
    if (!cd.get<Cd::AA64>()) return std::nullopt;                          // AArch64 tables only
    if (cd.get<Cd::HA>() || cd.get<Cd::HD>()) return std::nullopt;         // no HTTU
    const bool single = world == StreamWorld::NsEl2;
    if (!single && !f.asid16 && (cd.get<Cd::ASID>() >> 8)) return std::nullopt;

    S1Decoded d;
    S1Context& c = d.ctx;
    c.has_ttb1 = !single;
    c.single_priv = single;
    c.ips_bits = pa_bits(std::min<uint64_t>(cd.get<Cd::IPS>(), f.oas));
    // EL2 without E2H ignores EPD0 (effective 0) and has no TTB1 (fact sheet ste_cd §2).
    const bool epd[2] = {single ? false : bool(cd.get<Cd::EPD0>()), single || cd.get<Cd::EPD1>()};
    if (cd.get<Cd::ENDI>() && !(epd[0] && epd[1])) return std::nullopt;
    const std::optional<unsigned> gshift[2] = {tg0_shift(cd.get<Cd::TG0>()), tg1_shift(cd.get<Cd::TG1>())};
    const unsigned tsz[2] = {unsigned(cd.get<Cd::T0SZ>()), unsigned(cd.get<Cd::T1SZ>())};
    const uint64_t ttb[2] = {cd.address<Cd::TTB0>(), cd.address<Cd::TTB1>()};
    const bool tbi[2] = {bool(cd.get<Cd::TBI0>()), bool(cd.get<Cd::TBI1>())};
    for (int h = 0; h < 2; ++h) {
        S1Table& t = c.table[h];
        t.enabled = !epd[h];
        if (!t.enabled) continue;  // fields of a disabled half are neither used nor checked
        if (!gshift[h] || !f.granule_supported(*gshift[h])) return std::nullopt;
        if (tsz[h] < 16 || tsz[h] > max_tsz(f, *gshift[h])) return std::nullopt;
        if (ttb[h] >= limit(c.ips_bits) || ttb[h] >= limit(48)) return std::nullopt;
        t.g = Granule{*gshift[h]};
        t.ia = 64 - tsz[h];
        t.start = t.g.s1_start_level(t.ia);
        t.ttb = align_table(ttb[h], (uint64_t(1) << (t.ia - t.g.level_shift(t.start))) * 8);
        t.tbi = tbi[h];
    }
    c.affd = cd.get<Cd::AFFD>();
    c.wxn = cd.get<Cd::WXN>();
    c.pan = !single && cd.get<Cd::PAN>();
    c.asid = uint16_t(cd.get<Cd::ASID>());
    c.aset = cd.get<Cd::ASET>();
    d.record = cd.get<Cd::R>();
    d.abort = cd.get<Cd::A>() || f.term_model_abort_only;
    return d;
}

}  // namespace smmusim::smmu::tcu
