#include "models/smmu/tcu/config_fetch.h"

#include <algorithm>

#include "models/smmu/arch/events.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

Fault config_fault(uint8_t type, uint64_t fetch_addr = 0) { return Fault{type, false, 0, 0, fetch_addr}; }

uint64_t limit(unsigned bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits); }

}  // namespace

Outcome<Ste> ConfigFetch::find_ste(const RegState& regs, const Access& a, bool& silent) {
    silent = false;
    const uint64_t cfg = regs.strtab_base_cfg;
    const unsigned log2size_lit = unsigned(get<strtab_base_cfg::LOG2SIZE>(cfg));
    const unsigned log2size = std::min(log2size_lit, f_.sidsize);
    const bool recinvsid = get<cr2::RECINVSID>(regs.cr2);
    auto bad_sid = [&]() -> Outcome<Ste> {
        silent = !recinvsid;
        return config_fault(evt::C_BAD_STREAMID);
    };
    if (log2size < 32 && (uint64_t(a.sid) >> log2size)) return bad_sid();
    const uint64_t base = strtab_base::ADDR::address(regs.strtab_base);
    uint64_t ste_pa;
    if (f_.two_level_st && get<strtab_base_cfg::FMT>(cfg) == strtab_base_cfg::FMT_2LVL) {
        uint64_t split = get<strtab_base_cfg::SPLIT>(cfg);
        if (split != 6 && split != 8 && split != 10) split = 6;  // other values behave as 6
        // The L1 table is aligned to the larger of 64 bytes and its size (literal LOG2SIZE).
        const unsigned l1_bits = log2size_lit > split ? unsigned(log2size_lit - split) + 3 : 3;
        const uint64_t l1_base = base & ~((uint64_t(1) << std::max(6u, l1_bits)) - 1);
        const uint64_t l1_pa = l1_base + (uint64_t(a.sid) >> split) * L1Std::kBytes;
        unsigned char b[L1Std::kBytes];
        if (!mem_.read(l1_pa, b, sizeof b)) return config_fault(evt::F_STE_FETCH, l1_pa);
        L1Std l1;
        l1.load(b);
        const uint64_t span = l1.get<L1Std::Span>();
        // Span 0, reserved spans and spans beyond the split invalidate the StreamIDs.
        if (span == 0 || span > split + 1) return bad_sid();
        const uint64_t l2_index = a.sid & ((uint64_t(1) << split) - 1);
        if (l2_index >= (uint64_t(1) << (span - 1))) return bad_sid();
        const uint64_t l2_bytes = (uint64_t(1) << (span - 1)) * Ste::kBytes;
        ste_pa = (l1.address<L1Std::L2Ptr>() & ~(l2_bytes - 1)) + l2_index * Ste::kBytes;
    } else {
        const uint64_t table_bytes = uint64_t(Ste::kBytes) << log2size_lit;
        ste_pa = (base & ~(table_bytes - 1)) + uint64_t(a.sid) * Ste::kBytes;
    }
    unsigned char b[Ste::kBytes];
    ++ste_fetches;
    if (!mem_.read(ste_pa, b, sizeof b)) return config_fault(evt::F_STE_FETCH, ste_pa);
    Ste ste;
    ste.load(b);
    return ste;
}

std::optional<Fault> ConfigFetch::read_cd_struct(uint64_t addr, void* dst, unsigned len,
                                                 const StreamConfig& sc, const Access& a, WalkState& st) {
    uint64_t pa = addr;
    if (sc.s2) {
        Outcome<WalkResult> r = walker_.stage2(sc.s2cfg, addr, a, S2Use::CdFetch, st);
        if (auto* f = std::get_if<Fault>(&r)) {
            Fault fault = *f;
            // A stage-2 translation fault on the CD fetch is recorded per STE.S2R.
            if (evt::is_translation_fault(fault.type)) fault.record = sc.s2_record;
            return fault;
        }
        pa = std::get<WalkResult>(r).oa;
    }
    if (!mem_.read(pa, dst, len)) return config_fault(evt::F_CD_FETCH, pa);
    return std::nullopt;
}

Outcome<StreamConfig> ConfigFetch::fetch(const RegState& regs, const Access& a, WalkState& st) {
    StreamConfig sc;
    bool silent;
    Outcome<Ste> found = find_ste(regs, a, silent);
    if (auto* f = std::get_if<Fault>(&found)) {
        if (silent) return sc;  // Kind::Abort, no event
        return *f;
    }
    const Ste& ste = std::get<Ste>(found);
    if (!ste.get<Ste::V>()) return config_fault(evt::C_BAD_STE);
    const uint64_t config = ste.get<Ste::Config>();
    if (ste_config::is_abort(config)) return sc;  // silent abort, whatever the rest says
    if (!ste_legal(ste, f_)) return config_fault(evt::C_BAD_STE);
    const bool s1_on = ste_config::s1_enabled(config);
    sc.s2 = ste_config::s2_enabled(config);
    // Bypassing both stages, EATS is ignored: ATS is not enabled (reference §5.2, Config 0b100).
    sc.eats = f_.ats && (s1_on || sc.s2) ? uint8_t(ste.get<Ste::EATS>()) : 0;
    const StreamWorld world = stream_world(ste, f_, get<cr2::E2H>(regs.cr2));
    sc.world = world == StreamWorld::NsEl1 ? cache::World::NsEl1
               : world == StreamWorld::NsEl2 ? cache::World::NsEl2
                                             : cache::World::NsEl2E2H;
    // Entries carry the VMID with stage 2, and at NS-EL1 whenever stage 2 exists (§2.1 S2VMID).
    sc.vmid_tagged = sc.s2 || (f_.s2p && world == StreamWorld::NsEl1);
    sc.vmid = sc.vmid_tagged ? uint16_t(ste.get<Ste::S2VMID>()) : 0;
    if (sc.s2) {
        sc.s2cfg = *decode_s2(ste, f_);
        sc.s2_record = ste.get<Ste::S2R>();
    }
    // A SubstreamID needs stage 1 with substreams (fact sheet ste_cd §4).
    const unsigned cdmax = f_.ssidsize ? unsigned(ste.get<Ste::S1CDMax>()) : 0;
    if (a.ssv && (!s1_on || cdmax == 0)) return config_fault(evt::C_BAD_SUBSTREAMID);
    if (!s1_on) {
        sc.kind = sc.s2 ? StreamConfig::Kind::Translate : StreamConfig::Kind::Bypass;
        return sc;
    }
    sc.kind = StreamConfig::Kind::Translate;

    uint32_t index = 0;
    if (a.ssv) {
        if (a.ssid >= (1u << cdmax)) return config_fault(evt::C_BAD_SUBSTREAMID);
        // With S1DSS = SSID0, CD 0 is reserved for traffic without a SubstreamID.
        if (a.ssid == 0 && ste.get<Ste::S1DSS>() == s1dss::SSID0) return config_fault(evt::F_STREAM_DISABLED);
        index = a.ssid;
    } else if (cdmax > 0) {
        switch (ste.get<Ste::S1DSS>()) {
        case s1dss::BYPASS:
            return sc;  // stage 1 bypassed: no CD fetch (sc.s1 stays false)
        case s1dss::SSID0:
            index = 0;
            break;
        default:  // TERMINATE, and reserved 11 behaving as it
            return config_fault(evt::F_STREAM_DISABLED);
        }
    }

    uint64_t fmt = cdmax ? ste.get<Ste::S1Fmt>() : s1fmt::LINEAR;
    if (fmt == 3) fmt = s1fmt::LINEAR;  // reserved, behaves as linear
    const uint64_t ptr = ste.address<Ste::S1ContextPtr>();
    uint64_t cd_addr;
    if (fmt == s1fmt::LINEAR) {
        cd_addr = (ptr & ~((uint64_t(Cd::kBytes) << cdmax) - 1)) + uint64_t(index) * Cd::kBytes;
    } else {
        const unsigned leaf_bits = fmt == s1fmt::L2_4K ? 6 : 10;
        const unsigned l1_bits = cdmax > leaf_bits ? cdmax - leaf_bits : 0;
        const uint64_t l1_base = ptr & ~((uint64_t(L1Cd::kBytes) << l1_bits) - 1);
        const uint64_t l1_addr = l1_base + uint64_t(index >> leaf_bits) * L1Cd::kBytes;
        unsigned char b[L1Cd::kBytes];
        ++cd_fetches;
        if (auto f = read_cd_struct(l1_addr, b, sizeof b, sc, a, st)) return *f;
        L1Cd l1;
        l1.load(b);
        uint64_t l2 = l1.address<L1Cd::L2Ptr>();
        if (fmt == s1fmt::L2_64K) l2 &= ~uint64_t(0xFFFF);  // L2Ptr[15:12] RES0 for 64 KiB leaves
        if (!l1.get<L1Cd::V>() || (!sc.s2 && l2 >= limit(f_.oas_bits())))
            return config_fault(evt::C_BAD_SUBSTREAMID);
        cd_addr = l2 + uint64_t(index & ((1u << leaf_bits) - 1)) * Cd::kBytes;
    }
    unsigned char b[Cd::kBytes];
    ++cd_fetches;
    if (auto f = read_cd_struct(cd_addr, b, sizeof b, sc, a, st)) return *f;
    Cd cd;
    cd.load(b);
    std::optional<S1Decoded> s1 = decode_cd(cd, f_, world);
    if (!s1) return config_fault(evt::C_BAD_CD);
    sc.s1 = true;
    sc.s1cfg = *s1;
    sc.cd = int32_t(index);
    return sc;
}

}  // namespace smmusim::smmu::tcu
