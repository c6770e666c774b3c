#pragma once
// The CPU cluster's port into the interconnect's DVM domain (models/noc/dvm_node.h): a core's
// broadcast TLBI instruction becomes a DVM message, posted (the core goes on), and the DSB
// after it a DVM Sync that holds the core until the node answers, once every participant has
// completed the TLBIs received before it (Arm ARM D8.13: a TLBI is complete for other
// observers only after a DSB). Created by the platform only when an SMMU takes part in the
// domain (IDR0.BTM): runs without one keep their stats and parameters as they were.

#include <cstdint>

#include <systemc>

#include "models/core/stats.h"
#include "models/noc/dvm.h"

namespace smmusim::cpu {

class DvmRequester : public sc_core::sc_module, private noc::dvm::BwIf {
public:
    explicit DvmRequester(sc_core::sc_module_name name);

    noc::dvm::InitiatorSocket out;  // to the DVM node

    // Core `core` posts a TLBI (no simulated time passes here).
    void tlbi(unsigned core, const smmu::arch::dvm::Message& m);
    // A DVM Sync for core `core`: returns when the node has answered it (a SystemC thread).
    void sync(unsigned core);

private:
    tlm::tlm_sync_enum nb_transport_bw(noc::dvm::DvmMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

    core::Counter tlbis_{this, "tlbis", "broadcast TLBIs the cores issued (TLBI ...IS)"};
    core::Counter syncs_{this, "syncs", "DVM Syncs the cores issued (the DSB after their TLBIs)"};
    core::TimeHistogram sync_wait_{this, "sync_wait", "a core's DSB waiting for its DVM Sync"};
};

}  // namespace smmusim::cpu
