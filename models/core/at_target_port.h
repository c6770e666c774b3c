#pragma once
// Target side of the TLM-2.0 base protocol (4 phases), shared by every AT target model.
// The port applies annotated delays, holds a request the owner cannot take yet (so the
// initiator sees backpressure through a late END_REQ), and serialises responses: one
// BEGIN_RESP in flight at a time, sent in (ready time, call order).

#include <cstdint>
#include <queue>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

namespace smmusim::core {

class AtTargetHandler {
public:
    virtual ~AtTargetHandler() = default;
    // BEGIN_REQ has arrived. Return true to take it now (END_REQ goes back at once), false to
    // hold it until the owner calls AtTargetPort::accept_held().
    virtual bool at_request(tlm::tlm_generic_payload& gp, unsigned port) = 0;
    // A response has been accepted by the initiator (the payload may already be reused).
    virtual void at_response_done(unsigned port) { (void)port; }
    virtual void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned port);
    virtual unsigned at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned port);
    virtual bool at_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, unsigned port);
};

class AtTargetPort : private tlm::tlm_fw_transport_if<> {
public:
    AtTargetPort(const char* name, AtTargetHandler& handler, unsigned index = 0);
    AtTargetPort(const AtTargetPort&) = delete;
    AtTargetPort& operator=(const AtTargetPort&) = delete;

    tlm::tlm_target_socket<> socket;

    // END_REQ for the request the owner held.
    void accept_held();
    tlm::tlm_generic_payload* held() const { return held_; }
    // BEGIN_RESP after `delay` (and after earlier-ready responses).
    void respond(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME);
    // Responses queued or in flight, not yet accepted by the initiator.
    size_t responses_pending() const { return queue_.size() + (resp_busy_ ? 1 : 0); }
    unsigned index() const { return index_; }
    void invalidate_dmi(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

private:
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) override;
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override;
    unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;

    void on_phase(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
    void send_end_req(tlm::tlm_generic_payload& gp);
    void send_responses();
    void response_finished();

    struct Pending {
        sc_core::sc_time ready;
        uint64_t seq;
        tlm::tlm_generic_payload* gp;
        bool operator>(const Pending& o) const {
            return ready != o.ready ? ready > o.ready : seq > o.seq;
        }
    };

    AtTargetHandler& handler_;
    unsigned index_;
    tlm_utils::peq_with_cb_and_phase<AtTargetPort> peq_;
    sc_core::sc_event resp_event_;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> queue_;
    uint64_t seq_ = 0;
    tlm::tlm_generic_payload* held_ = nullptr;
    bool resp_busy_ = false;
    bool sending_ = false;
};

}  // namespace smmusim::core
