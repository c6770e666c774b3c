#pragma once
// VMSAv8-64 translation table descriptors as the SMMU walks them (reference §8). 52-bit
// output addresses (LPA, LPA2) are not modelled: OAS is at most 48 bits.

#include <cstdint>

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

namespace pte {
using Valid = RegField<0>;
using Type = RegField<1>;  // 1: table (levels 0-2) or page (level 3); 0: block
// Stage-1 block/page attributes (§8.2)
using AttrIndx = RegField<4, 2>;
using NS = RegField<5>;
using AP = RegField<7, 6>;  // AP[2:1]: bit 1 (value 1) unprivileged access, bit 2 (value 2) read-only
using SH = RegField<9, 8>;
using AF = RegField<10>;
using nG = RegField<11>;
using nT = RegField<16>;
using DBM = RegField<51>;
using Contiguous = RegField<52>;
using PXN = RegField<53>;
using UXN = RegField<54>;  // XN in single-privilege regimes
// Stage-2 block/page attributes (§8.3)
using MemAttr = RegField<5, 2>;
using S2AP = RegField<7, 6>;  // bit 0 (value 1) read, bit 1 (value 2) write
using XN = RegField<54, 53>;  // XN[1:0]
// Stage-1 table descriptor attributes (§8.2)
using PXNTable = RegField<59>;
using XNTable = RegField<60>;
using APTable = RegField<62, 61>;  // value 1: no unprivileged access; value 2: no write
using NSTable = RegField<63>;

// Bits [51:48] are counted in the output address so that, with OAS <= 48, a descriptor
// that sets them gets an address-size fault rather than a silently truncated address.
constexpr uint64_t kAddrTop = 51;
// Next-level table or output address of a descriptor in a granule of 2^gshift bytes.
inline uint64_t address(uint64_t desc, unsigned gshift) {
    return desc & (((uint64_t(1) << (kAddrTop + 1)) - 1) & ~((uint64_t(1) << gshift) - 1));
}
inline bool valid(uint64_t desc) { return desc & 1; }
inline bool is_table_or_page(uint64_t desc) { return (desc & 3) == 3; }
inline bool is_block(uint64_t desc) { return (desc & 3) == 1; }

// Descriptor builders (used by tests and the software stack).
inline uint64_t table(uint64_t next) { return next | 3; }
// A block (levels 0-2, type 0b01) or page (level 3, type 0b11) descriptor for output address
// `oa` (aligned to the leaf) with attribute bits `attrs`.
inline uint64_t leaf(uint64_t oa, int level, uint64_t attrs) { return oa | attrs | (level == 3 ? 3 : 1); }
// The attribute bits of a block or page descriptor: all but the output address and the type,
// as a block split hands them on to the smaller leaves.
inline uint64_t leaf_attrs(uint64_t desc, unsigned gshift) {
    return desc & ~(address(~uint64_t(0), gshift) | 3);
}

// Field values (§8.2, §8.3).
namespace sh {
constexpr uint64_t NSH = 0, OSH = 2, ISH = 3;
}
namespace ap {  // AP[2:1] as bits of the AP field
constexpr uint64_t UNPRIV = 1, RDONLY = 2;
}
namespace s2ap {
constexpr uint64_t R = 1, W = 2;
}
namespace memattr {  // stage-2 MemAttr[3:0] (without S2FWB)
constexpr uint64_t DEVICE_nGnRE = 0x1, NORMAL_NC = 0x5, NORMAL_WB = 0xF;
}
namespace s2xn {  // stage-2 XN[1:0]: 0b10 is execute-never at every EL, with or without XNX
constexpr uint64_t EXEC = 0, NEVER = 2;
}
}  // namespace pte

// MAIR attribute encodings a stage-1 AttrIndx selects (CD.MAIR holds eight of them).
namespace mair {
constexpr uint64_t DEVICE_nGnRE = 0x04, NORMAL_NC = 0x44, NORMAL_INC_OWB = 0xF4, NORMAL_WB_RWA = 0xFF;
constexpr uint64_t attr(unsigned index, uint64_t encoding) { return encoding << (8 * index); }
}  // namespace mair

}  // namespace smmusim::smmu::arch
