#pragma once
// The DVM (Distributed Virtual Memory) messages of the interconnect: a PE's broadcast TLB
// invalidation and DVM Sync (AMBA CHI DVMOp / SnpDVMOp; ACE DVM transactions), carried on TLM
// sockets of their own, as the DTI link carries DtiMessage. A message goes out with BEGIN_REQ
// (the target returns TLM_ACCEPTED) and is answered with BEGIN_RESP (the initiator returns
// TLM_COMPLETED): a TLBI's answer says it was received, a Sync's that every TLBI received
// before it has completed at that participant.

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/smmu/arch/dvm.h"

namespace smmusim::noc::dvm {

enum class MsgType : uint8_t { Tlbi, Sync };

struct DvmMessage {
    MsgType type = MsgType::Tlbi;
    smmu::arch::dvm::Message tlbi;  // Tlbi
    unsigned source = 0;            // the issuing requester (a CPU core)
    void* owner = nullptr;          // the sender's bookkeeping
};

struct dvm_protocol_types {
    using tlm_payload_type = DvmMessage;
    using tlm_phase_type = tlm::tlm_phase;
};

// Where a receiver keeps its copies of posted TLBIs (the sender is done with its message once
// nb_transport_fw returns): grows to the most ever held at once, then allocates no more.
class MessagePool {
public:
    DvmMessage* copy(const DvmMessage& m) {
        if (free_.empty()) {
            all_.push_back(std::make_unique<DvmMessage>());
            free_.push_back(all_.back().get());
        }
        DvmMessage* c = free_.back();
        free_.pop_back();
        *c = m;
        return c;
    }
    void give_back(DvmMessage* m) { free_.push_back(m); }

private:
    std::vector<std::unique_ptr<DvmMessage>> all_;
    std::vector<DvmMessage*> free_;
};

using InitiatorSocket = tlm::tlm_initiator_socket<32, dvm_protocol_types>;
using TargetSocket = tlm::tlm_target_socket<32, dvm_protocol_types>;
using FwIf = tlm::tlm_fw_transport_if<dvm_protocol_types>;
using BwIf = tlm::tlm_bw_transport_if<dvm_protocol_types>;

}  // namespace smmusim::noc::dvm
