#pragma once
// The TCU's caches (defaults after an MMU-600-class TCU and gem5's SMMUv3, reference
// peers.md): config cache (STE + CD per stream), walk caches per stage and level, and the TLB
// and IPA cache, present but off by default. Built in the TCU's constructor, so they are its
// children: smmu.tcu.config_cache, smmu.tcu.tlb, smmu.tcu.ipa_cache, smmu.tcu.walk_cache.s1l0 ...

#include <memory>

#include <systemc>

#include "models/smmu/cache/invalidation.h"
#include "models/smmu/cache/walk_cache.h"
#include "models/smmu/tcu/translator.h"

namespace smmusim::smmu::tcu {

class WalkCacheSet : public sc_core::sc_module {
public:
    explicit WalkCacheSet(sc_core::sc_module_name name);
    ~WalkCacheSet() override;
    cache::WalkCache* get(int stage, int level) { return c_[stage - 1][level].get(); }

private:
    std::unique_ptr<cache::WalkCache> c_[2][4];
};

struct TcuCaches {
    TcuCaches();
    ConfigCache config_cache;
    TlbCache tlb;
    cache::IpaCache ipa_cache;
    WalkCacheSet walk_cache;

    // Removes what a consumed command covers from every TCU cache.
    void invalidate(const cache::InvScope& s);
};

}  // namespace smmusim::smmu::tcu
