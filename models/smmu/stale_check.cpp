#include "models/smmu/stale_check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tcu/tcu_caches.h"

namespace smmusim::smmu {

bool StaleCheck::enabled() {
#ifdef SMMU_CHECK_STALE
    const bool build_default = true;
#else
    const bool build_default = false;
#endif
    const char* env = std::getenv("SMMU_CHECK_STALE");
    if (!env || !*env) return build_default;
    return env[0] != '0';
}

namespace {

bool covers(const cache::InvScope& s, const cache::TlbEntry& e) { return cache::hits(s, e); }
bool covers(const cache::InvScope& s, const cache::WalkEntry& e) { return cache::hits(s, e); }
bool covers(const cache::InvScope& s, const cache::IpaEntry& e) { return cache::hits(s, e); }
bool covers(const cache::InvScope& s, const tcu::ConfigEntry& e) { return cache::hits_config(s, e.sid, e.cd); }

// Reports the first entry of `c` that an invalidation of `window` covers and that a
// translation made before that invalidation; false when there is none.
template <typename Cache>
bool report_stale(Cache& c, const std::vector<StaleCheck::Consumed>& window) {
    bool found = false;
    c.for_each([&](const auto& e) {
        for (const StaleCheck::Consumed& inv : window) {
            if (found || e.fill_epoch >= inv.epoch || !covers(inv.scope, e)) continue;
            found = true;
            char b[320];
            std::snprintf(b, sizeof b,
                          "%s holds [0x%llx, +2^%u), made at epoch %llu, after a CMD_SYNC that follows invalidation "
                          "%llu (scope kind %d, ASID %u, VMID %u, address 0x%llx) which covers it",
                          c.name(), static_cast<unsigned long long>(e.base), unsigned(e.shift),
                          static_cast<unsigned long long>(e.fill_epoch), static_cast<unsigned long long>(inv.epoch),
                          int(inv.scope.kind), unsigned(inv.scope.asid), unsigned(inv.scope.vmid),
                          static_cast<unsigned long long>(inv.scope.range.addr));
            SC_REPORT_ERROR("smmu/stale-entry", b);
        }
    });
    return found;
}

}  // namespace

void StaleCheck::synced() {
    if (window_.empty()) return;
    const std::vector<Consumed> w = std::move(window_);
    window_.clear();
    if (report_stale(tcu_.config_cache, w) || report_stale(tcu_.tlb, w) || report_stale(tcu_.ipa_cache, w)) return;
    for (int stage = 1; stage <= 2; ++stage)
        for (int level = 0; level < 4; ++level)
            if (report_stale(*tcu_.walk_cache.get(stage, level), w)) return;
    for (tbu::Tbu* t : tbus_)
        if (report_stale(t->utlb, w) || report_stale(t->mtlb, w)) return;
}

}  // namespace smmusim::smmu
