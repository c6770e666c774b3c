#pragma once
// The software of a platform, set up from `sw.*` parameters: the SMMU driver (`sw.driver.*`),
// the built-in workload (`sw.workload`, `sw.nic.*`, `sw.storage.*`) or a scenario file, run
// on the CPU cluster through the timed bus (the workload on core 0). It turns what the driver reports into stats
// (`sw.driver.*`, `sw.workload.*`) and the event log, and tells the platform when the
// workload is over.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/cpu/cluster.h"
#include "models/traffic/traffic_gen.h"
#include "platforms/builtin_workloads.h"
#include "platforms/device_dma.h"
#include "platforms/hyp_host.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/page_alloc.h"
#include "sw/hal/timed_bus.h"
#include "sw/workloads/builtin.h"
#include "sw/workloads/env.h"
#include "sw/workloads/scenario.h"

namespace smmusim::platforms {

struct SoftwareSetup {
    // The SMMU instances, in the topology's order: each gets its own driver, probed and reset
    // in this order; instance i's interrupts are CPU lines 3i..3i+2 (sw::hal::Irq order).
    struct Smmu {
        std::string name;
        uint64_t regs = 0;
    };
    struct Device {
        std::string name;
        traffic::TrafficGen* master = nullptr;
        size_t smmu = 0;  // index into smmus
        uint32_t sid = 0;
        bool ats = false;  // the device has a PCIe ATS capability (the driver may enable ATS for it)
        std::function<void(bool)> set_ats;  // its ATS Control Enable bit (pci_enable_ats)
    };
    std::vector<Smmu> smmus;
    uint64_t memory_base = 0, memory_size = 0;  // for tables and queues
    uint64_t buffers_base = 0, buffers_size = 0;  // for the built-in workloads' DMA buffers
    uint64_t dram_base = 0, dram_size = 0;        // all of DRAM (scenario checks)
    std::vector<Device> devices;
    std::shared_ptr<const sw::workloads::Scenario> scenario;            // null: the built-in workload
    std::function<void()> on_finished;  // the workload is over (stop background traffic)
    // Set: a pKVM-style hypervisor owns the SMMU (memory_* is then its own memory) and the
    // workload runs as the host.
    std::optional<HypSetup> hyp;
};

class SoftwareHost {
public:
    enum class Workload { Nic, Storage, Footprint, Mapbench, Donate, None };

    SoftwareHost(cpu::Cluster& cpus, SoftwareSetup setup);
    ~SoftwareHost();

    // Software failures (a scenario step that cannot be done, a driver error): rethrown by
    // the caller once the simulation has stopped.
    std::exception_ptr failure() const { return cpus_.failure_exception(); }
    bool finished() const { return finished_; }
    // sw.enable: false leaves the SMMU as reset left it (SMMUEN=0, GBPA) for raw device traffic.
    bool enabled() const { return enable; }

private:
    class Stats;
    void main();
    void run();
    void watch();
    sw::driver::DriverConfig driver_config(size_t smmu) const;
    sw::workloads::IovaCosts iova_costs() const;
    void on_cpus(unsigned n, const std::function<void(unsigned)>& body);

    cpu::Cluster& cpus_;
    SoftwareSetup setup_;
    bool finished_ = false;
    // The software's progress (commands, completed syncs, events, maps, unmaps, DMA jobs): the
    // watchdog stops a run in which it stays the same for sw.watchdog of simulated time.
    uint64_t progress_ = 0;
    std::string last_progress_ = "none yet", last_warning_;
    sc_core::sc_time last_progress_at_;
    sc_core::sc_event finished_event_;
    sc_core::sc_event budget_spent_;  // RunControl: --max-transactions reached
    void progressed(const char* what);

    core::Param<bool> enable;
    core::Param<bool> strict;
    core::EnumParam<Workload> workload;
    // sw.driver.*
    core::EnumParam<sw::driver::InvPolicy> policy;
    core::EnumParam<sw::driver::SyncMode> sync;
    core::EnumParam<sw::driver::CmdqAlgo> cmdq;
    core::Param<bool> ecmdq;
    core::Param<bool> skip_cleans;
    core::Param<bool> btm;
    core::Param<uint32_t> batch;
    core::Param<bool> range_inv;
    core::Param<bool> ats;
    core::Param<uint64_t> full_flush_pages;
    core::EnumParam<sw::driver::InvInstances> inv_instances;
    core::Param<bool> prefetch_config;
    core::EnumParam<sw::driver::FqQueues> fq_queues;
    core::Param<uint32_t> fq_entries;
    core::Param<sc_core::sc_time> fq_timeout;
    core::Param<uint64_t> fq_entry_cycles;
    core::Param<uint32_t> ssid_bits;
    core::Param<uint32_t> cmdq_log2, evtq_log2;
    core::Param<uint64_t> guest_table_memory, s2_ias;
    core::EnumParam<sw::pgtable::S2Concat> s2_concat;
    core::Param<uint64_t> cmd_cycles, cmdq_call_cycles, poll_spins, poll_relax, pte_read_cycles;
    core::Param<sc_core::sc_time> poll_delay, poll_timeout;
    core::Param<sc_core::sc_time> watchdog;
    core::Param<uint64_t> doorbell;
    // sw.lock_cycles, sw.iova.*
    core::Param<uint64_t> lock_cycles;
    core::Param<uint64_t> iova_rcache_cycles, iova_depot_cycles, iova_tree_cycles, iova_tree_node_cycles;
    core::Param<sc_core::sc_time> iova_depot_delay;
    BuiltinWorkloads builtin_;  // sw.nic.*, sw.storage.*, sw.footprint.*, sw.mapbench.*, sw.workload.*

    std::unique_ptr<Stats> stats_;
    std::unique_ptr<sw::hal::TimedBus> bus_;
    std::vector<std::unique_ptr<sw::hal::TimedBus>> irq_buses_;  // SMMU instances after the first: their lines
    std::unique_ptr<sw::hal::PageAllocator> mem_;
    std::unique_ptr<HypHost> hyp_;  // before the driver: host tables outlive the domains that use them
    std::unique_ptr<DeviceDma> dma_;
    std::unique_ptr<sw::driver::SmmuDriver> driver_;  // the first SMMU instance's
    std::vector<std::unique_ptr<sw::driver::SmmuDriver>> more_drivers_;  // the others'
    std::unique_ptr<sw::workloads::Iommu> linux_iommu_;
    sw::workloads::Iommu* iommu_ = nullptr;
    std::unique_ptr<sw::workloads::Env> env_;
};

}  // namespace smmusim::platforms
