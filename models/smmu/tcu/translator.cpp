#include "models/smmu/tcu/translator.h"

#include <algorithm>

#include "models/core/sim_time.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {


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
    if (!evt::is_translation_fault(f.type) && f.type != evt::F_WALK_EABT) return e;  // C_BAD_*
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

Translator::Translator(const RegState& regs, const Features& f, TableReader& mem, EventSink& events, WalkEnv* env,
                       Caches caches)
    : regs_(regs),
      f_(f),
      events_(events),
      env_(env),
      caches_(caches),
      walker_(mem, walk_counters_, env),
      config_(mem, walker_, f) {}

// An untranslated stream (STE bypass, or S1DSS bypass with no stage 2) is one identity entry
// per 1 GiB: the span is a model choice; CFGI removes it like any entry of the stream.
constexpr unsigned kBypassShift = 30;

dti::TranslateResponse Translator::fault(const Access& a, const Fault& f, dti::Outcome terminate) {
    ++n_.faults;
    if (f.record) {
        ++n_.recorded;
        events_.post(make_event(a, f));
    }
    dti::TranslateResponse r;
    r.outcome = terminate;
    r.event = f.type;
    r.s2 = f.s2;
    r.recorded = f.record;
    if (terminate == dti::Outcome::RazWi) ++n_.razwi;
    else ++n_.aborted;
    return r;
}

dti::TranslateResponse Translator::walk_fault(const Access& a, Fault f, const StreamConfig& c) {
    // A Translation Request that faults is answered with a failed translation completion
    // (R = W = 0), not an event: the device, not the SMMU, reports it (reference §3.9.1).
    if (a.at == dti::AtKind::Request && evt::is_translation_fault(f.type)) {
        f.record = false;
        return fault(a, f, dti::Outcome::Abort);
    }
    if (!evt::is_translation_fault(f.type)) return fault(a, f, dti::Outcome::Abort);  // F_WALK_EABT
    if (f.s2) {
        f.record = c.s2_record;  // stage 2: record per S2R, always abort
        return fault(a, f, dti::Outcome::Abort);
    }
    f.record = c.s1cfg.record;
    return fault(a, f, c.s1cfg.abort ? dti::Outcome::Abort : dti::Outcome::RazWi);
}

void Translator::wait_lookup(cache::CacheObject& c, unsigned sizes) {
    env_->wait_until(env_->lookup_done(c, c.probes_for(sizes)));
}

dti::TranslateResponse Translator::translated(const cache::TlbEntry& e, uint64_t addr, uint64_t epoch) {
    dti::TranslateResponse r;
    r.outcome = dti::Outcome::Translated;
    r.entry = e;
    r.oa = e.oa | (addr & ((uint64_t(1) << e.shift) - 1));
    r.cacheable = true;
    r.epoch = epoch;
    return r;
}

Outcome<StreamConfig> Translator::configuration(const Access& a, WalkState& st) {
    ConfigCache* cc = caches_.config;
    const uint64_t key = ConfigEntry::key(a.sid, a.ssv, a.ssid);
    if (cc && cc->enable) {
        auto f = cc->lookup(key, [](const ConfigEntry&) { return true; });
        wait_lookup(*cc, f.sizes_probed);
        if (f.entry) return f.entry->cfg;
    }
    const sc_core::sc_time fetch_start = env_ ? env_->now() : core::now();
    Outcome<StreamConfig> oc = config_.fetch(regs_, a, st);
    if (env_ && env_->tracing()) env_->trace_span("config fetch (STE, CD)", fetch_start, a.sid);
    // A configuration that faulted is not kept: the next access fetches it again.
    if (auto* c = std::get_if<StreamConfig>(&oc); c && cc && cc->enable && env_->may_insert(st.start_epoch))
        cc->insert(ConfigEntry{key, 0, a.sid, c->cd, *c, st.start_epoch}, [](const ConfigEntry&) { return true; });
    return oc;
}

dti::TranslateResponse Translator::translate(Access a, WalkState& st) {
    ++n_.translations;
    a.instr = a.instr && !a.write;  // writes are always data accesses
    const uint64_t oas_limit = uint64_t(1) << f_.oas_bits();
    if (!regs_.smmuen()) {
        // Global bypass: GBPA decides; nothing is recorded, nothing may be cached (§9.5).
        if (get<gbpa::ABORT>(regs_.gbpa) || a.addr >= oas_limit) {
            ++n_.aborted;
            return dti::TranslateResponse{};
        }
        ++n_.bypassed;
        cache::TlbEntry e;
        e.base = a.addr & ~uint64_t(0xFFF);
        e.oa = e.base;
        dti::TranslateResponse r = translated(e, a.addr, st.start_epoch);
        r.cacheable = false;
        return r;
    }
    Outcome<StreamConfig> oc = configuration(a, st);
    if (auto* f = std::get_if<Fault>(&oc)) return fault(a, *f, dti::Outcome::Abort);
    const StreamConfig& c = std::get<StreamConfig>(oc);
    if (c.kind == StreamConfig::Kind::Abort) {
        ++n_.aborted;
        return dti::TranslateResponse{};
    }
    if (a.at != dti::AtKind::Untranslated) {
        // ATS needs STE.EATS != 0 (reference §5.2 STE.EATS): else a Translation Request is
        // refused (F_BAD_ATS_TREQ, UR to the device) and a Translated transaction terminated
        // (F_TRANSL_FORBIDDEN). A permitted Translated transaction is not translated again.
        if (c.eats == 0) {
            const Fault f{a.at == dti::AtKind::Request ? evt::F_BAD_ATS_TREQ : evt::F_TRANSL_FORBIDDEN};
            return fault(a, f, dti::Outcome::Abort);
        }
        if (a.at == dti::AtKind::Translated) {
            if (a.addr >= oas_limit) return fault(a, Fault{evt::F_ADDR_SIZE}, dti::Outcome::Abort);
            ++n_.bypassed;
            cache::TlbEntry id;
            id.base = id.oa = a.addr & ~uint64_t(0xFFF);
            dti::TranslateResponse r = translated(id, a.addr, st.start_epoch);
            r.cacheable = false;  // EATS may change (CFGI_STE): the TBU asks each time
            return r;
        }
    }
    const Fault addr_size{evt::F_ADDR_SIZE, false, evt_class::IN, 0, 0};
    cache::TlbEntry e;
    e.cd = c.cd;
    e.world = c.world;
    e.vmid_tagged = c.vmid_tagged;
    e.vmid = c.vmid;
    if (c.kind == StreamConfig::Kind::Bypass) {
        if (a.addr >= oas_limit) return fault(a, addr_size, dti::Outcome::Abort);
        ++n_.bypassed;
        e.shift = kBypassShift;
        e.base = e.oa = a.addr & ~((uint64_t(1) << e.shift) - 1);
        return translated(e, a.addr, st.start_epoch);
    }
    e.s1 = c.s1;
    e.s2 = c.s2;
    e.asid = c.s1 && c.world != cache::World::NsEl2 ? c.s1cfg.ctx.asid : 0;
    e.aset = c.s1 && c.s1cfg.ctx.aset;
    TlbCache* tlb = caches_.tlb;
    // Entries hold canonical VAs; one made without TBI serves only the untagged address.
    const uint64_t canonical = canonical_va(a.addr);
    if (tlb && tlb->enable) {
        auto f = tlb->lookup(canonical, [&](const cache::TlbEntry& t) {
            return t.world == e.world && t.s1 == e.s1 && t.s2 == e.s2 && t.vmid_tagged == e.vmid_tagged &&
                   t.vmid == e.vmid && (t.global ? t.aset == e.aset : t.asid == e.asid) &&
                   (t.tbi || canonical == a.addr);
        });
        wait_lookup(*tlb, f.sizes_probed);
        // A hit the access may use answers at once; otherwise the walk produces the fault.
        if (f.entry && (f.entry->perms & cache::perm::needed(a.write, a.priv, a.instr))) {
            cache::TlbEntry hit = *f.entry;
            hit.cd = c.cd;
            return translated(hit, a.addr, st.start_epoch);
        }
    }
    st.world = c.world;
    st.vmid_tagged = c.vmid_tagged;
    st.vmid = c.vmid;
    uint64_t ia = a.addr;
    WalkResult s1r, s2r;
    unsigned shift = 64;
    uint8_t perms = cache::perm::ALL;
    auto span = [&](const WalkResult& r) { return caches_.contiguous ? r.span_shift : r.leaf_shift; };
    if (c.s1) {
        Outcome<WalkResult> r = walker_.stage1(c.s1cfg.ctx, c.s2 ? &c.s2cfg : nullptr, a, st);
        if (auto* f = std::get_if<Fault>(&r)) return walk_fault(a, *f, c);
        s1r = std::get<WalkResult>(r);
        ia = s1r.oa;
        shift = span(s1r);
        perms &= s1r.perms;
        e.global = s1r.global;
        e.tbi = s1r.tbi;
        e.s1_level = uint8_t(s1r.level);
        e.s1_gshift = uint8_t(s1r.gshift);
        e.s1_lshift = uint8_t(s1r.leaf_shift);
    } else if (a.addr >= oas_limit) {
        // Stage 1 bypassed: the input is checked against IAS (= OAS here), always aborting.
        return fault(a, addr_size, dti::Outcome::Abort);
    }
    uint64_t oa = ia;
    if (c.s2) {
        Outcome<WalkResult> r = walker_.stage2(c.s2cfg, ia, a, S2Use::Data, st);
        if (auto* f = std::get_if<Fault>(&r)) return walk_fault(a, *f, c);
        s2r = std::get<WalkResult>(r);
        oa = s2r.oa;
        shift = std::min(shift, span(s2r));
        perms &= s2r.perms;
        e.s2_level = uint8_t(s2r.level);
        e.s2_gshift = uint8_t(s2r.gshift);
        e.s2_lshift = uint8_t(s2r.leaf_shift);
    }
    if (e.global) e.asid = 0;
    if (!c.s1 && !c.s2) shift = kBypassShift;  // S1DSS bypass of a stage-1-only stream
    const uint64_t low = (uint64_t(1) << shift) - 1;
    e.shift = uint8_t(shift);
    e.base = (e.tbi ? canonical : a.addr) & ~low;
    e.oa = oa & ~low;
    e.perms = perms;
    e.fill_epoch = st.start_epoch;
    if (tlb && tlb->enable && env_->may_insert(st.start_epoch))
        tlb->insert(e, [&](const cache::TlbEntry& t) {
            return t.world == e.world && t.s1 == e.s1 && t.s2 == e.s2 && t.vmid == e.vmid && t.asid == e.asid &&
                   t.global == e.global && t.aset == e.aset;
        });
    return translated(e, a.addr, st.start_epoch);
}

}  // namespace smmusim::smmu::tcu
