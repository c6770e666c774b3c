#pragma once
// What a workload runs with: the bus, the IOMMU software and the DMA engines, and the waits
// that keep the IOMMU software's timers running while the workload sleeps.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "sw/hal/bus.h"
#include "sw/hal/dma.h"
#include "sw/workloads/iommu.h"
#include "sw/workloads/iova_allocator.h"

namespace smmusim::sw::workloads {

struct WorkloadStats {
    uint64_t dma_jobs = 0, dma_ok = 0, dma_errors = 0;
    IovaStats iova;  // every IOVA allocator of the workloads
};

class Env {
public:
    Env(hal::Bus& bus, Iommu& iommu, hal::DmaEngines& dma) : bus(bus), iommu(iommu), dma(dma) {}
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    // The domain's IOVA allocator over [base, limit) (dma-iommu's iova_domain, in the domain's
    // cookie): made on first use and shared by every workload and CPU that maps through the
    // domain. The driver gives unmapped IOVAs back to it: at once when strict, after the
    // flush that covers them when lazy.
    IovaAllocator& iovas(driver::Domain& d, uint64_t base, uint64_t limit, unsigned gshift);

    // Runs body(c) for every c in [0, n) at once, c on CPU c: 0 in the calling thread, the
    // others as software threads the platform starts (`start_cpus`); returns when all have.
    // Without start_cpus only n == 1 is possible.
    void on_cpus(unsigned n, const std::function<void(unsigned)>& body);
    std::function<void(unsigned n, const std::function<void(unsigned)>& body)> start_cpus;

    // Waits for job `h`, waking for the driver's lazy-flush timers.
    hal::DmaResult wait(uint64_t h) {
        for (;;) {
            const uint64_t next = iommu.next_timer(), now = bus.now();
            const uint64_t timeout = next ? (next > now ? next - now : 1) : 0;
            if (auto r = dma.wait(h, timeout)) {
                ++stats.dma_jobs;
                stats.dma_ok += r->ok;
                stats.dma_errors += r->errors;
                return *r;
            }
            iommu.run_timers();
        }
    }

    hal::Bus& bus;
    Iommu& iommu;
    hal::DmaEngines& dma;
    WorkloadStats stats;
    IovaCosts iova_costs;
    // Memory for the software's own shared structures (lock words); null: none.
    hal::PageAllocator* memory = nullptr;
    // Forgets every statistic measured so far (the platform's --warmup reset), for a workload
    // that excludes its own warm-up from the measurement; empty: nothing to reset.
    std::function<void()> reset_stats;
    // The map benchmark's pairs: CPU cycles in the map (IOVA allocation included), in the
    // unmap (invalidation and IOVA free included) and for the whole pair; empty: not reported.
    std::function<void(uint64_t map, uint64_t unmap, uint64_t pair)> pair_done;

private:
    std::map<const driver::Domain*, std::unique_ptr<IovaAllocator>> iovas_;
};

}  // namespace smmusim::sw::workloads
