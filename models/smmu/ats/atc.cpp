#include "models/smmu/ats/atc.h"

#include <algorithm>

#include "models/core/sim_time.h"

namespace smmusim::smmu::ats {

namespace {

cache::CacheDefaults atc_defaults() {
    cache::CacheDefaults d;
    // An estimate: endpoint ATCs are small; 64 entries, 4 ways (the TBU main TLB's geometry).
    d.entries = 64;
    d.ways = 4;
    d.latency = 2;
    return d;
}

}  // namespace

Atc::Atc(sc_core::sc_module_name name)
    : sc_module(name),
      inv_latency(this, "inv_latency", sc_core::sc_time(2, sc_core::SC_US), "",
                  "ATC invalidation: from the SMMU sending it to its Invalidation Completion reaching the SMMU. "
                  "An estimate: a PCIe Invalidate Request and its Invalidation Completion are messages across the "
                  "link and the root complex (~1 us round trip at Gen3/Gen4) plus the device's ATC search and "
                  "drain of requests in flight; PCIe only bounds it by the 1 minute Invalidation Completion "
                  "timeout"),
      atc("atc", atc_defaults()),
      invalidations_(this, "invalidations", "ATC invalidations received (CMD_ATC_INV)"),
      requests_counter_(this, "translation_requests", "ATS Translation Requests sent to the SMMU"),
      stale_fills_(this, "stale_fills",
                   "translation completions not cached: an invalidation arrived while they were in flight") {
    SC_THREAD(complete);
}

std::optional<AtcEntry> Atc::lookup(uint64_t addr, bool ssv, uint32_t ssid, const sc_core::sc_time& at,
                                    sc_core::sc_time& done) {
    auto f = atc.lookup(addr, [&](const AtcEntry& e) { return e.global || (e.ssv == ssv && e.ssid == ssid); });
    done = atc.reserve(at, atc.probes_for(f.sizes_probed), clock.value());
    if (!f.entry) return std::nullopt;
    return *f.entry;
}

uint64_t Atc::start(InFlight f) {
    f.token = next_token_++;
    in_flight_.push_back(f);
    return f.token;
}

std::vector<Atc::InFlight>::iterator Atc::find(uint64_t token) {
    return std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& f) { return f.token == token; });
}

uint64_t Atc::request_started(uint64_t addr, bool ssv, uint32_t ssid) {
    ++requests_counter_;
    return start({0, true, addr & ~uint64_t(0xFFF), ssv, ssid, false, false});
}

bool Atc::request_finished(uint64_t token, const std::optional<AtcEntry>& e) {
    const auto it = find(token);
    // A completion larger than the page may span what an invalidation removed elsewhere.
    const bool fresh = !it->stale && !(it->raced && e && e->shift > 12);
    use_finished(token);
    if (e) {
        if (!fresh)
            ++stale_fills_;
        else
            atc.insert(*e, [&](const AtcEntry& o) { return o.ssv == e->ssv && o.ssid == e->ssid; });
    }
    return fresh;
}

uint64_t Atc::use_started() { return start({0, false, 0, false, 0, false, false}); }

void Atc::use_finished(uint64_t token) {
    in_flight_.erase(find(token));
    wake_.notify(sc_core::SC_ZERO_TIME);
}

uint64_t Atc::oldest_request() const { return in_flight_.empty() ? next_token_ : in_flight_.front().token; }

void Atc::atc_invalidate(const core::AtcInvalidation& inv, std::function<void()> done) {
    ++invalidations_;
    atc.invalidate_if([&](const AtcEntry& e) {
        return inv.covers(e.base, uint64_t(1) << e.shift, e.ssv, e.ssid, e.global);
    });
    // A result in flight may be stale if the invalidation covers its page (a global entry of
    // any PASID is assumed: the completion could be one).
    for (InFlight& f : in_flight_)
        if (f.request) {
            f.raced = true;
            if (inv.covers(f.page, 0x1000, f.ssv, f.ssid, true)) f.stale = true;
        }
    ++generation_;
    pending_.push_back(Pending{core::now() + sc_core::sc_time(inv_latency), next_token_, std::move(done)});
    wake_.notify(sc_core::SC_ZERO_TIME);
}

void Atc::complete() {
    for (;;) {
        while (pending_.empty()) wait(wake_);
        Pending& p = pending_.front();
        if (core::now() < p.due) {
            wait(p.due - core::now());
            continue;
        }
        if (oldest_request() < p.waits_for) {
            wait(wake_);
            continue;
        }
        auto done = std::move(p.done);
        pending_.pop_front();
        done();
    }
}

}  // namespace smmusim::smmu::ats
