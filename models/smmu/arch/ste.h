#pragma once
// Stream Table Entry (64 bytes) and Level-1 Stream Table Descriptor (reference §2).

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

struct Ste : Words<8> {
    using V = Field<0, 0>;
    using Config = Field<0, 3, 1>;
    using S1Fmt = Field<0, 5, 4>;
    using S1ContextPtr = Field<0, 55, 6>;
    using S1CDMax = Field<0, 63, 59>;

    using S1DSS = Field<1, 1, 0>;
    using S1CIR = Field<1, 3, 2>;
    using S1COR = Field<1, 5, 4>;
    using S1CSH = Field<1, 7, 6>;
    using DRE = Field<1, 12>;
    using CONT = Field<1, 16, 13>;
    using DCP = Field<1, 17>;
    using PPAR = Field<1, 18>;
    using MEV = Field<1, 19>;
    using S2FWB = Field<1, 25>;
    using S1MPAM = Field<1, 26>;
    using S1STALLD = Field<1, 27>;
    using EATS = Field<1, 29, 28>;
    using STRW = Field<1, 31, 30>;
    using MemAttr = Field<1, 35, 32>;
    using MTCFG = Field<1, 36>;
    using ALLOCCFG = Field<1, 40, 37>;
    using SHCFG = Field<1, 45, 44>;
    using NSCFG = Field<1, 47, 46>;
    using PRIVCFG = Field<1, 49, 48>;
    using INSTCFG = Field<1, 51, 50>;

    using S2VMID = Field<2, 15, 0>;
    using S2T0SZ = Field<2, 37, 32>;
    using S2SL0 = Field<2, 39, 38>;
    using S2IR0 = Field<2, 41, 40>;
    using S2OR0 = Field<2, 43, 42>;
    using S2SH0 = Field<2, 45, 44>;
    using S2TG = Field<2, 47, 46>;
    using S2PS = Field<2, 50, 48>;
    using S2AA64 = Field<2, 51>;
    using S2ENDI = Field<2, 52>;
    using S2AFFD = Field<2, 53>;
    using S2PTW = Field<2, 54>;
    using S2HD = Field<2, 55>;
    using S2HA = Field<2, 56>;
    using S2S = Field<2, 57>;
    using S2R = Field<2, 58>;

    using S2NSW = Field<3, 0>;
    using S2NSA = Field<3, 1>;
    using S2TTB = Field<3, 55, 4>;
};

// STE.Config (reference §2.2): 0xx abort, 100 bypass, 101 S1, 110 S2, 111 nested.
namespace ste_config {
constexpr uint64_t ABORT = 0, BYPASS = 4, S1_TRANS = 5, S2_TRANS = 6, NESTED = 7;
inline bool is_abort(uint64_t c) { return (c & 4) == 0; }
inline bool s1_enabled(uint64_t c) { return (c & 4) && (c & 1); }
inline bool s2_enabled(uint64_t c) { return (c & 4) && (c & 2); }
}  // namespace ste_config

namespace s1dss {
constexpr uint64_t TERMINATE = 0, BYPASS = 1, SSID0 = 2;
}

namespace strw {
constexpr uint64_t NS_EL1 = 0, NS_EL2 = 2;
}

struct L1Std : Words<1> {
    using Span = Field<0, 4, 0>;
    using L2Ptr = Field<0, 55, 6>;
};

}  // namespace smmusim::smmu::arch
