#include "models/smmu/tbu/tbu.h"

#include <cstring>

#include "models/core/stream_attr.h"

namespace smmusim::smmu::tbu {

namespace {

// What the TBU keeps with a transaction while it is translated and forwarded; allocated
// once per payload and reused with it.
struct TbuTxn : tlm::tlm_extension<TbuTxn> {
    dti::DtiMessage msg;
    uint64_t iova = 0;
    sc_core::sc_time start;
    tlm::tlm_generic_payload* gp = nullptr;
    tlm::tlm_extension_base* clone() const override { return new TbuTxn(*this); }
    void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const TbuTxn&>(o); }
};

}  // namespace

Tbu::Tbu(sc_core::sc_module_name name)
    : sc_module(name), in("in", *this), out("out", *this), dti("dti"), responses_("responses") {
    dti.bind(*this);
    SC_METHOD(translated);
    sensitive << responses_.get_event();
    dont_initialize();
}

bool Tbu::at_request(tlm::tlm_generic_payload& gp, unsigned) {
    TbuTxn* t = gp.get_extension<TbuTxn>();
    if (!t) {
        t = new TbuTxn;
        gp.set_extension(t);
    }
    t->gp = &gp;
    t->iova = gp.get_address();
    t->start = sc_core::sc_time_stamp();
    dti::DtiMessage& m = t->msg;
    m.type = dti::MsgType::Translate;
    m.owner = t;
    m.link_latency = clock.cycles(dti_latency);
    dti::TranslateRequest& q = m.req;
    q = dti::TranslateRequest{};
    // A device without StreamAttr presents StreamID 0, unprivileged data, no SubstreamID.
    if (const core::StreamAttr* a = gp.get_extension<core::StreamAttr>()) {
        q.sid = a->sid;
        q.ssid = a->ssid;
        q.ssv = a->ssid_valid;
        q.priv = a->priv;
        q.instr = a->instr;
    }
    q.addr = gp.get_address();
    q.write = gp.is_write();
    set_inflight(inflight_ + 1);
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = m.link_latency;
    dti->nb_transport_fw(m, phase, delay);
    return true;
}

tlm::tlm_sync_enum Tbu::nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    responses_.notify(m, delay);
    return tlm::TLM_COMPLETED;
}

void Tbu::translated() {
    while (dti::DtiMessage* m = responses_.get_next_transaction()) {
        TbuTxn* t = static_cast<TbuTxn*>(m->owner);
        tlm::tlm_generic_payload& gp = *t->gp;
        ++translations_;
        latency_.sample(sc_core::sc_time_stamp() - t->start);
        switch (m->resp.outcome) {
        case dti::Outcome::Translated:
            gp.set_address(m->resp.oa);
            out.send(gp);
            continue;
        case dti::Outcome::RazWi:
            ++razwi_;
            if (gp.is_read()) std::memset(gp.get_data_ptr(), 0, gp.get_data_length());
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
            break;
        case dti::Outcome::Abort:
            ++aborted_;
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            break;
        }
        set_inflight(inflight_ - 1);
        in.respond(gp, clock.cycles(1));
    }
}

void Tbu::at_response(tlm::tlm_generic_payload& gp, unsigned) {
    gp.set_address(gp.get_extension<TbuTxn>()->iova);  // the device sees its own address back
    set_inflight(inflight_ - 1);
    in.respond(gp);
}

void Tbu::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&, unsigned) {
    // Devices use the AT protocol; a blocking access cannot be translated here.
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
}

void Tbu::set_inflight(uint32_t n) {
    inflight_ = n;
    inflight_sig_.set(n);
}

}  // namespace smmusim::smmu::tbu
