#pragma once
// PCIe ATS between an SMMU and an endpoint with an Address Translation Cache (ATC), in terms
// neither side's model owns: the ATC invalidation the SMMU sends for CMD_ATC_INV (SMMUv3
// §4.4.x CMD_ATC_INV; PCIe Base 10.3 Invalidate Request) and its completion. The SMMU decodes
// the command (models/smmu/arch/atc_inv.h); the endpoint removes what the range covers and
// answers `done` when its Invalidation Completion would arrive.

#include <cstdint>
#include <functional>

namespace smmusim::core {

struct AtcInvalidation {
    uint32_t sid = 0;
    bool ssv = false;     // SSV=0: every entry of the StreamID, with or without a PASID
    uint32_t ssid = 0;    // SSV=1: entries of this PASID ...
    bool global = false;  // ... and, with Global=1, the global entries of every PASID
    uint64_t base = 0;    // range [base, base + 2^log2_bytes), base aligned to it
    unsigned log2_bytes = 12;
    bool all = false;     // Size >= 52: the whole address space

    // Whether an ATC entry of [start, start + bytes) made for (ssv, ssid, global) is covered.
    bool covers(uint64_t start, uint64_t bytes, bool entry_ssv, uint32_t entry_ssid, bool entry_global) const {
        if (ssv && !(entry_ssv && (entry_ssid == ssid || (global && entry_global)))) return false;
        if (all) return true;
        const uint64_t end = base + (uint64_t(1) << log2_bytes);
        return start < end && start + bytes > base;
    }
};

// An ATS-capable endpoint the SMMU can send ATC invalidations to.
class AtsEndpoint {
public:
    virtual ~AtsEndpoint() = default;
    // Called in the SMMU's thread when it sends the invalidation; `done` must be called
    // (from any process, later) when the endpoint's Invalidation Completion reaches the SMMU.
    virtual void atc_invalidate(const AtcInvalidation& inv, std::function<void()> done) = 0;
};

}  // namespace smmusim::core
