#include "sw/workloads/env.h"

#include <stdexcept>
#include <string>

namespace smmusim::sw::workloads {

Env::~Env() {
    if (!iovas_.empty()) iommu.on_iova_free(nullptr);
}

// Making one writes its lock words (simulated time): another CPU may have made the domain's
// meanwhile, and then that one is the domain's.
IovaAllocator& Env::iovas(driver::Domain& d, uint64_t base, uint64_t limit, unsigned gshift) {
    if (auto it = iovas_.find(&d); it != iovas_.end()) return *it->second;
    auto made = std::make_unique<IovaAllocator>(
        bus, base, limit, gshift, iova_costs, &stats.iova,
        hal::alloc_lock_words(bus, memory, IovaAllocator::lock_words(bus.cpus())));
    auto& a = iovas_[&d];
    if (a) return *a;
    a = std::move(made);
    if (iovas_.size() == 1)
        iommu.on_iova_free([this](driver::Domain& dom, uint64_t iova, uint64_t size) {
            auto it = iovas_.find(&dom);
            if (it != iovas_.end()) it->second->free(iova, size);
        });
    return *a;
}

void Env::on_cpus(unsigned n, const std::function<void(unsigned)>& body) {
    if (n <= 1) return body(0);
    if (!start_cpus) throw std::invalid_argument("a workload on " + std::to_string(n) + " CPUs needs a platform with them");
    start_cpus(n, body);
}

}  // namespace smmusim::sw::workloads
