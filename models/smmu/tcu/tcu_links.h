#pragma once
// The TCU's end of each DTI link (private parts of Tcu): the socket translation requests
// arrive on, and the socket invalidations, syncs and global state leave on, with the one
// message of each kind the TCU can have outstanding to that TBU.

#include <string>

#include "models/smmu/tcu/tcu.h"

namespace smmusim::smmu::tcu {

struct Tcu::DtiPort : dti::FwIf {
    dti::TargetSocket socket;
    Tcu& tcu;
    unsigned index;
    DtiPort(const std::string& name, Tcu& t, unsigned i) : socket(name.c_str()), tcu(t), index(i) {
        socket.bind(*this);
    }
    tlm::tlm_sync_enum nb_transport_fw(dti::DtiMessage& m, tlm::tlm_phase&, sc_core::sc_time& d) override {
        m.port = index;
        tcu.dti_request(m, d);
        return tlm::TLM_ACCEPTED;
    }
    void b_transport(dti::DtiMessage& m, sc_core::sc_time& d) override {
        m.port = index;
        tcu.dti_b_transport(m, d);
    }
    bool get_direct_mem_ptr(dti::DtiMessage&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(dti::DtiMessage&) override { return 0; }
};

struct Tcu::TbuLink {
    dti::InitiatorSocket socket;
    sc_core::sc_time latency;  // the TBU's link latency, each way
    dti::DtiMessage inv, sync, global;
    bool token_out = false;  // an invalidation is in flight to this TBU (DTI token rule)
    sc_core::sc_time inv_sent;  // when it left (transaction trace)
    TbuLink(const std::string& name, Tcu& t, unsigned index) : socket(name.c_str()) {
        socket.bind(static_cast<dti::BwIf&>(t));
        for (dti::DtiMessage* m : {&inv, &sync, &global}) m->port = index;
        inv.type = dti::MsgType::Invalidate;
        sync.type = dti::MsgType::Sync;
        global.type = dti::MsgType::Global;
    }
};

}  // namespace smmusim::smmu::tcu
