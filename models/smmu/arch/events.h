#pragma once
// Event records (32 bytes) (reference §6).

#include <cstdint>

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

namespace evt {
constexpr uint8_t F_UUT = 0x01, C_BAD_STREAMID = 0x02, F_STE_FETCH = 0x03, C_BAD_STE = 0x04,
                  F_BAD_ATS_TREQ = 0x05, F_STREAM_DISABLED = 0x06, F_TRANSL_FORBIDDEN = 0x07,
                  C_BAD_SUBSTREAMID = 0x08, F_CD_FETCH = 0x09, C_BAD_CD = 0x0A, F_WALK_EABT = 0x0B,
                  F_TRANSLATION = 0x10, F_ADDR_SIZE = 0x11, F_ACCESS = 0x12, F_PERMISSION = 0x13,
                  F_TLB_CONFLICT = 0x20, F_CFG_CONFLICT = 0x21, E_PAGE_REQUEST = 0x24,
                  F_VMS_FETCH = 0x25;
// The translation-related faults (F_TRANSLATION .. F_PERMISSION): recorded per CD.R / STE.S2R,
// and stalled or terminated per the stall model.
constexpr bool is_translation_fault(uint8_t type) { return type >= F_TRANSLATION && type <= F_PERMISSION; }
}  // namespace evt

const char* event_name(uint8_t type);

// CLASS of a stage-2 fault (reference §6.1): what the stage-2 access was for.
namespace evt_class {
constexpr uint64_t CD = 0, TT = 1, IN = 2;
}

struct EventRecord : Words<4> {
    using Type = Field<0, 7, 0>;
    using SSV = Field<0, 11>;
    using SubstreamID = Field<0, 31, 12>;
    using StreamID = Field<0, 63, 32>;
    using STAG = Field<1, 15, 0>;
    using FetchReason = Field<1, 15, 0>;
    using UutReason = Field<1, 31, 16>;
    using Stall = Field<1, 31>;
    using PnU = Field<1, 33>;
    using InD = Field<1, 34>;
    using RnW = Field<1, 35>;
    using NSIPA = Field<1, 36>;
    using S2 = Field<1, 39>;
    using Class = Field<1, 41, 40>;
    using TTRnW = Field<1, 44>;
    using InputAddr = Field<2, 63, 0>;
    using IPA = Field<3, 55, 12>;
    using FetchAddr = Field<3, 55, 3>;

    uint8_t type() const { return uint8_t(get<Type>()); }
};

}  // namespace smmusim::smmu::arch
