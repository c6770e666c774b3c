#pragma once
// The hardware of a topology (platforms/topology.h): its memories, the DMA masters behind
// their SMMU's TBUs, the CPU cluster that runs the software (`cpus` cores, the topology's by
// default: `cpu`, or cpu0, cpu1, ..., each with its own interconnect port), background CPU traffic
// (`cpu_traffic`), the SMMU instances (each TCU's registers on the interconnect at the
// topology's address, its memory port an initiator of the interconnect) and the interconnect.
// Modules are built in a fixed order (memories, DMA masters, cpu_traffic, SMMUs, CPU cluster,
// interconnect, then the DVM node when an SMMU has IDR0.BTM), the same for every topology, so that a topology file reproduces the
// platform that was once written in C++ event for event.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/cpu/cluster.h"
#include "models/mem/memory.h"
#include "models/noc/dvm_node.h"
#include "models/noc/interconnect.h"
#include "models/smmu/ats/ats_function.h"
#include "models/smmu/smmu.h"
#include "models/traffic/cpu_traffic.h"
#include "models/traffic/dma_master.h"
#include "platforms/topology.h"

namespace smmusim::platforms {

class Soc {
public:
    // A DMA master and where it sits.
    struct Device {
        std::unique_ptr<traffic::DmaMaster> master;
        size_t smmu = 0;
        unsigned tbu = 0;
        uint32_t sid = 0;
        bool idle = false;  // serves a TBU no topology device sits behind
        smmu::ats::AtsFunction* ats = nullptr;  // the device's ATS function (`<device>.ats` set)
    };

    explicit Soc(const Topology& topo);
    ~Soc();

    void print_wiring(std::ostream& os) const;
    std::vector<const traffic::TrafficGen*> generators() const;
    // Every pattern generator stops issuing (the software's workload is over).
    void stop_traffic();
    mem::Memory& dram() { return *memories.front(); }
    const mem::Memory& dram() const { return *memories.front(); }
    // The interconnect port of SMMU `i`'s TCU: `tcu` for the SMMU named `smmu`, else `<name>_tcu`.
    std::string tcu_port(size_t i) const;

    const Topology topo;
    // <smmu>.tbus: TBUs beyond those the topology's devices sit behind serve idle DMA masters.
    std::vector<std::unique_ptr<core::Param<uint32_t>>> tbus;
    std::vector<std::unique_ptr<mem::Memory>> memories;
    std::vector<Device> devices;  // the topology's, in its order, then the idle ones
    std::unique_ptr<traffic::CpuTraffic> cpu_traffic;  // when the topology has it
    std::vector<std::unique_ptr<smmu::Smmu>> smmus;
    cpu::Cluster cluster;
    std::unique_ptr<noc::Interconnect> noc;
    // The DVM domain (`dvm`): the cluster's TLBIs to every SMMU with IDR0.BTM (smmu.btm), built
    // after the interconnect and only when there is such an SMMU.
    std::unique_ptr<noc::DvmNode> dvm;
};

}  // namespace smmusim::platforms
