#pragma once
// The pKVM part of a platform's software: the hypervisor's parameters (`sw.hyp.*`), its
// built-in donation workload (`sw.pkvm.*`), the ownership of host memory, the hypervisor and
// the host's view of the IOMMU through it, and their stats (`sw.hyp.*`).

#include <memory>
#include <vector>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/hyp/donation_workload.h"
#include "sw/hyp/host_iommu.h"
#include "sw/hyp/hypervisor.h"
#include "sw/hyp/smmu_emulation.h"
#include "sw/hyp/trapped_bus.h"

namespace smmusim::platforms {

struct HypSetup {
    uint64_t host_base = 0, host_size = 0;                // host memory (what the shadow covers)
    uint64_t host_tables_base = 0, host_tables_size = 0;  // host memory for the host's IOMMU tables
    uint64_t pool_base = 0, pool_size = 0;                // default donation pool
    std::vector<uint32_t> host_sids;
    uint64_t smmu_regs = 0;  // the register frame the host's accesses to trap
    // The host's command queue (sw.driver.cmdq); the hypervisor's own is always the series'
    // simple one.
    sw::driver::CmdqAlgo host_cmdq = sw::driver::CmdqAlgo::Linux;
};

class HypHost : public sw::hyp::HypObserver {
public:
    HypHost(const HypSetup& setup, sc_core::sc_time cpu_period);
    ~HypHost() override;

    // Built once the driver exists.
    // `hyp_mem`: the hypervisor's memory, for its lock words with several CPUs; `lock_cycles`:
    // a lock's acquire cost (sw.lock_cycles).
    sw::workloads::Iommu& attach(sw::hal::Bus& bus, sw::driver::SmmuDriver& drv, sw::hal::PageAllocator* hyp_mem,
                                 uint64_t lock_cycles);
    // On the CPU: resets the SMMU and builds the shadow.
    void init();
    void run_donations(sw::workloads::Env& env);
    // An event record the hypervisor's driver read: a stage-2 translation fault on a page the
    // host owns can only come from a break-before-make window of the shadow.
    void event(const smmu::arch::EventRecord& r);

private:
    void hypercall(Op op, uint64_t bytes, uint64_t cycles, uint64_t commands, uint64_t syncs) override;

    HypSetup setup_;
    sc_core::sc_time period_;
    core::EnumParam<sw::hyp::InvPolicy> policy;
    core::Param<bool> nh_all;
    core::Param<uint64_t> cpu_s2_page_cycles, cpu_dsb_cycles;
    core::Param<uint64_t> hvc_cycles;
    core::Param<uint64_t> trap_cycles, emul_cmd_cycles;
    core::EnumParam<sw::hyp::Refused> refused;
    core::Param<uint32_t> granule;
    core::Param<uint32_t> ias;
    core::Param<uint64_t> donations, donation_bytes;
    core::Param<sc_core::sc_time> interval;
    core::Param<uint64_t> pool_base, pool_size;
    core::EnumParam<bool> to_guest;
    core::Param<bool> reclaim;

    sw::hyp::Ownership owners_;
    sw::hal::PageAllocator host_tables_;
    std::unique_ptr<sw::hyp::Hypervisor> hyp_;
    std::unique_ptr<sw::hyp::SmmuEmulation> emu_;
    std::unique_ptr<sw::hyp::TrappedBus> host_bus_;
    uint64_t lock_cycles_ = 0;
    std::unique_ptr<sw::hal::SpinLock> smmu_lock_;  // the emulation's, with several CPUs
    sw::driver::Observer host_obs_;
    std::unique_ptr<sw::driver::SmmuDriver> host_drv_;
    std::unique_ptr<sw::hyp::HostIommu> iommu_;

    core::Histogram donate_cycles_{"sw.hyp.donate_cycles",
                                   "CPU cycles per donation hypercall, invalidation and CMD_SYNC waits included",
                                   "cycles"};
    core::Histogram reclaim_cycles_{"sw.hyp.reclaim_cycles", "CPU cycles per reclaim hypercall", "cycles"};
    core::Histogram donate_commands_{"sw.hyp.commands_per_donation", "commands (CMD_SYNC included) per donation"};
    core::Histogram donate_syncs_{"sw.hyp.syncs_per_donation", "CMD_SYNCs per donation"};
    core::Counter donates_{"sw.hyp.donations", "donation hypercalls"};
    core::Counter reclaims_{"sw.hyp.reclaims", "reclaim hypercalls"};
    core::Counter shares_{"sw.hyp.shares", "share and unshare hypercalls"};
    core::Counter bbm_faults_{"sw.hyp.bbm_faults",
                              "host-device accesses to pages the host owns that faulted at stage 2 (event records "
                              "read): DMA that met a block broken before make; 0 with BBML2"};
    core::Formula shadow_bytes_;
    core::Formula host_bytes_;
    core::Formula donated_bytes_;
    // Counts the hypervisor keeps: since the last stats reset (--warmup).
    core::CountSince splits_;
    core::CountSince trapped_, trap_cycles_spent_, emulated_, refused_cmds_, forwarded_, stes_;
};

}  // namespace smmusim::platforms
