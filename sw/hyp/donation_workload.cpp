#include "sw/hyp/donation_workload.h"

#include <stdexcept>
#include <string>

namespace smmusim::sw::hyp {

void run_donations(const DonationParams& p, workloads::Env& env) {
    if (!p.donation_bytes || p.donation_bytes % 4096)
        throw std::invalid_argument("donation size " + std::to_string(p.donation_bytes) +
                                    " is not a whole number of 4 KiB pages");
    const uint64_t slots = p.pool_size / p.donation_bytes;
    if (slots < p.donations)
        throw std::invalid_argument("the donation pool holds " + std::to_string(slots) + " donations of " +
                                    std::to_string(p.donation_bytes) + " bytes, fewer than the " +
                                    std::to_string(p.donations) + " asked for");
    const auto to = p.to_guest ? workloads::Iommu::Owner::Guest : workloads::Iommu::Owner::Hyp;
    for (uint64_t i = 0; i < p.donations; ++i) {
        env.bus.work(p.interval_cycles);
        env.iommu.donate(p.pool_base + i * p.donation_bytes, p.donation_bytes, to);
    }
    env.iommu.flush_pending();
    if (!p.reclaim) return;
    for (uint64_t i = 0; i < p.donations; ++i) {
        env.bus.work(p.interval_cycles);
        env.iommu.reclaim(p.pool_base + i * p.donation_bytes, p.donation_bytes);
    }
}

}  // namespace smmusim::sw::hyp
