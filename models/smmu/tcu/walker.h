#pragma once
// Translation table walks (reference §8, fact sheet walk_cmd_evt §1-4): stage 1, stage 2 and
// nested, 4K/16K/64K, every start level, concatenated stage-2 start tables, blocks and pages,
// permission and access-flag checks, address-size checks. With a WalkEnv, walk caches are
// looked up first (all levels of a stage at once) and the walk resumes below the deepest hit;
// every descriptor read is a timed read; what is read is cached; stage-2 translations of IPAs
// go through the IPA cache. Check order per stage: range / EPD -> per level {F_WALK_EABT,
// F_TRANSLATION, F_ADDR_SIZE} -> F_ACCESS -> F_PERMISSION.

#include <cstdint>

#include "models/smmu/tcu/table_reader.h"
#include "models/smmu/tcu/translation.h"
#include "models/smmu/tcu/walk_env.h"

namespace smmusim::smmu::tcu {

struct WalkCounters {
    uint64_t s1_reads = 0;
    uint64_t s2_reads = 0;
};

class Walker {
public:
    Walker(TableReader& mem, WalkCounters& counters, WalkEnv* env = nullptr)
        : mem_(mem), n_(counters), env_(env) {}

    // Stage 1 of `a.addr`; with `s2`, every table address is an IPA translated by stage 2
    // first (nested). Returns the stage-1 output address (an IPA when nested).
    Outcome<WalkResult> stage1(const S1Context& c, const S2Context* s2, const Access& a, WalkState& st);
    // Stage 2 of `ipa` for the access `a` (permissions) serving `use` (CLASS of a fault).
    Outcome<WalkResult> stage2(const S2Context& c, uint64_t ipa, const Access& a, S2Use use, WalkState& st);

    // Without a translation's state (tests, and the config fetch of a translation without caches).
    Outcome<WalkResult> stage1(const S1Context& c, const S2Context* s2, const Access& a) {
        WalkState st;
        return stage1(c, s2, a, st);
    }
    Outcome<WalkResult> stage2(const S2Context& c, uint64_t ipa, const Access& a, S2Use use) {
        WalkState st;
        return stage2(c, ipa, a, use, st);
    }

private:
    // The context a walk-cache entry belongs to.
    struct Tags {
        cache::World world;
        bool vmid_tagged;
        uint16_t vmid;
        uint16_t asid;
        bool aset = false;  // stage 1: a global leaf matches only walks of the same ASET (§3.17.1)
    };
    // Deepest walk-cache entry of `stage` covering `addr` from `start` down.
    const cache::WalkEntry* cached(int stage, int start, uint64_t addr, unsigned gshift, const Tags& t);
    bool read(uint64_t pa, uint64_t& desc, WalkState& st, bool stage2);
    void remember(int stage, const cache::WalkEntry& e, const WalkState& st);

    TableReader& mem_;
    WalkCounters& n_;
    WalkEnv* env_;
};

}  // namespace smmusim::smmu::tcu
