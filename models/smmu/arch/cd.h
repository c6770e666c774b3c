#pragma once
// Context Descriptor (64 bytes) and Level-1 Context Descriptor (reference §3).

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

struct Cd : Words<8> {
    using T0SZ = Field<0, 5, 0>;
    using TG0 = Field<0, 7, 6>;
    using IR0 = Field<0, 9, 8>;
    using OR0 = Field<0, 11, 10>;
    using SH0 = Field<0, 13, 12>;
    using EPD0 = Field<0, 14>;
    using ENDI = Field<0, 15>;
    using T1SZ = Field<0, 21, 16>;
    using TG1 = Field<0, 23, 22>;
    using IR1 = Field<0, 25, 24>;
    using OR1 = Field<0, 27, 26>;
    using SH1 = Field<0, 29, 28>;
    using EPD1 = Field<0, 30>;
    using V = Field<0, 31>;
    using IPS = Field<0, 34, 32>;
    using AFFD = Field<0, 35>;
    using WXN = Field<0, 36>;
    using UWXN = Field<0, 37>;
    using TBI0 = Field<0, 38>;
    using TBI1 = Field<0, 39>;
    using PAN = Field<0, 40>;
    using AA64 = Field<0, 41>;
    using HD = Field<0, 42>;
    using HA = Field<0, 43>;
    using S = Field<0, 44>;
    using R = Field<0, 45>;
    using A = Field<0, 46>;
    using ASET = Field<0, 47>;
    using ASID = Field<0, 63, 48>;

    using NSCFG0 = Field<1, 0>;
    using HAD0 = Field<1, 1>;
    using E0PD0 = Field<1, 2>;
    using TTB0 = Field<1, 55, 4>;

    using NSCFG1 = Field<2, 0>;
    using HAD1 = Field<2, 1>;
    using E0PD1 = Field<2, 2>;
    using TTB1 = Field<2, 55, 4>;

    using MAIR0 = Field<3, 31, 0>;
    using MAIR1 = Field<3, 63, 32>;
    using MAIR = Field<3, 63, 0>;
};

// Stage-1 CD table formats, STE.S1Fmt (reference §3.2).
namespace s1fmt {
constexpr uint64_t LINEAR = 0, L2_4K = 1, L2_64K = 2;
}

struct L1Cd : Words<1> {
    using V = Field<0, 0>;
    using L2Ptr = Field<0, 55, 12>;
};

}  // namespace smmusim::smmu::arch
