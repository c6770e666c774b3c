// The TCU's side of PCIe ATS invalidation (reference §4.4 CMD_ATC_INV, §4.7.3 CMD_SYNC):
// CMD_ATC_INV goes to the ATS endpoints of its StreamID as an ATC invalidation; a CMD_SYNC
// completes only once every ATC invalidation consumed before it has been completed by its
// endpoint. The endpoint charges the invalidation-completion latency (models/traffic/atc.h).

#include "models/core/sim_time.h"
#include "models/smmu/arch/atc_inv.h"
#include "models/smmu/tcu/tcu.h"

namespace smmusim::smmu::tcu {

void Tcu::attach_ats_endpoint(uint32_t sid, core::AtsEndpoint* ep) {
    ats_endpoints_.emplace(sid, ep);
    if (!atc_invs_sent_) {
        // Created with the first endpoint: runs without ATS keep their stats as they were.
        atc_invs_sent_ = std::make_unique<core::Counter>(this, "atc_invalidations",
                                                         "ATC invalidations sent to ATS endpoints (CMD_ATC_INV)");
        atc_inv_latency_ = std::make_unique<core::TimeHistogram>(
            this, "atc_inv_latency", "ATC invalidation: sent to its endpoint until its completion");
    }
}

void Tcu::atc_invalidate(const arch::Command& c) {
    const core::AtcInvalidation inv = arch::decode_atc_inv(c);
    auto [first, last] = ats_endpoints_.equal_range(inv.sid);
    // A StreamID without an ATS endpoint: nothing holds its translations, nothing to wait for.
    for (auto it = first; it != last; ++it) {
        ++atc_pending_;
        ++*atc_invs_sent_;
        const sc_core::sc_time sent = core::now();
        it->second->atc_invalidate(inv, [this, sent] {
            atc_inv_latency_->sample(core::now() - sent);
            --atc_pending_;
            atc_completed_.notify(sc_core::SC_ZERO_TIME);
        });
        if (inv_issue_cycles) wait(clock.cycles(inv_issue_cycles));
    }
}

// A CMD_SYNC waits for every ATC invalidation sent before it (with ECMDQs: sent by any queue)
// up to atc_inv_timeout; one still pending then fails the sync (CERROR_ATC_INV_SYNC, §4.7.3).
// The invalidation stays pending: a retried CMD_SYNC waits for it again.
bool Tcu::wait_atc_completions() {
    if (!atc_pending_) return true;
    const sc_core::sc_time deadline = core::now() + atc_inv_timeout.value();
    while (atc_pending_) {
        if (core::now() >= deadline) return false;
        wait(deadline - core::now(), atc_completed_);
    }
    return true;
}

}  // namespace smmusim::smmu::tcu
