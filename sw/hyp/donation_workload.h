#pragma once
// The pKVM platform's built-in workload: the host gives pages to guests (or the hypervisor)
// at a steady rate, as guests boot and fault their memory in, while its devices keep doing
// DMA to the rest of host memory; at the end (optionally) it takes them all back, as when the
// guests are torn down. Each donation is a hypercall that changes the shadow stage 2 and
// invalidates by the hypervisor's policy, which is what the study measures.

#include <cstdint>

#include "sw/workloads/env.h"

namespace smmusim::sw::hyp {

struct DonationParams {
    uint64_t donations = 512;
    uint64_t donation_bytes = 4096;
    uint64_t interval_cycles = 2000;  // CPU time between two donations
    uint64_t pool_base = 0;           // donated pages come from [pool_base, pool_base + pool_size)
    uint64_t pool_size = 0;
    bool to_guest = true;
    bool reclaim = true;              // give everything back at the end
};

void run_donations(const DonationParams& p, workloads::Env& env);

}  // namespace smmusim::sw::hyp
