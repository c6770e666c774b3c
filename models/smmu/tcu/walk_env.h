#pragma once
// What a walk needs from the TCU beyond memory: its caches, the time their lookups take,
// page-table-walk slots, and whether an entry may still be inserted (no invalidation has been
// consumed since the translation started: it could hold what was invalidated).

#include <cstdint>

#include <systemc>

#include "models/smmu/cache/walk_cache.h"

namespace smmusim::smmu::tcu {

class WalkEnv {
public:
    virtual ~WalkEnv() = default;
    virtual cache::WalkCache* walk_cache(int stage, int level) = 0;  // nullptr: none
    virtual cache::IpaCache* ipa_cache() = 0;
    // Blocks the calling thread until `t`.
    virtual void wait_until(const sc_core::sc_time& t) = 0;
    virtual sc_core::sc_time cycle() const = 0;
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
