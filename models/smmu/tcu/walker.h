#pragma once
// Translation table walks (reference §8, fact sheet walk_cmd_evt §1-4): stage 1, stage 2 and
// nested, 4K/16K/64K, every start level, concatenated stage-2 start tables, blocks and pages,
// permission and access-flag checks, address-size checks. Every descriptor is a timed read.
// Check order per stage: range / EPD -> per level {F_WALK_EABT, F_TRANSLATION, F_ADDR_SIZE}
// -> F_ACCESS -> F_PERMISSION.

#include <cstdint>

#include "models/smmu/tcu/table_reader.h"
#include "models/smmu/tcu/translation.h"

namespace smmusim::smmu::tcu {

struct WalkCounters {
    uint64_t s1_reads = 0;
    uint64_t s2_reads = 0;
};

class Walker {
public:
    Walker(TableReader& mem, WalkCounters& counters) : mem_(mem), n_(counters) {}

    // Stage 1 of `a.addr`; with `s2`, every table address is an IPA translated by stage 2
    // first (nested). Returns the stage-1 output address (an IPA when nested).
    Outcome<WalkResult> stage1(const S1Context& c, const S2Context* s2, const Access& a);
    // Stage 2 of `ipa` for the access `a` (permissions) serving `use` (CLASS of a fault).
    Outcome<WalkResult> stage2(const S2Context& c, uint64_t ipa, const Access& a, S2Use use);

private:
    TableReader& mem_;
    WalkCounters& n_;
};

}  // namespace smmusim::smmu::tcu
