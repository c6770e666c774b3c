#include "models/core/tlm_passthrough.h"

namespace smmusim::core {

TlmPassthrough::TlmPassthrough(sc_core::sc_module_name name)
    : sc_module(name), in("in"), out("out") {
    in.bind(*this);
    out.bind(*this);
}

tlm::tlm_sync_enum TlmPassthrough::nb_transport_fw(tlm::tlm_generic_payload& gp,
                                                   tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    return out->nb_transport_fw(gp, phase, delay);
}

void TlmPassthrough::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    out->b_transport(gp, delay);
}

bool TlmPassthrough::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    return out->get_direct_mem_ptr(gp, dmi);
}

unsigned TlmPassthrough::transport_dbg(tlm::tlm_generic_payload& gp) { return out->transport_dbg(gp); }

tlm::tlm_sync_enum TlmPassthrough::nb_transport_bw(tlm::tlm_generic_payload& gp,
                                                   tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    return in->nb_transport_bw(gp, phase, delay);
}

void TlmPassthrough::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    in->invalidate_direct_mem_ptr(start, end);
}

}  // namespace smmusim::core
