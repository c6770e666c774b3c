#pragma once
// The ATS function of a PCIe endpoint (PCIe Base §10): its Address Translation Cache (ATC) of
// translations the SMMU returned to its Translation Requests, and the ATC invalidations the
// SMMU sends for CMD_ATC_INV. An invalidation removes, when it arrives, every entry the range
// meets (an entry is removed whole if the range meets any part of it) for the PASIDs the
// SSV / SubstreamID / Global rules select (core::AtcInvalidation::covers), and is completed
// `inv_latency` later; a completion also waits for the Translation Requests that were in
// flight when the invalidation arrived (the results of those for a page it covers are not
// cached: PCIe §10.3.1 requires the completion to follow every translation that may be stale). Parameters and stats under
// `<device>.ats.*`: `inv_latency`, `atc.entries`, `atc.ways`, `atc.latency` (lookup), ...

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include <systemc>

#include "models/core/ats.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/smmu/cache/set_assoc_cache.h"

namespace smmusim::smmu::ats {

struct AtcEntry {
    uint64_t base = 0;  // input address, aligned to 2^shift
    uint8_t shift = 12;
    bool ssv = false;
    uint32_t ssid = 0;
    bool global = false;  // a global translation (valid for every PASID)
    uint64_t oa = 0;      // output address of `base`
    bool read = true, write = true;
};

class Atc : public sc_core::sc_module, public core::AtsEndpoint {
public:
    SC_HAS_PROCESS(Atc);
    explicit Atc(sc_core::sc_module_name name);

    core::ClockParam clock{this};
    core::Param<sc_core::sc_time> inv_latency;
    cache::SetAssocCache<AtcEntry> atc;

    // The translation of `addr` for (ssv, ssid), if the ATC holds one; `done` gets the time
    // the lookup result is known (from `at`, charging the ATC's lookup latency).
    std::optional<AtcEntry> lookup(uint64_t addr, bool ssv, uint32_t ssid, const sc_core::sc_time& at,
                                   sc_core::sc_time& done);
    // A Translation Request for the page at `addr` (of `ssv`/`ssid`) leaves / its completion
    // returns. request_finished() caches `e` and returns true, unless an invalidation that
    // covers the page arrived while the request was in flight: then the result may be stale,
    // is not cached, and it returns false (ask again).
    uint64_t request_started(uint64_t addr = 0, bool ssv = false, uint32_t ssid = 0);
    bool request_finished(uint64_t token, const std::optional<AtcEntry>& e);
    // A Translated transaction made with an ATC entry leaves / completes: an invalidation
    // completes only after those in flight when it arrived.
    uint64_t use_started();
    void use_finished(uint64_t token);
    // Changes with every invalidation: a lookup result older than one is not used.
    uint64_t generation() const { return generation_; }

    // core::AtsEndpoint
    void atc_invalidate(const core::AtcInvalidation& inv, std::function<void()> done) override;

private:
    struct Pending {
        sc_core::sc_time due;
        uint64_t waits_for;  // requests started before the invalidation: tokens below this
        std::function<void()> done;
    };
    void complete();
    uint64_t oldest_request() const;

    uint64_t next_token_ = 0;
    uint64_t generation_ = 0;
    // The Translation Requests and Translated accesses in flight, in the order they started.
    struct InFlight {
        uint64_t token;
        bool request;  // a Translation Request (else a Translated access)
        uint64_t page;
        bool ssv;
        uint32_t ssid;
        bool stale;  // a request: an invalidation covering its page arrived while it was in flight
        bool raced;  // a request: any invalidation arrived while it was in flight
    };
    std::vector<InFlight> in_flight_;
    uint64_t start(InFlight f);
    std::vector<InFlight>::iterator find(uint64_t token);
    std::deque<Pending> pending_;
    sc_core::sc_event wake_;

    core::Counter invalidations_, requests_counter_, stale_fills_;
};

}  // namespace smmusim::smmu::ats
