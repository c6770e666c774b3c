#include "platforms/platform.h"

namespace smmusim::platforms {

const std::vector<PlatformInfo>& platform_list() {
    static const std::vector<PlatformInfo> list = {
        {"base",
         "2 DMA masters behind SMMUv3 TBUs, the TCU (registers at 0x2B400000), a CPU running the "
         "SMMU driver and a workload, CPU background traffic, interconnect, DRAM at 0x80000000",
         &make_base_platform},
        {"pkvm",
         "the base hardware under a pKVM-style hypervisor that owns the SMMU: host DMA through a shadow "
         "stage 2 of host memory while the host donates and reclaims pages",
         &make_pkvm_platform},
    };
    return list;
}

const PlatformInfo* find_platform(const std::string& name) {
    for (const PlatformInfo& p : platform_list())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace smmusim::platforms
