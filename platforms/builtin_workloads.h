#pragma once
// The built-in workloads' parameters (`sw.nic.*`, `sw.storage.*`, `sw.footprint.*`,
// `sw.mapbench.*`, `sw.workload.cpus`, `sw.workload.devices`) and how each is started on the
// platform's devices and CPUs (sw/workloads/builtin.h does the work).

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/params.h"
#include "sw/driver/domain.h"
#include "sw/workloads/builtin.h"
#include "sw/workloads/env.h"

namespace smmusim::platforms {

// The DMA devices a built-in workload may use and the memory their buffers come from.
struct WorkloadDevices {
    struct Device {
        std::string name;
        size_t smmu = 0;
        uint32_t sid = 0;
    };
    std::vector<Device> devices;
    uint64_t buffers_base = 0, buffers_size = 0;
};

class BuiltinWorkloads {
public:
    enum class Kind { Nic, Storage, Footprint, Mapbench };

    BuiltinWorkloads();
    // Checks the CPU and device counts against the platform's (exit 2 naming the parameter).
    void check(unsigned cpus, size_t devices) const;
    // Runs workload `k` on `where`'s devices from `cpus` CPUs (sw.workload.cpus 0: all of them).
    void run(Kind k, const WorkloadDevices& where, unsigned cpus, sw::workloads::Env& env) const;

private:
    sw::workloads::PerCpu per_cpu(const WorkloadDevices& w, const std::string& prefix, unsigned cpus) const;
    sw::workloads::DeviceSetup device(const WorkloadDevices& w, const std::string& prefix, size_t index) const;

    // sw.nic.*, sw.storage.*
    core::Param<uint64_t> nic_packets;
    core::Param<uint32_t> nic_in_flight, nic_packet_bytes, nic_txn_bytes;
    core::Param<double> nic_rx_fraction;
    core::Param<uint64_t> nic_cpu_cycles, nic_ring_bytes;
    core::Param<uint64_t> sto_requests, sto_request_bytes;
    core::Param<uint32_t> sto_queue_depth, sto_txn_bytes;
    core::Param<double> sto_read_fraction;
    core::Param<uint64_t> sto_cpu_cycles;
    core::EnumParam<sw::driver::DomainKind> nic_stage, sto_stage;
    core::Param<uint32_t> nic_granule, sto_granule;
    // sw.footprint.*
    core::Param<uint64_t> fp_bytes, fp_accesses;
    core::Param<uint32_t> fp_granule, fp_txn_bytes;
    core::EnumParam<sw::driver::DomainKind> fp_stage;
    core::Param<bool> fp_blocks;
    core::Param<bool> fp_contiguous;
    core::Param<uint64_t> fp_warmup;
    // sw.mapbench.*
    core::Param<uint64_t> mb_ops, mb_pages, mb_trans_cycles, mb_warmup, mb_skew_cycles, mb_cpu_cycles;
    core::Param<bool> mb_sva;
    core::Param<uint32_t> mb_sva_devices;
    // sw.workload.cpus, sw.workload.devices
    enum class Devices { Shared, Own, Spread };
    core::Param<uint32_t> wl_cpus;
    core::EnumParam<Devices> wl_devices;
};

}  // namespace smmusim::platforms
