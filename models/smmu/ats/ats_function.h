#pragma once
// The ATS function of a PCIe endpoint as it uses its ATC (PCIe Base §10.1): it sits between
// the device's DMA engine and the SMMU's TBU (as DTI-ATS does, reference §ATS) and turns each
// of the device's accesses into:
//   - an ATC hit with the permission the access needs: one Translated transaction (the AT
//     field set, the ATC's output address), which the SMMU passes without translating;
//   - a miss: a Translation Request for the page (AT = Request, read of the 8-byte completion
//     through the TBU to the TCU; a miss to a page whose request is in flight waits for it),
//     its result cached (unless an ATC invalidation arrived while
//     it was in flight: then the request is sent again, since that result may be stale), then
//     the Translated transaction; a completion with R = W = 0 or without the permission the
//     access needs fails the access (an error response: without PRI the device cannot ask for
//     the page, PCIe §10.2.3);
//   - ATS disabled (the ATS Control register's Enable bit, PCIe §10.5.1.3, which the driver
//     sets as Linux's pci_enable_ats): the access passes untranslated, the SMMU translates it.
// ATC invalidations (Atc) wait for the Translation Requests and Translated transactions in
// flight when they arrived, so that no access made with a removed entry is left when the
// Invalidation Completion is sent (PCIe §10.3.1).
//
// Module `<device>.ats`: parameters `<device>.ats.inv_latency`, `<device>.ats.atc.*`; stats
// `<device>.ats.{translated, untranslated, translation_requests, translation_failures,
// request_retries, merged_requests, stale_fills, invalidations}` and the ATC's `<device>.ats.atc.*`.

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/at_target_port.h"
#include "models/core/payload_pool.h"
#include "models/core/stats.h"
#include "models/core/timed_queue.h"
#include "models/smmu/ats/atc.h"

namespace smmusim::smmu::ats {

class AtsFunction : public Atc, private core::AtTargetHandler, private core::AtInitiatorHandler {
public:
    SC_HAS_PROCESS(AtsFunction);
    explicit AtsFunction(sc_core::sc_module_name name);

    core::AtTargetPort in;      // from the device: <name>.in.socket
    core::AtInitiatorPort out;  // to the SMMU's TBU: <name>.out.socket

    // The ATS Control register's Enable bit (a configuration write by software).
    void set_enabled(bool on) { enabled_ = on; }
    bool enabled() const { return enabled_; }

private:
    struct Txn;  // per payload, kept attached for its reuse
    bool at_request(tlm::tlm_generic_payload& gp, unsigned port) override;
    void at_response(tlm::tlm_generic_payload& gp, unsigned port) override;
    void looked_up();
    void request_translation(tlm::tlm_generic_payload& gp, Txn& x);
    void send_translated(tlm::tlm_generic_payload& gp, Txn& x, const AtcEntry& e);
    void fail(tlm::tlm_generic_payload& gp, Txn& x);
    static Txn& txn(tlm::tlm_generic_payload& gp);

    bool enabled_ = false;
    core::TimedQueue<tlm::tlm_generic_payload> lookups_;  // ATC lookups, due when their result is known
    core::PayloadPool request_pool_{8};                        // Translation Requests (8-byte completion)
    std::vector<tlm::tlm_generic_payload*> inflight_;      // Translation Requests in flight
    core::Counter translated_, untranslated_, failures_, retries_, merged_;
};

}  // namespace smmusim::smmu::ats
