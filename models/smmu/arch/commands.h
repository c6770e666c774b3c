#pragma once
// Command queue entries (16 bytes) and their fields (reference §4).

#include <cstdint>

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

namespace op {
constexpr uint8_t PREFETCH_CONFIG = 0x01, PREFETCH_ADDR = 0x02, CFGI_STE = 0x03,
                  CFGI_STE_RANGE = 0x04, CFGI_CD = 0x05, CFGI_CD_ALL = 0x06,
                  CFGI_VMS_PIDM = 0x07, TLBI_NH_ALL = 0x10, TLBI_NH_ASID = 0x11,
                  TLBI_NH_VA = 0x12, TLBI_NH_VAA = 0x13, TLBI_EL3_ALL = 0x18,
                  TLBI_EL3_VA = 0x1A, TLBI_EL2_ALL = 0x20, TLBI_EL2_ASID = 0x21,
                  TLBI_EL2_VA = 0x22, TLBI_EL2_VAA = 0x23, TLBI_S12_VMALL = 0x28,
                  TLBI_S2_IPA = 0x2A, TLBI_NSNH_ALL = 0x30, ATC_INV = 0x40, PRI_RESP = 0x41,
                  RESUME = 0x44, STALL_TERM = 0x45, CMD_SYNC = 0x46;
}  // namespace op

// Name of an opcode ("TLBI_NH_VA"), or nullptr for an opcode the architecture does not define.
const char* opcode_name(uint8_t opcode);

struct Command : Words<2> {
    using Opcode = Field<0, 7, 0>;
    using SSec = Field<0, 10>;
    using SSV = Field<0, 11>;
    using SubstreamID = Field<0, 31, 12>;
    using StreamID = Field<0, 63, 32>;
    // TLBI
    using NUM = Field<0, 16, 12>;
    using SCALE = Field<0, 24, 20>;
    using VMID = Field<0, 47, 32>;
    using ASID = Field<0, 63, 48>;
    using Leaf = Field<1, 0>;
    using TTL = Field<1, 9, 8>;
    using TG = Field<1, 11, 10>;
    using Address = Field<1, 63, 12>;  // VA; TLBI_S2_IPA uses IPA[55:12]
    using IPA = Field<1, 55, 12>;
    // CFGI
    using Range = Field<1, 4, 0>;  // CFGI_STE_RANGE: 2^(Range+1) SIDs; 31 = all
    // PREFETCH_ADDR
    using PrefetchSize = Field<1, 4, 0>;
    // ATC_INV
    using Global = Field<0, 9>;
    using AtcSize = Field<1, 5, 0>;
    // PRI_RESP
    using PRGIndex = Field<1, 8, 0>;
    using PriResp = Field<1, 13, 12>;
    // RESUME
    using Ac = Field<0, 12>;
    using Ab = Field<0, 13>;
    using STAG = Field<1, 15, 0>;
    // CMD_SYNC
    using CS = Field<0, 13, 12>;
    using MSH = Field<0, 23, 22>;
    using MSIAttr = Field<0, 27, 24>;
    using MSIData = Field<0, 63, 32>;
    using MSIAddress = Field<1, 55, 2>;

    uint8_t opcode() const { return uint8_t(get<Opcode>()); }
};

namespace sync_cs {
constexpr uint64_t SIG_NONE = 0, SIG_IRQ = 1, SIG_SEV = 2;
}

// CMDQ_CONS.ERR codes (reference §4.4).
namespace cerror {
constexpr uint32_t NONE = 0, ILL = 1, ABT = 2, ATC_INV_SYNC = 3;
}
// "CERROR_ILL", ...; "CERROR_NONE" for 0, nullptr for a reserved code.
const char* cerror_name(uint32_t code);

// TLBI range TG encoding (reference §5.1): 0 = not a range; 1 4K, 2 16K, 3 64K.
inline unsigned tlbi_tg_shift(uint64_t tg) { return tg == 1 ? 12 : tg == 2 ? 14 : tg == 3 ? 16 : 0; }
// Its inverse, for a granule shift of 12, 14 or 16.
inline unsigned tlbi_tg(unsigned granule_shift) { return (granule_shift - 10) / 2; }

}  // namespace smmusim::smmu::arch
