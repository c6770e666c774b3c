#pragma once
// The TCU's DVM target (private part of Tcu, IDR0.BTM): broadcast TLBIs and DVM Syncs from the
// interconnect's DVM node, applied one at a time in arrival order (tcu_dvm.cpp).

#include "models/core/stats.h"
#include "models/core/timed_queue.h"
#include "models/noc/dvm.h"
#include "models/smmu/tcu/tcu.h"

namespace smmusim::smmu::tcu {

struct Tcu::DvmPort : noc::dvm::FwIf {
    explicit DvmPort(Tcu& t);
    tlm::tlm_sync_enum nb_transport_fw(noc::dvm::DvmMessage& m, tlm::tlm_phase&, sc_core::sc_time& d) override;
    void b_transport(noc::dvm::DvmMessage&, sc_core::sc_time&) override {}
    bool get_direct_mem_ptr(noc::dvm::DvmMessage&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(noc::dvm::DvmMessage&) override { return 0; }

    noc::dvm::TargetSocket socket;
    Tcu& tcu;
    // Received messages: TLBIs are this port's copies, Syncs the node's own (answered when done).
    core::TimedQueue<noc::dvm::DvmMessage> arrivals;
    noc::dvm::MessagePool copies;
    bool applied = false;  // a TLBI took effect since the last Sync
    core::Counter tlbis, ignored, syncs;
};

}  // namespace smmusim::smmu::tcu
