#pragma once
// What the driver learns from the ID registers and what it chooses from them (Linux
// arm_smmu_device_hw_probe).

#include <cstdint>
#include <stdexcept>
#include <string>

#include "sw/driver/errors.h"
#include "sw/hal/bus.h"

namespace smmusim::sw::driver {

// The SMMU cannot be driven (a feature the driver requires is missing).
class ProbeError : public DriverError {
public:
    using DriverError::DriverError;
};

struct SmmuCaps {
    bool s1 = false, s2 = false;
    bool two_level_st = false, cd2l = false;
    bool hyp = false, msi = false, sev = false, coherent = false;
    bool ril = false;
    bool ats = false;  // IDR0.ATS: the SMMU accepts ATS (Translation Requests, CMD_ATC_INV)
    bool btm = false;  // IDR0.BTM: broadcast TLB maintenance
    unsigned bbml = 0;
    unsigned asid_bits = 8, vmid_bits = 8;
    unsigned sid_bits = 0, ssid_bits = 0;
    unsigned cmdq_log2 = 0, evtq_log2 = 0;  // IDR1.CMDQS / EVENTQS
    unsigned oas = 48;                      // bits
    uint64_t pgsize_bitmap = 0;             // page and block sizes of every supported granule
    uint32_t iidr = 0;
    // Enhanced command queues (IDR1.ECMDQ, IDR6, CMDQ_CONTROL_PAGE_BASEn): how many, where
    // the control pages start (offset from page 0) and the spacing of the queues in them.
    // 0 queues when absent or unusable (a page in memory mode, pages not contiguous:
    // ecmdq_refused says why), as the posted ECMDQ series suppresses the feature.
    unsigned ecmdqs = 0;
    uint64_t ecmdq_offset = 0;
    uint32_t ecmdq_stride = 0;
    std::string ecmdq_refused;
};

// Reads IDR0/1/3/5 and IIDR (and IDR6 and the control pages with IDR1.ECMDQ). Throws ProbeError as Linux refuses to probe (no S1 and no S2,
// no AArch64 tables, big-endian only, embedded presets, a command queue of 64 entries or fewer).
SmmuCaps probe(hal::Bus& bus, uint64_t regs);

// The largest granule <= 4K..64K the SMMU supports, preferring the CPU's page size (4K).
unsigned pick_granule(const SmmuCaps& caps, unsigned preferred_shift);

}  // namespace smmusim::sw::driver
