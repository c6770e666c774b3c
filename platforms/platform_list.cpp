#include "platforms/platform.h"

namespace smmusim::platforms {

const std::vector<PlatformInfo>& platform_list() {
    static const std::vector<PlatformInfo> list = {
        {"base",
         "2 DMA masters (each behind a TBU slot, pass-through until the SMMU lands), CPU "
         "background traffic, interconnect, DRAM at 0x80000000",
         &make_base_platform},
    };
    return list;
}

const PlatformInfo* find_platform(const std::string& name) {
    for (const PlatformInfo& p : platform_list())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace smmusim::platforms
