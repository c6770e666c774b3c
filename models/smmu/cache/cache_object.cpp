#include "models/smmu/cache/cache_object.h"

#include <algorithm>

namespace smmusim::smmu::cache {

CacheObject::CacheObject(const char* name, const CacheDefaults& d)
    : sc_object(name),
      enable(this, "enable", d.enable, "", "cache in use; when off every lookup misses and nothing is filled"),
      entries(this, "entries", d.entries, "", "entries in the cache", {1, 1u << 20}),
      ways(this, "ways", d.ways, "", "associativity; 0 = fully associative", {0, 1u << 20}),
      policy(this, "policy", d.policy,
             {{"lru", Policy::Lru}, {"plru", Policy::Plru}, {"rr", Policy::RoundRobin}, {"random", Policy::Random}},
             "replacement policy: lru, plru (tree pseudo-LRU), rr (round robin), random"),
      latency(this, "latency", d.latency, "cycles", "cycles per lookup probe", {0, 100000}),
      lookups(this, "lookups", d.lookups, "", "lookups in flight at once (pipelining)", {1, 1024}),
      size_probes(this, "size_probes", d.size_probes,
                  {{"serial", SizeProbes::Serial}, {"parallel", SizeProbes::Parallel}},
                  "several live page sizes: one probe each (serial) or one probe for all (parallel)"),
      hits(this, "hits", "lookups that hit"),
      misses(this, "misses",
             d.pmu_miss ? std::string("lookups that missed (PMU: ") + d.pmu_miss + ")" : "lookups that missed"),
      fills(this, "fills", "entries written"),
      evictions(this, "evictions", "valid entries replaced by a fill"),
      invalidated(this, "invalidated", "entries removed by invalidation commands"),
      fill_signal(this, "fills", 32, core::SignalKind::counter) {
    ways_ = ways == 0 ? entries.value() : std::min(ways.value(), entries.value());
    if (entries % ways_) ways.fail("entries (" + std::to_string(entries.value()) + ") must be a multiple of ways");
    sets_ = entries / ways_;
    pipe_.assign(lookups, sc_core::SC_ZERO_TIME);
}

sc_core::sc_time CacheObject::reserve(const sc_core::sc_time& at, unsigned probes, const sc_core::sc_time& cycle) {
    auto slot = std::min_element(pipe_.begin(), pipe_.end());
    const sc_core::sc_time start = std::max(at, *slot);
    const sc_core::sc_time busy = unloaded(probes, cycle);
    // A pipelined lookup occupies its slot for its whole latency (at least one cycle).
    *slot = start + std::max(busy, cycle);
    return start + busy;
}

}  // namespace smmusim::smmu::cache
