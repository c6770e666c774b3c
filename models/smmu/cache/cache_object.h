#pragma once
// What every SMMU cache has in common (issue: TLBs, walk caches, config cache, IPA cache):
// the named object its parameters and stats hang under (`smmu.tbu0.utlb.entries`,
// `smmu.tbu0.utlb.hits`), and the timing of lookups: `latency` cycles each, at most `lookups`
// in flight. Entries of several sizes live side by side; looking them up costs one probe per
// live size (`size_probes=serial`, as an MMU-600 main TLB) or one probe in all (`parallel`).

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/core/params.h"
#include "models/core/sim_time.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"

namespace smmusim::smmu::cache {

enum class Policy { Lru, Plru, RoundRobin, Random };
enum class SizeProbes { Serial, Parallel };

struct CacheDefaults {
    bool enable = true;
    uint32_t entries = 64;
    uint32_t ways = 4;  // 0: fully associative
    Policy policy = Policy::Lru;
    uint32_t latency = 1;
    uint32_t lookups = 1;
    SizeProbes size_probes = SizeProbes::Serial;
    const char* pmu_miss = nullptr;  // the SMMUv3 PMU event its misses count, if any
};

class CacheObject : public sc_core::sc_object {
public:
    CacheObject(const char* name, const CacheDefaults& d);

    core::Param<bool> enable;
    core::Param<uint32_t> entries;
    core::Param<uint32_t> ways;
    core::EnumParam<Policy> policy;
    core::Param<uint32_t> latency;
    core::Param<uint32_t> lookups;
    core::EnumParam<SizeProbes> size_probes;

    core::Counter hits, misses, fills, evictions, invalidated;
    core::TraceSignal fill_signal;  // fills so far (VCD)

    const char* kind() const override { return "smmu_cache"; }

    // Geometry derived from the parameters.
    uint32_t associativity() const { return ways_; }
    uint32_t sets() const { return sets_; }

    // Timing: a lookup of `probes` probes that may start at `at`, one cycle = `cycle`.
    // Returns when its result is known; with `lookups` lookups in flight at most.
    sc_core::sc_time reserve(const sc_core::sc_time& at, unsigned probes, const sc_core::sc_time& cycle);
    // The same lookup's time with no lookup in flight (sim.mode=lt: no contention), reserving nothing.
    sc_core::sc_time unloaded(unsigned probes, const sc_core::sc_time& cycle) const {
        return core::time_from_value(cycle.value() * (uint64_t(latency) * probes));  // exact, as clock.h
    }
    unsigned probes_for(unsigned sizes_probed) const {
        return size_probes == SizeProbes::Parallel ? 1u : std::max(1u, sizes_probed);
    }

protected:
    void count_fill() {
        ++fills;
        fill_signal.set(fills.value());
    }

private:
    uint32_t ways_ = 1, sets_ = 1;
    std::vector<sc_core::sc_time> pipe_;  // when each lookup slot frees up
};

}  // namespace smmusim::smmu::cache
