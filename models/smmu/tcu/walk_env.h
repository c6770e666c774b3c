#pragma once
// What a walk needs from the TCU beyond memory: its caches, the time their lookups take,
// page-table-walk slots, and whether an entry may still be inserted (no invalidation has been
// consumed since the translation started: it could hold what was invalidated).

#include <cstdint>

#include <systemc>

#include "models/core/sim_time.h"
#include "models/smmu/cache/walk_cache.h"

namespace smmusim::smmu::tcu {

class WalkEnv {
public:
    virtual ~WalkEnv() = default;
    virtual cache::WalkCache* walk_cache(int stage, int level) = 0;  // nullptr: none
    virtual cache::IpaCache* ipa_cache() = 0;
    // The translation's time: simulated time, or (sim.mode=lt) the local time of the
    // loosely-timed translation being served.
    virtual sc_core::sc_time now() const { return core::now(); }
    // Blocks the calling thread until `t` (LT: moves the translation's local time to `t`).
    virtual void wait_until(const sc_core::sc_time& t) = 0;
    virtual sc_core::sc_time cycle() const = 0;
    // When a lookup of `probes` probes in `c` starting now has its answer: its reservation of
    // the cache's lookup slots (LT: its latency alone, no lookup in the way).
    virtual sc_core::sc_time lookup_done(cache::CacheObject& c, unsigned probes) {
        return c.reserve(now(), probes, cycle());
    }
    // Takes a page-table-walk slot for the current translation (blocking while none is free).
    virtual void take_ptw_slot() = 0;
    virtual bool may_insert(uint64_t start_epoch) const = 0;
    // Transaction trace: whether it is on, and a span `what` (a config fetch, a descriptor
    // read at `addr`) from `start` to now on the TCU's walk track.
    virtual bool tracing() const { return false; }
    virtual void trace_span(const char* /*what*/, const sc_core::sc_time& /*start*/, uint64_t /*addr*/) {}
};

// Per-translation state of the walker.
struct WalkState {
    uint64_t start_epoch = 0;
    bool ptw_slot = false;  // this translation holds a page-table-walk slot
    bool walked = false;    // at least one descriptor was read
    cache::World world = cache::World::NsEl1;
    bool vmid_tagged = false;
    uint16_t vmid = 0;
};

}  // namespace smmusim::smmu::tcu
