#include "models/smmu/arch/events_json.h"

#include "models/smmu/arch/json_text.h"

namespace smmusim::smmu::arch {

namespace {


const char* class_name(uint64_t c) {
    switch (c) {
    case evt_class::CD: return "CD";
    case evt_class::TT: return "TT";
    case evt_class::IN: return "IN";
    default: return "RESERVED";
    }
}

}  // namespace

void append_event_json(std::string& out, const EventRecord& r) {
    using R = EventRecord;
    const uint8_t t = r.type();
    json::name(out, "type", event_name(t));
    json::num(out, "code", t);
    json::num(out, "sid", r.get<R::StreamID>());
    if (t == evt::C_BAD_SUBSTREAMID || r.get<R::SSV>()) json::num(out, "ssid", r.get<R::SubstreamID>());
    else json::null(out, "ssid");

    const bool fetch = t == evt::F_STE_FETCH || t == evt::F_CD_FETCH || t == evt::F_VMS_FETCH;
    if (fetch) {
        json::hex(out, "fetch_addr", r.address<R::FetchAddr>());
        return;
    }
    const bool has_input = evt::is_translation_fault(t) || t == evt::F_WALK_EABT || t == evt::F_UUT ||
                           t == evt::F_BAD_ATS_TREQ || t == evt::F_TRANSL_FORBIDDEN || t == evt::F_TLB_CONFLICT;
    if (!has_input) return;
    json::hex(out, "addr", r.get<R::InputAddr>());
    json::boolean(out, "rnw", r.get<R::RnW>());
    json::boolean(out, "ind", r.get<R::InD>());
    json::boolean(out, "pnu", r.get<R::PnU>());
    const bool staged = evt::is_translation_fault(t) || t == evt::F_WALK_EABT || t == evt::F_TLB_CONFLICT;
    if (!staged) return;
    const bool s2 = r.get<R::S2>();
    json::boolean(out, "s2", s2);
    json::name(out, "class", class_name(r.get<R::Class>()));
    if (t == evt::F_WALK_EABT) json::hex(out, "fetch_addr", r.address<R::FetchAddr>());
    else if (s2) json::hex(out, "ipa", r.address<R::IPA>());
    else json::null(out, "ipa");  // the field is not an IPA for a stage-1 fault
}

std::string event_json(const EventRecord& r) {
    std::string s = "{";
    append_event_json(s, r);
    s += '}';
    return s;
}

}  // namespace smmusim::smmu::arch
