#include "models/core/at_initiator_port.h"

#include <string>

namespace smmusim::core {

AtInitiatorPort::AtInitiatorPort(const char* name, AtInitiatorHandler& handler, unsigned index)
    : socket(name),
      handler_(handler),
      index_(index),
      peq_((std::string(name) + "_peq").c_str(), this, &AtInitiatorPort::on_phase) {
    socket.bind(*this);
}

void AtInitiatorPort::send(tlm::tlm_generic_payload& gp) {
    queue_.push_back(&gp);
    try_send();
}

void AtInitiatorPort::try_send() {
    while (!req_busy_ && !queue_.empty()) {
        tlm::tlm_generic_payload& gp = *queue_.front();
        queue_.pop_front();
        req_busy_ = true;
        req_gp_ = &gp;
        tlm::tlm_phase phase = tlm::BEGIN_REQ;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        tlm::tlm_sync_enum st = socket->nb_transport_fw(gp, phase, delay);
        if (st == tlm::TLM_ACCEPTED) return;
        if (st == tlm::TLM_COMPLETED) {
            completed_.insert(&gp);
            peq_.notify(gp, tlm::BEGIN_RESP, delay);
            return;
        }
        // TLM_UPDATED: END_REQ, or BEGIN_RESP (which implies END_REQ).
        if (phase == tlm::END_REQ && delay == sc_core::SC_ZERO_TIME) {
            end_request(gp);  // loops on to the next queued request
            return;
        }
        peq_.notify(gp, phase, delay);
        return;
    }
}

tlm::tlm_sync_enum AtInitiatorPort::nb_transport_bw(tlm::tlm_generic_payload& gp,
                                                    tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    if (phase == tlm::END_REQ) {
        if (delay == sc_core::SC_ZERO_TIME) end_request(gp);
        else peq_.notify(gp, phase, delay);
        return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::BEGIN_RESP) {
        if (delay == sc_core::SC_ZERO_TIME) {
            response(gp);
            return tlm::TLM_COMPLETED;  // END_RESP implied
        }
        peq_.notify(gp, phase, delay);
        return tlm::TLM_ACCEPTED;
    }
    SC_REPORT_ERROR(socket.name(), "base-protocol violation: unexpected phase on the backward path");
    return tlm::TLM_COMPLETED;
}

void AtInitiatorPort::on_phase(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_REQ) {
        end_request(gp);
        return;
    }
    // BEGIN_RESP arriving through the PEQ: END_RESP goes back first, because the owner may
    // release (and so reuse) the payload in its callback.
    if (completed_.erase(&gp) == 0) {
        tlm::tlm_phase end = tlm::END_RESP;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->nb_transport_fw(gp, end, delay);
    }
    response(gp);
}

void AtInitiatorPort::end_request(tlm::tlm_generic_payload& gp) {
    if (!req_busy_ || req_gp_ != &gp) return;
    req_busy_ = false;
    req_gp_ = nullptr;
    handler_.at_request_accepted(gp, index_);
    try_send();
}

void AtInitiatorPort::response(tlm::tlm_generic_payload& gp) {
    end_request(gp);  // BEGIN_RESP implies END_REQ
    handler_.at_response(gp, index_);
}

void AtInitiatorPort::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    handler_.at_invalidate_dmi(start, end, index_);
}

}  // namespace smmusim::core
