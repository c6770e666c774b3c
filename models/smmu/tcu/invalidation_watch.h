#pragma once
// Who may watch the TCU's invalidations (the SMMU's stale-entry check): every consumed
// invalidation with its epoch, and every CMD_SYNC once it has completed.

#include <cstdint>

#include "models/smmu/cache/invalidation.h"

namespace smmusim::smmu::tcu {

class InvalidationWatch {
public:
    virtual ~InvalidationWatch() = default;
    // `s` was consumed; translations that started with fewer than `epoch` invalidations
    // consumed may hold what it removes.
    virtual void consumed(const cache::InvScope& s, uint64_t epoch) = 0;
    // A CMD_SYNC completed: every invalidation consumed before it has taken effect.
    virtual void synced() = 0;
};

}  // namespace smmusim::smmu::tcu
