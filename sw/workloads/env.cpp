#include "sw/workloads/env.h"

namespace smmusim::sw::workloads {

Env::~Env() {
    if (!iovas_.empty()) iommu.on_iova_free(nullptr);
}

IovaAllocator& Env::iovas(driver::Domain& d, uint64_t base, uint64_t limit, unsigned gshift) {
    auto& a = iovas_[&d];
    if (a) return *a;
    if (iovas_.size() == 1)
        iommu.on_iova_free([this](driver::Domain& dom, uint64_t iova, uint64_t size) {
            auto it = iovas_.find(&dom);
            if (it != iovas_.end()) it->second->free(iova, size);
        });
    a = std::make_unique<IovaAllocator>(bus, base, limit, gshift, iova_costs, &stats.iova,
                                        hal::alloc_lock_words(bus, memory, IovaAllocator::lock_words(bus.cpus())));
    return *a;
}

}  // namespace smmusim::sw::workloads
