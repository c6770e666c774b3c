#pragma once
// Initiator side of the TLM-2.0 base protocol (4 phases), shared by every AT initiator.
// send() queues a request; the port issues BEGIN_REQ when the request channel is free (after
// END_REQ of the previous one), applies annotated delays, and accepts every response.

#include <cstdint>
#include <set>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "models/core/ring.h"

namespace smmusim::core {

class AtInitiatorHandler {
public:
    virtual ~AtInitiatorHandler() = default;
    // The response has arrived; the transaction is complete.
    virtual void at_response(tlm::tlm_generic_payload& gp, unsigned port) = 0;
    // END_REQ: the target took the request.
    virtual void at_request_accepted(tlm::tlm_generic_payload& gp, unsigned port) {
        (void)gp;
        (void)port;
    }
    virtual void at_invalidate_dmi(uint64_t start, uint64_t end, unsigned port) {
        (void)start;
        (void)end;
        (void)port;
    }
};

class AtInitiatorPort : private tlm::tlm_bw_transport_if<> {
public:
    AtInitiatorPort(const char* name, AtInitiatorHandler& handler, unsigned index = 0);
    AtInitiatorPort(const AtInitiatorPort&) = delete;
    AtInitiatorPort& operator=(const AtInitiatorPort&) = delete;

    tlm::tlm_initiator_socket<> socket;

    void send(tlm::tlm_generic_payload& gp);
    bool request_busy() const { return req_busy_; }
    size_t queued() const { return queue_.size(); }
    unsigned index() const { return index_; }

private:
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

    void on_phase(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
    void try_send();
    void end_request(tlm::tlm_generic_payload& gp);
    void response(tlm::tlm_generic_payload& gp);

    AtInitiatorHandler& handler_;
    unsigned index_;
    tlm_utils::peq_with_cb_and_phase<AtInitiatorPort> peq_;
    Ring<tlm::tlm_generic_payload*> queue_;  // requests not yet sent (no allocation per request)
    tlm::tlm_generic_payload* req_gp_ = nullptr;
    bool req_busy_ = false;
    // Transactions the target completed on the forward call: no END_RESP may be sent.
    std::set<tlm::tlm_generic_payload*> completed_;
};

}  // namespace smmusim::core
