#pragma once
// The invariant behind every CMD_SYNC (reference §9.1 "Completion of TLBI/CFGI"): once a sync
// completes, no cache of the SMMU (TCU config cache, TLB, IPA cache, walk caches; every TBU's
// micro and main TLB) holds an entry that an invalidation consumed before the sync covers and
// that was made by a translation which started before that invalidation. The check keeps the
// scopes consumed since the last sync (a shadow of what was removed) and scans every cache at
// the sync; a violation is a model bug and stops the run with the entry and the command.
//
// It is on in Debug and sanitizer builds (SMMU_CHECK_STALE) and wherever the environment sets
// SMMU_CHECK_STALE=1; off, it costs the TCU one pointer test per invalidation and per sync.
// Which entries a scope covers is cache::hits, the function the caches invalidate with: the
// check catches entries that escape it (fill races, a TBU that misses a message, a cache that
// is not invalidated), and the randomized differential tests (tests/unit/smmu,
// tests/system) catch scopes that are wrong.

#include <vector>

#include "models/smmu/tcu/invalidation_watch.h"

namespace smmusim::smmu {

namespace tbu {
class Tbu;
}
namespace tcu {
struct TcuCaches;
}

class StaleCheck : public tcu::InvalidationWatch {
public:
    StaleCheck(tcu::TcuCaches& tcu, std::vector<tbu::Tbu*> tbus) : tcu_(tcu), tbus_(std::move(tbus)) {}
    // Whether the check is on for this process (build default, SMMU_CHECK_STALE in the environment).
    static bool enabled();

    void consumed(const cache::InvScope& s, uint64_t epoch) override { window_.push_back({s, epoch}); }
    void synced() override;

    struct Consumed {
        cache::InvScope scope;
        uint64_t epoch;
    };

private:
    tcu::TcuCaches& tcu_;
    std::vector<tbu::Tbu*> tbus_;
    std::vector<Consumed> window_;  // since the last sync
};

}  // namespace smmusim::smmu
