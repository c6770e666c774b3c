#include "models/smmu/tbu/tbu.h"

#include <algorithm>
#include <cstring>

#include "models/core/sim_time.h"
#include "models/core/stream_attr.h"
#include "models/core/txn_trace.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/arch/geometry.h"
#include "models/smmu/tbu/tbu_txn.h"

namespace smmusim::smmu::tbu {

namespace {

cache::CacheDefaults tlb_defaults(uint32_t entries, uint32_t ways, uint32_t latency, uint32_t lookups,
                                  const char* pmu_miss = nullptr) {
    cache::CacheDefaults d;
    d.entries = entries;
    d.ways = ways;
    d.latency = latency;
    d.lookups = lookups;
    d.pmu_miss = pmu_miss;
    return d;
}

// A TLB entry of the stream `t` belongs to.
bool same_stream(const cache::TlbEntry& e, const TbuTxn& t) { return e.sid == t.sid && e.ssv == t.ssv && e.ssid == t.ssid; }

}  // namespace

uint8_t TbuTxn::needed() const { return cache::perm::needed(write, priv, instr && !write); }

Tbu::Tbu(sc_core::sc_module_name name, const dti::GlobalState& reset_state)
    // Defaults after gem5's SMMUv3 TBU: a 32-entry fully associative micro TLB (1 cycle) and a
    // 2048-entry 4-way main TLB (3 cycles, pipelined) (reference peers.md).
    : sc_module(name),
      utlb("utlb", tlb_defaults(32, 0, 1, 1)),
      mtlb("mtlb", tlb_defaults(2048, 4, 3, 3, "TLB_MISS")),
      in("in", *this),
      out("out", *this),
      dti("dti"),
      from_tcu("from_tcu"),
      global_(reset_state) {
    set_device(sc_module::name());
    dti.bind(static_cast<dti::BwIf&>(*this));
    from_tcu.bind(static_cast<dti::FwIf&>(*this));
    SC_METHOD(translated);
    sensitive << responses_.get_event();
    dont_initialize();
    SC_METHOD(on_ready);
    sensitive << ready_.get_event();
    dont_initialize();
    SC_THREAD(control);
}

Tbu::~Tbu() = default;

bool Tbu::at_request(tlm::tlm_generic_payload& gp, unsigned) {
    if (slots_busy_ >= xlate_slots) {
        held_since_ = core::now();
        return false;  // END_REQ when a slot frees
    }
    start(gp, core::now());
    return true;
}

TbuTxn& Tbu::attach(tlm::tlm_generic_payload& gp, const sc_core::sc_time& start, const sc_core::sc_time& arrival) {
    TbuTxn* t = gp.get_extension<TbuTxn>();
    if (!t) {
        t = new TbuTxn;
        gp.set_extension(t);
    }
    t->gp = &gp;
    t->iova = gp.get_address();
    t->write = gp.is_write();
    t->start = start;
    t->arrival = arrival;
    t->ready = t->forward = t->pending = t->blocks_sync = false;
    t->next_merged = nullptr;
    // A device without StreamAttr presents StreamID 0, unprivileged data, no SubstreamID.
    const core::StreamAttr* a = gp.get_extension<core::StreamAttr>();
    t->sid = a ? a->sid : 0;
    t->ssv = a && a->ssid_valid;
    t->ssid = t->ssv ? a->ssid : 0;
    t->priv = a && a->priv;
    t->instr = a && a->instr;
    t->id = a ? a->id : 0;
    t->at = a ? a->at : dti::AtKind::Untranslated;
    t->flow = 0;
    t->lookup = "";
    return *t;
}

void Tbu::start(tlm::tlm_generic_payload& gp, const sc_core::sc_time& arrival) {
    TbuTxn* t = &attach(gp, core::now(), arrival);
    set_slots(slots_busy_ + 1);
    order_.push_back(t);
    t->live_index = live_.size();
    live_.push_back(t);

    const sc_core::sc_time next_cycle = core::now() + clock.cycles(1);
    // SMMUEN=0: every transaction bypasses, or aborts, as GBPA says (§9.5). CR0.ATSCHK = 0: an
    // ATS Translated transaction passes untouched, no STE lookup (reference §CR0). Either way an
    // address the output cannot carry aborts (§3.4), without an event.
    const bool unchecked = global_.smmuen && t->at == dti::AtKind::Translated && global_.ats_fast;
    if (!global_.smmuen || unchecked) {
        if (unchecked) ++ats_unchecked_;
        if ((global_.abort && !global_.smmuen) || t->iova >= global_.bypass_limit) {
            terminate(*t, dti::TranslateResponse{});
        } else {
            t->oa = t->iova;
            t->forward = true;
            t->epoch = processed_;
        }
        ready_at(*t, next_cycle);
        return;
    }
    if (t->at != dti::AtKind::Untranslated) {
        // DTI-ATS: Translation Requests, and Translated transactions with ATSCHK = 1, are the
        // TCU's to check (STE.EATS); they neither use nor fill this TBU's TLBs.
        ask_tcu(*t, next_cycle);
        return;
    }
    sc_core::sc_time done;
    const cache::TlbEntry* e = look_up(*t, done);
    const bool traced = core::TxnTraceWriter::instance().enabled();
    if (traced) trace_lookup(*t, !e ? "miss" : (e->perms & t->needed()) ? "hit" : "hit, no permission", done);
    if (e && (e->perms & t->needed())) {
        use(*t, *e, epoch_of(*e));
        ready_at(*t, done);
        return;
    }
    // A hit the access may not use goes to the TCU too: it decides and records the fault.
    if (!e) {
        for (TbuTxn* m : misses_) {
            if (!m->same_page(*t)) continue;
            ++merged_;
            t->pending = true;
            TbuTxn* last = m;
            while (last->next_merged) last = last->next_merged;
            last->next_merged = t;
            return;
        }
    }
    ask_tcu(*t, done);
}

const cache::TlbEntry* Tbu::look_up(TbuTxn& t, sc_core::sc_time& done, bool unloaded) {
    // Entries hold canonical VAs (TBI); one made without TBI serves only the untagged address.
    const uint64_t key = smmu::arch::canonical_va(t.iova);
    auto match = [&](const cache::TlbEntry& e) { return same_stream(e, t) && (e.tbi || key == t.iova); };
    const sc_core::sc_time cycle = clock.cycles(1);
    // LT: the lookup starts at the transaction's own time and meets no other lookup.
    auto timed = [&](cache::CacheObject& c, const sc_core::sc_time& at, unsigned sizes) {
        return unloaded ? at + c.unloaded(c.probes_for(sizes), cycle) : c.reserve(at, c.probes_for(sizes), cycle);
    };
    auto u = utlb.lookup(key, match);
    done = timed(utlb, unloaded ? t.start : core::now(), u.sizes_probed);
    if (u.entry) return u.entry;
    auto m = mtlb.lookup(key, match);
    done = timed(mtlb, done, m.sizes_probed);
    if (!m.entry) return nullptr;
    utlb.insert(*m.entry, [&](const cache::TlbEntry& o) { return same_stream(o, t); });
    return m.entry;
}

dti::DtiMessage& Tbu::request(TbuTxn& t) {
    dti::DtiMessage& m = t.msg;
    m.type = dti::MsgType::Translate;
    m.owner = &t;
    m.link_latency = link_latency();
    m.req = dti::TranslateRequest{t.sid, t.ssid, t.ssv, t.iova, t.write, t.priv, t.instr, t.at};
    ++dti_requests_;
    return m;
}

void Tbu::ask_tcu(TbuTxn& t, const sc_core::sc_time& at) {
    t.pending = true;
    if (t.at == dti::AtKind::Untranslated) misses_.push_back(&t);
    dti::DtiMessage& m = request(t);
    if (core::TxnTraceWriter::instance().enabled()) {
        t.asked = at;
        t.flow = core::TxnTraceWriter::instance().new_flow();
    }
    m.flow = t.flow;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = (at - core::now()) + m.link_latency;
    dti->nb_transport_fw(m, phase, delay);
}

void Tbu::use(TbuTxn& t, const cache::TlbEntry& e, uint64_t epoch) {
    t.oa = e.oa | (t.iova & ((uint64_t(1) << e.shift) - 1));
    t.forward = true;
    t.epoch = epoch;
}

void Tbu::terminate(TbuTxn& t, const dti::TranslateResponse& why) {
    t.forward = false;
    t.outcome = why.outcome;
    t.event = why.event;
    t.s2 = why.s2;
    t.recorded = why.recorded;
    t.epoch = processed_;
}

void Tbu::ready_at(TbuTxn& t, const sc_core::sc_time& at) {
    const sc_core::sc_time now = core::now();
    ready_.notify(t, at > now ? at - now : sc_core::SC_ZERO_TIME);
}

tlm::tlm_sync_enum Tbu::nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    responses_.notify(m, delay);
    return tlm::TLM_COMPLETED;
}

void Tbu::translated() {
    const sc_core::sc_time now = core::now();
    while (dti::DtiMessage* m = responses_.get_next_transaction()) {
        TbuTxn& t = *static_cast<TbuTxn*>(m->owner);
        misses_.erase(std::remove(misses_.begin(), misses_.end(), &t), misses_.end());
        t.pending = false;
        const dti::TranslateResponse& r = m->resp;
        if (core::TxnTraceWriter::instance().enabled()) trace_dti(t);
        cache::TlbEntry e;
        const bool ok = answered(t, r, e);
        ready_at(t, now);
        // Merged misses use the answer if it is a translation they may use, else ask themselves.
        for (TbuTxn* w = t.next_merged; w;) {
            TbuTxn* next = w->next_merged;
            w->next_merged = nullptr;
            w->pending = false;
            if (ok && r.cacheable && (e.perms & w->needed())) {
                use(*w, e, r.epoch);
                ready_at(*w, now);
            } else {
                ask_tcu(*w, now);
            }
            w = next;
        }
        t.next_merged = nullptr;
    }
}

bool Tbu::answered(TbuTxn& t, const dti::TranslateResponse& r, cache::TlbEntry& e) {
    e = r.entry;
    const bool ok = r.outcome == dti::Outcome::Translated;
    if (ok) {
        e.sid = t.sid;
        e.ssv = t.ssv;
        e.ssid = t.ssid;
        e.epoch = e.fill_epoch = r.epoch;
        e.filled_after = processed_;
        // Not kept if an invalidation was applied since the TCU started it: it may be stale.
        if (r.cacheable && r.epoch >= processed_ && t.at == dti::AtKind::Untranslated) {
            auto same = [&](const cache::TlbEntry& o) { return same_stream(o, t); };
            mtlb.insert(e, same);
            utlb.insert(e, same);
        }
        t.oa = r.oa;
        t.forward = true;
        t.epoch = r.epoch;
    } else {
        terminate(t, r);
    }
    return ok;
}

void Tbu::on_ready() {
    while (TbuTxn* t = ready_.get_next_transaction()) t->ready = true;
    issue();
}

void Tbu::issue() {
    // Transactions leave in arrival order within a StreamID and AXI ID; others overtake.
    // Only on_ready() (a method) calls this, so the member list is never in use twice.
    std::vector<TbuTxn*>& leaving = leaving_;
    leaving.clear();
    uint32_t blocked[16][2];
    unsigned nblocked = 0;
    bool overflow = false;
    size_t keep = 0;
    for (TbuTxn* t : order_) {
        bool held = overflow;
        for (unsigned i = 0; i < nblocked && !held; ++i) held = blocked[i][0] == t->sid && blocked[i][1] == t->id;
        if (!t->ready || held) {
            if (!t->ready && !held) {
                if (nblocked < 16) {
                    blocked[nblocked][0] = t->sid;
                    blocked[nblocked][1] = t->id;
                    ++nblocked;
                } else {
                    overflow = true;  // too many IDs waiting: keep the rest in order
                }
            }
            order_[keep++] = t;
            continue;
        }
        leaving.push_back(t);
    }
    order_.resize(keep);
    const sc_core::sc_time now = core::now();
    for (TbuTxn* t : leaving) {
        tlm::tlm_generic_payload& gp = *t->gp;
        ++translations_;
        latency_.sample(now - t->start);
        set_slots(slots_busy_ - 1);
        if (t->at == dti::AtKind::Request) {
            complete_translation_request(*t, gp);
            continue;
        }
        if (t->forward) {
            gp.set_address(t->oa);
            out.send(gp);
            continue;
        }
        terminated(*t, gp);
        finish(*t);
        if (core::JsonLog* log = core::JsonLog::get(core::LogId::Xlate)) log_xlate(*log, *t, gp, now);
        if (core::TxnTraceWriter::instance().enabled()) trace_txn(*t, gp);
        in.respond(gp);
    }
    // Slots freed: take a request that waited for one.
    while (slots_busy_ < xlate_slots && in.held()) {
        tlm::tlm_generic_payload* gp = in.held();
        in.accept_held();
        start(*gp, held_since_);
    }
}

void Tbu::terminated(const TbuTxn& t, tlm::tlm_generic_payload& gp) {
    if (t.outcome == dti::Outcome::RazWi) {
        ++razwi_;
        if (gp.is_read()) std::memset(gp.get_data_ptr(), 0, gp.get_data_length());
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
        ++aborted_;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    }
}

void Tbu::at_response(tlm::tlm_generic_payload& gp, unsigned) {
    TbuTxn& t = *gp.get_extension<TbuTxn>();
    gp.set_address(t.iova);  // the device sees its own address back
    finish(t);
    if (core::JsonLog* log = core::JsonLog::get(core::LogId::Xlate)) log_xlate(*log, t, gp, core::now());
    if (core::TxnTraceWriter::instance().enabled()) trace_txn(t, gp);
    in.respond(gp);
}

// The transaction log (DESIGN §5). t_ns is when the response leaves the TBU for the device
// (handed to the device port; BEGIN_RESP may go later if the device has not yet accepted an
// earlier response), latency_ns runs from the request's BEGIN_REQ reaching the TBU (including
// any wait for a translation slot) to then. status: "ok" (translated, "pa" is the output
// address; "bus_error": true if the access then failed downstream), "fault" (terminated for a
// fault or configuration error the TCU reported: "event", "s2", "recorded"), "abort"
// (terminated with no event type: GBPA.ABORT while SMMUEN = 0, an STE with Config = abort).
// Terminated lines say how in "term": "abort" (error response) or "razwi" (read-as-zero /
// write-ignored, CD.A = 0).
void Tbu::log_xlate(core::JsonLog& log, const TbuTxn& t, const tlm::tlm_generic_payload& gp,
                    const sc_core::sc_time& now) const {
    core::JsonLine l = log.line();
    l.time_ns("t_ns", now).str("dev", device_).num("sid", t.sid);
    if (t.ssv) l.num("ssid", t.ssid);
    else l.null("ssid");
    l.hex("iova", t.iova).str("rw", t.write ? "w" : "r").num("size", gp.get_data_length());
    if (t.forward) {
        l.str("status", "ok").hex("pa", t.oa);
        if (!gp.is_response_ok()) l.boolean("bus_error", true);
    } else {
        if (t.event) {
            const char* name = smmu::arch::event_name(t.event);
            l.str("status", "fault").str("event", name).boolean("s2", t.s2).boolean("recorded", t.recorded);
        } else {
            l.str("status", "abort");
        }
        l.str("term", t.outcome == dti::Outcome::RazWi ? "razwi" : "abort");
    }
    l.time_ns("latency_ns", now - t.arrival);
}

void Tbu::finish(TbuTxn& t) {
    TbuTxn* last = live_.back();
    live_[t.live_index] = last;
    last->live_index = t.live_index;
    live_.pop_back();
    if (t.blocks_sync) {
        t.blocks_sync = false;
        --sync_blockers_;
        sync_progress_.notify(sc_core::SC_ZERO_TIME);
    }
}

void Tbu::complete_translation_request(TbuTxn& t, tlm::tlm_generic_payload& gp) {
    // The Translation Completion goes back to the device as the read's data (PCIe §10.2.3);
    // a refused request (STE.EATS = 0, a configuration error, an aborting stream) is an
    // Unsupported Request, an error response; a translation fault completes with R = W = 0.
    const dti::TranslateResponse& r = t.msg.resp;
    const bool refused = !t.forward && (r.outcome != dti::Outcome::Abort || r.event == 0 || r.recorded);
    core::AtsTranslation x;
    if (t.forward) {
        // SMMUv3 §3.9.1: a request without a PASID is treated as Unprivileged (its Priv is
        // ignored), and a completion for a request with a PASID has Global = 0.
        const bool priv = t.priv && t.ssv;
        x.log2_bytes = r.entry.shift;
        x.base = r.entry.oa;
        x.read = r.entry.perms & (priv ? cache::perm::PR : cache::perm::UR);
        x.write = r.entry.perms & (priv ? cache::perm::PW : cache::perm::UW);
        x.global = r.entry.global && !t.ssv;
    }
    if (refused) {
        ++aborted_;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    } else {
        if (gp.is_read() && gp.get_data_length() >= 8) x.store(gp.get_data_ptr());
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    finish(t);
    if (core::JsonLog* log = core::JsonLog::get(core::LogId::Xlate)) log_xlate(*log, t, gp, core::now());
    in.respond(gp);
}

void Tbu::set_slots(uint32_t n) {
    slots_busy_ = n;
    slots_level_.set(n);
    slots_sig_.set(n);
}

}  // namespace smmusim::smmu::tbu
