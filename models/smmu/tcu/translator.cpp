#include "models/smmu/tcu/translator.h"

#include <algorithm>

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

bool is_translation_fault(uint8_t type) { return type >= evt::F_TRANSLATION && type <= evt::F_PERMISSION; }

dti::TranslateResponse translated(uint64_t oa, unsigned shift) {
    dti::TranslateResponse r;
    r.outcome = dti::Outcome::Translated;
    r.oa = oa;
    r.page_shift = shift;
    return r;
}

}  // namespace

EventRecord make_event(const Access& a, const Fault& f) {
    EventRecord e;
    e.set<EventRecord::Type>(f.type);
    e.set<EventRecord::StreamID>(a.sid);
    switch (f.type) {
    case evt::C_BAD_SUBSTREAMID:
        // The SubstreamID is always given, without SSV (0 for traffic without one).
        e.set<EventRecord::SubstreamID>(a.ssv ? a.ssid : 0);
        return e;
    case evt::F_STREAM_DISABLED:
        return e;
    default:
        break;
    }
    e.set<EventRecord::SSV>(a.ssv);
    e.set<EventRecord::SubstreamID>(a.ssv ? a.ssid : 0);
    if (f.type == evt::F_STE_FETCH || f.type == evt::F_CD_FETCH) {
        e.set_address<EventRecord::FetchAddr>(f.fetch_addr);
        return e;
    }
    if (!is_translation_fault(f.type) && f.type != evt::F_WALK_EABT) return e;  // C_BAD_*
    e.set<EventRecord::RnW>(!a.write);
    e.set<EventRecord::InD>(a.instr);
    e.set<EventRecord::PnU>(a.priv);
    e.set<EventRecord::S2>(f.s2);
    e.set<EventRecord::Class>(f.cls);
    e.set<EventRecord::InputAddr>(a.addr);
    if (f.type == evt::F_WALK_EABT) e.set_address<EventRecord::FetchAddr>(f.fetch_addr);
    else if (f.s2) e.set_address<EventRecord::IPA>(f.ipa);
    // Table walks are reads: TTRnW is meaningful for a permission fault on one.
    if (f.type == evt::F_PERMISSION && f.s2 && f.cls == evt_class::TT) e.set<EventRecord::TTRnW>(1);
    return e;
}

Translator::Translator(const RegState& regs, const Features& f, TableReader& mem, EventSink& events)
    : regs_(regs), f_(f), events_(events), walker_(mem, walk_counters_), config_(mem, walker_, f) {}

dti::TranslateResponse Translator::fault(const Access& a, const Fault& f, dti::Outcome terminate) {
    ++n_.faults;
    if (f.record) {
        ++n_.recorded;
        events_.post(make_event(a, f));
    }
    dti::TranslateResponse r;
    r.outcome = terminate;
    if (terminate == dti::Outcome::RazWi) ++n_.razwi;
    else ++n_.aborted;
    return r;
}

dti::TranslateResponse Translator::walk_fault(const Access& a, Fault f, const StreamConfig& c) {
    if (!is_translation_fault(f.type)) return fault(a, f, dti::Outcome::Abort);  // F_WALK_EABT
    if (f.s2) {
        f.record = c.s2_record;  // stage 2: record per S2R, always abort
        return fault(a, f, dti::Outcome::Abort);
    }
    f.record = c.s1cfg.record;
    return fault(a, f, c.s1cfg.abort ? dti::Outcome::Abort : dti::Outcome::RazWi);
}

dti::TranslateResponse Translator::translate(Access a) {
    ++n_.translations;
    a.instr = a.instr && !a.write;  // writes are always data accesses
    const uint64_t oas_limit = uint64_t(1) << f_.oas_bits();
    if (!regs_.smmuen()) {
        // Global bypass: GBPA decides; nothing is recorded (§9.5).
        if (get<gbpa::ABORT>(regs_.gbpa) || a.addr >= oas_limit) {
            ++n_.aborted;
            return dti::TranslateResponse{};
        }
        ++n_.bypassed;
        return translated(a.addr, 12);
    }
    Outcome<StreamConfig> oc = config_.fetch(regs_, a);
    if (auto* f = std::get_if<Fault>(&oc)) return fault(a, *f, dti::Outcome::Abort);
    const StreamConfig& c = std::get<StreamConfig>(oc);
    if (c.kind == StreamConfig::Kind::Abort) {
        ++n_.aborted;
        return dti::TranslateResponse{};
    }
    const Fault addr_size{evt::F_ADDR_SIZE, false, evt_class::IN, 0, 0};
    if (c.kind == StreamConfig::Kind::Bypass) {
        if (a.addr >= oas_limit) return fault(a, addr_size, dti::Outcome::Abort);
        ++n_.bypassed;
        return translated(a.addr, 12);
    }
    uint64_t ia = a.addr;
    unsigned shift = 64;
    if (c.s1) {
        Outcome<WalkResult> r = walker_.stage1(c.s1cfg.ctx, c.s2 ? &c.s2cfg : nullptr, a);
        if (auto* f = std::get_if<Fault>(&r)) return walk_fault(a, *f, c);
        ia = std::get<WalkResult>(r).oa;
        shift = std::get<WalkResult>(r).leaf_shift;
    } else if (a.addr >= oas_limit) {
        // Stage 1 bypassed: the input is checked against IAS (= OAS here), always aborting.
        return fault(a, addr_size, dti::Outcome::Abort);
    }
    if (!c.s2) return translated(ia, shift);
    Outcome<WalkResult> r = walker_.stage2(c.s2cfg, ia, a, S2Use::Data);
    if (auto* f = std::get_if<Fault>(&r)) return walk_fault(a, *f, c);
    return translated(std::get<WalkResult>(r).oa, std::min(shift, std::get<WalkResult>(r).leaf_shift));
}

}  // namespace smmusim::smmu::tcu
