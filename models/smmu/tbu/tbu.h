#pragma once
// A Translation Buffer Unit in front of one device (DESIGN §3): each transaction is
// translated by the TCU over the DTI link, then forwarded downstream with its output address
// (restored on the way back), or terminated: an abort becomes an error response, RAZ/WI
// reads return zeros and writes are dropped. TLBs, slots and ordering come with the
// microarchitecture.

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>

#include "models/core/at_initiator_port.h"
#include "models/core/at_target_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"
#include "models/smmu/dti/dti.h"

namespace smmusim::smmu::tbu {

class Tbu : public sc_core::sc_module,
            private core::AtTargetHandler,
            private core::AtInitiatorHandler,
            private dti::BwIf {
public:
    SC_HAS_PROCESS(Tbu);
    explicit Tbu(sc_core::sc_module_name name);

    core::ClockParam clock{this};
    core::Param<uint32_t> dti_latency{this, "dti_latency", 8, "cycles",
                                      "DTI link latency between this TBU and the TCU, each way",
                                      {0, 100000}};

    core::AtTargetPort in;     // from the device: <name>.in
    core::AtInitiatorPort out;  // to the interconnect: <name>.out
    dti::InitiatorSocket dti;  // to the TCU: <name>.dti

private:
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override;
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) override;
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override;
    tlm::tlm_sync_enum nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
    void translated();
    void set_inflight(uint32_t n);

    tlm_utils::peq_with_get<dti::DtiMessage> responses_;
    uint32_t inflight_ = 0;

    core::Counter translations_{this, "translations", "transactions translated through the TCU"};
    core::Counter aborted_{this, "aborted", "transactions terminated with an abort"};
    core::Counter razwi_{this, "razwi", "transactions terminated as RAZ/WI"};
    core::TimeHistogram latency_{this, "xlate_latency", "translation latency: DTI request to response"};
    core::TraceSignal inflight_sig_{this, "inflight", 16};
};

}  // namespace smmusim::smmu::tbu
