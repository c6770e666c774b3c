#pragma once
// The DTI link between TBUs and the TCU (after Arm's Distributed Translation Interface): a
// TLM socket pair carrying DtiMessage instead of a generic payload. A message goes out with
// BEGIN_REQ (the target returns TLM_ACCEPTED) and comes back with BEGIN_RESP (the initiator
// returns TLM_COMPLETED); each direction is annotated with the link latency. Translation
// requests travel TBU -> TCU; invalidations and syncs travel TCU -> TBU on a second socket
// pair with the same message type.

#include <cstdint>

#include <systemc>
#include <tlm>

namespace smmusim::smmu::dti {

enum class MsgType : uint8_t { Translate, Invalidate, Sync };

// What the TCU decided for one access.
enum class Outcome : uint8_t {
    Translated,  // use `oa`
    Abort,       // terminate with an abort (error response to the device)
    RazWi,       // terminate as read-as-zero / write-ignored (CD.A == 0)
};

struct TranslateRequest {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false;
    uint64_t addr = 0;
    bool write = false;
    bool priv = false;
    bool instr = false;
};

struct TranslateResponse {
    Outcome outcome = Outcome::Abort;
    uint64_t oa = 0;           // output address of the request's address
    unsigned page_shift = 12;  // size of the translation that produced oa (for TLBs)
};

struct DtiMessage {
    MsgType type = MsgType::Translate;
    unsigned port = 0;  // which TBU link
    sc_core::sc_time link_latency = sc_core::SC_ZERO_TIME;
    TranslateRequest req;
    TranslateResponse resp;
    void* owner = nullptr;  // the sender's bookkeeping (the TBU's transaction)
};

struct dti_protocol_types {
    using tlm_payload_type = DtiMessage;
    using tlm_phase_type = tlm::tlm_phase;
};

using InitiatorSocket = tlm::tlm_initiator_socket<32, dti_protocol_types>;
using TargetSocket = tlm::tlm_target_socket<32, dti_protocol_types>;
using FwIf = tlm::tlm_fw_transport_if<dti_protocol_types>;
using BwIf = tlm::tlm_bw_transport_if<dti_protocol_types>;

}  // namespace smmusim::smmu::dti
