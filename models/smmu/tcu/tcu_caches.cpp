#include "models/smmu/tcu/tcu_caches.h"

#include <string>

namespace smmusim::smmu::tcu {

namespace {

cache::CacheDefaults defaults(bool enable, uint32_t entries, uint32_t ways, uint32_t latency) {
    cache::CacheDefaults d;
    d.enable = enable;
    d.entries = entries;
    d.ways = ways;
    d.latency = latency;
    return d;
}

}  // namespace

WalkCacheSet::WalkCacheSet(sc_core::sc_module_name name) : sc_module(name) {
    // gem5's walk-cache sizes for stage 1 and stage 2, levels 0-3; 4-way, 4 cycles.
    static const uint32_t kEntries[2][4] = {{4, 28, 348, 4}, {4, 28, 92, 4}};
    for (int stage = 0; stage < 2; ++stage)
        for (int level = 0; level < 4; ++level) {
            const std::string n = "s" + std::to_string(stage + 1) + "l" + std::to_string(level);
            c_[stage][level] =
                std::make_unique<cache::WalkCache>(n.c_str(), defaults(true, kEntries[stage][level], 4, 4), false);
        }
}

WalkCacheSet::~WalkCacheSet() = default;

namespace {
cache::CacheDefaults with_pmu(cache::CacheDefaults d, const char* event) {
    d.pmu_miss = event;
    return d;
}
}  // namespace

TcuCaches::TcuCaches()
    : config_cache("config_cache", with_pmu(defaults(true, 64, 4, 3), "CONFIG_CACHE_MISS")),
      tlb("tlb", with_pmu(defaults(false, 1024, 4, 3), "TLB_MISS")),
      ipa_cache("ipa_cache", defaults(false, 256, 4, 3)),
      walk_cache("walk_cache") {}

void TcuCaches::invalidate(const cache::InvScope& s) {
    if (s.config()) {
        config_cache.invalidate_if([&](const ConfigEntry& e) { return cache::hits_config(s, e.sid, e.cd); });
        return;
    }
    cache::invalidate_tlb(tlb, s);
    ipa_cache.invalidate_if([&](const cache::IpaEntry& e) { return cache::hits(s, e); });
    for (int stage = 1; stage <= 2; ++stage)
        for (int level = 0; level < 4; ++level)
            walk_cache.get(stage, level)->invalidate_if([&](const cache::WalkEntry& e) { return cache::hits(s, e); });
}

}  // namespace smmusim::smmu::tcu
