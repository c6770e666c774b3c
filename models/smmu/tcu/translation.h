#pragma once
// What the TCU's translation pipeline passes around: the access being translated, the
// decoded stage contexts, walk results and faults.

#include <cstdint>
#include <variant>

#include "models/smmu/arch/geometry.h"
#include "models/smmu/dti/dti.h"

namespace smmusim::smmu::tcu {

// One device access as the TCU sees it: what the TBU asked to translate.
using Access = dti::TranslateRequest;

// A fault or configuration error (reference §6.2), before it becomes an event record.
struct Fault {
    uint8_t type = 0;  // arch::evt
    bool s2 = false;
    uint64_t cls = 0;         // arch::evt_class, for stage-2 faults
    uint64_t ipa = 0;         // stage-2 faults: the stage-2 input address
    uint64_t fetch_addr = 0;  // fetch faults and F_WALK_EABT: the address that was read
    bool record = true;       // written to the event queue (STE.S2R / CD.R for translation faults)
};

template <typename T>
using Outcome = std::variant<T, Fault>;

struct S2Context {
    arch::Granule g{12};
    unsigned ias = 40;  // input address bits, 64 - S2T0SZ
    arch::S2Start start{1, 1, 512};
    uint64_t ttb = 0;
    unsigned ps_bits = 48;  // effective S2PS
    bool affd = false;
    bool ptw = false;  // S2PTW: table walks and CD fetches to Device memory fault
    uint16_t vmid = 0;
};

// One translation table of stage 1 (TTB0 for the lower VA range, TTB1 for the upper).
struct S1Table {
    bool enabled = false;  // EPDx == 0
    arch::Granule g{12};
    unsigned ia = 48;  // 64 - TxSZ
    int start = 0;
    uint64_t ttb = 0;
    bool tbi = false;
};

struct S1Context {
    S1Table table[2];
    bool has_ttb1 = true;      // the regime has an upper VA range (not EL2 without E2H)
    bool single_priv = false;  // EL2 without E2H: one privilege level (AP[1], PXN unused)
    unsigned ips_bits = 48;    // effective IPS
    bool affd = false;
    bool wxn = false;
    bool pan = false;
    uint16_t asid = 0;
    bool aset = false;  // CD.ASET: a non-shared ASID (broadcast TLBIs, global entries; §3.17)
};

// Which stage-2 access a walk serves: the data access, a stage-1 table read, a CD read.
enum class S2Use { Data, TableWalk, CdFetch };

struct WalkResult {
    uint64_t oa = 0;           // output address of the input address
    unsigned leaf_shift = 12;  // log2 of the leaf (page or block) size
    unsigned span_shift = 12;  // log2 of what one TLB entry may cover (leaf, or its contiguous run)
    int level = 3;             // leaf level
    unsigned gshift = 12;      // granule
    uint8_t perms = 0;         // cache::perm bits the leaf grants
    bool global = false;       // stage 1: nG = 0
    bool tbi = false;          // stage 1: the table's TBI applied (the walk used the canonical VA)
    uint64_t desc = 0;         // the leaf descriptor
};

}  // namespace smmusim::smmu::tcu
