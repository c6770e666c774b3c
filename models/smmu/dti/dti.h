#pragma once
// The DTI link between a TBU and the TCU (after Arm's Distributed Translation Interface): two
// TLM sockets carrying DtiMessage instead of a generic payload, one per direction of request.
//   TBU -> TCU: Translate (the response carries the translation and its tags).
//   TCU -> TBU: Invalidate (one in flight per TBU: the invalidation token), Sync, Global (the
//               SMMUEN / GBPA state the TBU applies to new transactions).
// A message goes out with BEGIN_REQ (the target returns TLM_ACCEPTED) and comes back with
// BEGIN_RESP (the initiator returns TLM_COMPLETED); each direction is annotated with the link
// latency of that TBU.

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/core/ats.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/cache/invalidation.h"

namespace smmusim::smmu::dti {

enum class MsgType : uint8_t { Translate, Invalidate, Sync, Global };

// What the TCU decided for one access.
enum class Outcome : uint8_t {
    Translated,  // use `oa`
    Abort,       // terminate with an abort (error response to the device)
    RazWi,       // terminate as read-as-zero / write-ignored (CD.A == 0)
};

using core::AtKind;  // PCIe ATS: untranslated, Translation Request, Translated

struct TranslateRequest {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false;
    uint64_t addr = 0;
    bool write = false;
    bool priv = false;
    bool instr = false;
    AtKind at = AtKind::Untranslated;
};

struct TranslateResponse {
    Outcome outcome = Outcome::Abort;
    uint64_t oa = 0;          // output address of the request's address
    bool cacheable = false;   // the TBU may keep `entry` (never for global bypass)
    uint64_t epoch = 0;       // TCU invalidations consumed when the translation started
    cache::TlbEntry entry;    // the translation (sid/ssid tags are the TBU's to set)
    // Why an access was terminated, for the TBU's transaction log: the fault or configuration
    // error (arch::evt), 0 when no event type applies (GBPA.ABORT, an STE with Config = abort);
    // whether it was a stage-2 fault, and whether an event record was posted for it (the event
    // queue may still drop it: overflow, EVENTQEN = 0).
    uint8_t event = 0;
    bool s2 = false;
    bool recorded = false;
};

struct GlobalState {
    bool smmuen = false;
    bool abort = false;  // GBPA.ABORT, used while SMMUEN = 0
    // 2^OAS: a bypassed address at or above it is terminated with an abort, no event (§3.4).
    uint64_t bypass_limit = ~uint64_t(0);
    // IDR0.ATS with CR0.ATSCHK = 0 (fast mode): ATS Translated transactions pass without an
    // STE lookup while SMMUEN = 1. Else the TCU checks each against STE.EATS (ATSCHK = 1), or
    // refuses it (no ATS).
    bool ats_fast = false;
};

struct DtiMessage {
    MsgType type = MsgType::Translate;
    unsigned port = 0;  // which TBU link
    sc_core::sc_time link_latency = sc_core::SC_ZERO_TIME;
    TranslateRequest req;
    TranslateResponse resp;
    cache::InvScope scope;  // Invalidate
    GlobalState global;     // Global
    void* owner = nullptr;  // the sender's bookkeeping
    uint64_t flow = 0;      // Translate: the transaction trace's flow id (0: not traced)
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
