#include "sw/workloads/iommu.h"

namespace smmusim::sw::workloads {

namespace {
[[noreturn]] void no_hypervisor(const char* what) {
    throw driver::DriverError(std::string(what) + " needs a hypervisor that owns memory (the pkvm platform)");
}
}  // namespace

void Iommu::donate(uint64_t, uint64_t, Owner) { no_hypervisor("donate"); }
void Iommu::reclaim(uint64_t, uint64_t) { no_hypervisor("reclaim"); }
void Iommu::share(uint64_t, uint64_t) { no_hypervisor("share"); }
void Iommu::unshare(uint64_t, uint64_t) { no_hypervisor("unshare"); }

}  // namespace smmusim::sw::workloads
