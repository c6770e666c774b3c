#pragma once
// The interconnect's DVM node (AMBA CHI's MN / HN-D): it takes the DVM messages of the
// requesters (the CPU cores' broadcast TLBIs and DVM Syncs, models/noc/dvm.h) and forwards
// each to every participant of the Inner Shareable DVM domain (the SMMUs with IDR0.BTM), one
// message at a time in arrival order:
// - a TLBI is posted: the node takes a copy (the requester's TLM_COMPLETED) and sends it on to
//   every participant `latency` cycles away after `op_cycles` of its own;
// - a Sync goes to every participant after what arrived before it; the node answers the
//   requester once every participant has answered (each after completing the TLBIs it received
//   before the Sync), and takes no other message meanwhile: DVM Syncs serialize the domain.
// The CPUs' own TLBs are not modelled: a Sync waits for the SMMUs only.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/timed_queue.h"
#include "models/noc/dvm.h"

namespace smmusim::noc {

class DvmNode : public sc_core::sc_module, private dvm::FwIf, private dvm::BwIf {
public:
    SC_HAS_PROCESS(DvmNode);
    // One initiator socket per participant, named after it.
    DvmNode(sc_core::sc_module_name name, const std::vector<std::string>& participants);
    ~DvmNode() override;

    core::ClockParam clock{this};
    core::Param<uint32_t> latency{
        this, "latency", 40, "cycles",
        "each way between the DVM node and a requester or participant (estimate: no published figure for a DVM "
        "hop; of the order of an interconnect snoop; swept in docs/studies/coherency_btm.md)",
        {0, 1000000}};
    core::Param<uint32_t> op_cycles{
        this, "op_cycles", 4, "cycles",
        "the node's occupancy per DVM message, TLBI or Sync (estimate; swept in docs/studies/coherency_btm.md)",
        {0, 1000000}};

    dvm::TargetSocket in;  // the requesters (the CPU cluster's DVM port)
    // Participant i's socket: bind it to the participant's DVM target.
    dvm::InitiatorSocket& participant(size_t i) { return *out_.at(i); }
    size_t participants() const { return out_.size(); }

private:
    void run();
    tlm::tlm_sync_enum nb_transport_fw(dvm::DvmMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void b_transport(dvm::DvmMessage&, sc_core::sc_time&) override {}
    bool get_direct_mem_ptr(dvm::DvmMessage&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(dvm::DvmMessage&) override { return 0; }
    tlm::tlm_sync_enum nb_transport_bw(dvm::DvmMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

    // Messages as they arrive: TLBIs are the node's copies, Syncs the requester's own message
    // (it waits for the answer).
    dvm::MessagePool copies_;
    core::TimedQueue<dvm::DvmMessage> arrivals_;
    std::vector<std::unique_ptr<dvm::InitiatorSocket>> out_;
    std::vector<dvm::DvmMessage> sync_out_;  // the node's Sync to each participant
    core::TimedQueue<dvm::DvmMessage> answers_;  // their answers, as they arrive

    core::Counter tlbis_{this, "tlbis", "broadcast TLB invalidations forwarded"};
    core::Counter syncs_{this, "syncs", "DVM Syncs completed"};
    core::TimeHistogram sync_latency_{this, "sync_latency", "DVM Sync, from its arrival at the node to its answer"};
};

}  // namespace smmusim::noc
