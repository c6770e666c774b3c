#pragma once
// CMD_ATC_INV (reference §4.4, SMMUv3 CMD_ATC_INV): StreamID, SSV, SubstreamID, Global,
// Address[63:12] and Size[5:0]. The range is 2^Size 4 KiB pages from Address aligned down to
// that span (the low Address bits are ignored); Size >= 52 covers the whole 64-bit space
// (Linux's ATC_INV_SIZE_ALL = 52). Decoding for the SMMU, building (as Linux's
// arm_smmu_atc_inv_to_cmd) for the driver.

#include <cstdint>

#include "models/core/ats.h"
#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch {

constexpr unsigned kAtcInvSizeAll = 52;

inline core::AtcInvalidation decode_atc_inv(const Command& c) {
    core::AtcInvalidation v;
    v.sid = uint32_t(c.get<Command::StreamID>());
    v.ssv = c.get<Command::SSV>();
    v.ssid = v.ssv ? uint32_t(c.get<Command::SubstreamID>()) : 0;
    v.global = c.get<Command::Global>();
    const unsigned size = unsigned(c.get<Command::AtcSize>());
    v.all = size >= kAtcInvSizeAll;
    v.log2_bytes = v.all ? 64 : 12 + size;
    v.base = v.all ? 0 : (c.address<Command::Address>() & ~((uint64_t(1) << v.log2_bytes) - 1));
    return v;
}

namespace cmd {

// ATC_INV covering [iova, iova + size) with the smallest aligned power-of-two span of pages
// (Linux arm_smmu_atc_inv_to_cmd: log2_span = fls(page_start ^ page_end)); size 0: everything.
inline Command atc_inv(uint32_t sid, bool ssv, uint32_t ssid, uint64_t iova, uint64_t size) {
    Command c;
    c.set<Command::Opcode>(op::ATC_INV);
    c.set<Command::StreamID>(sid);
    c.set<Command::SSV>(ssv);
    c.set<Command::SubstreamID>(ssv ? ssid : 0);
    if (size == 0) {
        c.set<Command::AtcSize>(kAtcInvSizeAll);
        return c;
    }
    const uint64_t first = iova >> 12, last = (iova + size - 1) >> 12;
    unsigned log2_span = 0;
    for (uint64_t x = first ^ last; x; x >>= 1) ++log2_span;
    if (log2_span >= kAtcInvSizeAll) {
        c.set<Command::AtcSize>(kAtcInvSizeAll);
        return c;
    }
    const uint64_t base = first & ~((uint64_t(1) << log2_span) - 1);
    c.set<Command::AtcSize>(log2_span);
    c.set_address<Command::Address>(base << 12);
    return c;
}

}  // namespace cmd
}  // namespace smmusim::smmu::arch
