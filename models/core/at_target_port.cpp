#include "models/core/at_target_port.h"

#include <string>

#include "models/core/sim_time.h"

namespace smmusim::core {

void AtTargetHandler::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&, unsigned) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
}

unsigned AtTargetHandler::at_transport_dbg(tlm::tlm_generic_payload&, unsigned) { return 0; }

bool AtTargetHandler::at_get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi&, unsigned) { return false; }

AtTargetPort::AtTargetPort(const char* name, AtTargetHandler& handler, unsigned index)
    : socket(name),
      handler_(handler),
      index_(index),
      peq_((std::string(name) + "_peq").c_str(), this, &AtTargetPort::on_phase) {
    socket.bind(*this);
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.dont_initialize();
    opts.set_sensitivity(&resp_event_);
    sc_core::sc_spawn([this] { send_responses(); }, (std::string(name) + "_resp").c_str(), &opts);
}

tlm::tlm_sync_enum AtTargetPort::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                 sc_core::sc_time& delay) {
    if (phase == tlm::BEGIN_REQ) {
        // A request for now is taken at once and END_REQ returned on this call (base protocol:
        // TLM_UPDATED), saving an event; a later one waits in the PEQ until its time.
        if (delay == sc_core::SC_ZERO_TIME && !held_) {
            if (handler_.at_request(gp, index_)) {
                phase = tlm::END_REQ;
                return tlm::TLM_UPDATED;
            }
            held_ = &gp;
            return tlm::TLM_ACCEPTED;
        }
        peq_.notify(gp, phase, delay);
        return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::END_RESP) {
        peq_.notify(gp, phase, delay);
        return tlm::TLM_COMPLETED;
    }
    SC_REPORT_ERROR(socket.name(), "base-protocol violation: unexpected phase on the forward path");
    return tlm::TLM_COMPLETED;
}

void AtTargetPort::on_phase(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
    if (phase == tlm::BEGIN_REQ) {
        if (held_)
            SC_REPORT_ERROR(socket.name(), "base-protocol violation: BEGIN_REQ before END_REQ");
        if (handler_.at_request(gp, index_)) send_end_req(gp);
        else held_ = &gp;
    } else if (phase == tlm::END_RESP) {
        response_finished();
    }
}

void AtTargetPort::send_end_req(tlm::tlm_generic_payload& gp) {
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(gp, phase, delay);
}

void AtTargetPort::accept_held() {
    tlm::tlm_generic_payload* gp = held_;
    if (!gp) return;
    held_ = nullptr;
    send_end_req(*gp);
}

void AtTargetPort::respond(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay) {
    const sc_core::sc_time now = core::now();
    queue_.push(Pending{now + delay, seq_++, &gp});
    if (resp_busy_) return;
    // A response for now on a free channel goes out on this call (no event, no delta cycle).
    if (delay == sc_core::SC_ZERO_TIME && queue_.size() == 1 && !sending_) send_responses();
    else resp_event_.notify(delay);
}

void AtTargetPort::send_responses() {
    const sc_core::sc_time now = core::now();
    // respond() may be called from the initiator's callbacks below: it must not re-enter.
    sending_ = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{sending_};
    while (!resp_busy_ && !queue_.empty()) {
        Pending top = queue_.top();
        if (top.ready > now) {
            resp_event_.notify(top.ready - now);
            return;
        }
        queue_.pop();
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        tlm::tlm_sync_enum st = socket->nb_transport_bw(*top.gp, phase, delay);
        if (st == tlm::TLM_ACCEPTED || (st == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP)) {
            resp_busy_ = true;  // END_RESP will come on the forward path
            return;
        }
        // TLM_COMPLETED or END_RESP returned: the response channel frees after `delay`.
        if (delay > sc_core::SC_ZERO_TIME) {
            resp_busy_ = true;
            peq_.notify(*top.gp, tlm::END_RESP, delay);
            return;
        }
        handler_.at_response_done(index_);
    }
}

void AtTargetPort::response_finished() {
    resp_busy_ = false;
    handler_.at_response_done(index_);
    send_responses();
}

void AtTargetPort::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    handler_.at_b_transport(gp, delay, index_);
}

bool AtTargetPort::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    return handler_.at_get_dmi(gp, dmi, index_);
}

unsigned AtTargetPort::transport_dbg(tlm::tlm_generic_payload& gp) {
    return handler_.at_transport_dbg(gp, index_);
}

}  // namespace smmusim::core
