#include "models/cpu/dvm_requester.h"

#include "models/core/sim_time.h"

namespace smmusim::cpu {

namespace {
// A Sync in flight: the message and what its core waits on (on the waiting thread's stack).
struct SyncWait {
    noc::dvm::DvmMessage msg;
    sc_core::sc_event answered;
    bool done = false;
};
}  // namespace

DvmRequester::DvmRequester(sc_core::sc_module_name name) : sc_module(name), out("out") {
    out.bind(static_cast<noc::dvm::BwIf&>(*this));
}

void DvmRequester::tlbi(unsigned core, const smmu::arch::dvm::Message& m) {
    noc::dvm::DvmMessage msg;
    msg.type = noc::dvm::MsgType::Tlbi;
    msg.tlbi = m;
    msg.source = core;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    ++tlbis_;
    out->nb_transport_fw(msg, phase, delay);  // the node copies it (TLM_COMPLETED)
}

void DvmRequester::sync(unsigned core) {
    SyncWait w;
    w.msg.type = noc::dvm::MsgType::Sync;
    w.msg.source = core;
    w.msg.owner = &w;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    ++syncs_;
    const sc_core::sc_time start = core::now();
    out->nb_transport_fw(w.msg, phase, delay);
    while (!w.done) wait(w.answered);
    sync_wait_.sample(core::now() - start);
}

tlm::tlm_sync_enum DvmRequester::nb_transport_bw(noc::dvm::DvmMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    // The waiting core (blocked in sync()) wakes when the answer arrives, `delay` from now.
    auto* w = static_cast<SyncWait*>(m.owner);
    w->done = true;
    w->answered.notify(delay);
    return tlm::TLM_COMPLETED;
}

}  // namespace smmusim::cpu
