#pragma once
// Walk caches (one per stage and level: smmu.tcu.walk_cache.s1l0 ... s2l3) and the IPA cache
// (stage-2 translations of IPAs, smmu.tcu.ipa_cache). A walk cache holds table descriptors
// and, with `leaves`, block descriptors of its level.

#include "models/core/params.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/cache/set_assoc_cache.h"

namespace smmusim::smmu::cache {

class WalkCache : public SetAssocCache<WalkEntry> {
public:
    WalkCache(const char* name, const CacheDefaults& d, bool leaves_default)
        : SetAssocCache(name, d), leaves(this, "leaves", leaves_default, "", "also hold block (leaf) descriptors") {}
    core::Param<bool> leaves;
};

using IpaCache = SetAssocCache<IpaEntry>;

}  // namespace smmusim::smmu::cache
