#pragma once
// The hardware the platforms share: dma0 and dma1, each behind its SMMU TBU (smmu.tbu0,
// smmu.tbu1), the CPU cluster that runs the software (`cpus` cores: `cpu`, or cpu0, cpu1, ...,
// each with its own interconnect port), background CPU traffic (`cpu_traffic`),
// the SMMU's TCU (registers at 0x2B40_0000, memory port on the interconnect), the
// interconnect (`noc`) and 8 GiB of DRAM at 0x8000_0000. Platforms differ in their software.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/cpu/cluster.h"
#include "models/mem/memory.h"
#include "models/noc/interconnect.h"
#include "models/smmu/smmu.h"
#include "models/traffic/cpu_traffic.h"
#include "models/traffic/dma_master.h"

namespace smmusim::platforms {

class Soc {
public:
    static constexpr uint64_t kDramBase = 0x80000000ull;
    static constexpr uint64_t kDramSize = uint64_t(8) << 30;
    static constexpr uint64_t kSmmuBase = 0x2B400000ull;
    static constexpr uint64_t kDmaWindow = uint64_t(2) << 30;  // [kDramBase, +2 GiB): DMA buffers

    // `dma_patterns`: the DMA masters' own pattern traffic is on (unbounded, until the
    // software's workload is over), as host traffic is on the pkvm platform.
    explicit Soc(bool dma_patterns);
    ~Soc();

    void print_wiring(std::ostream& os) const;
    std::vector<const traffic::TrafficGen*> generators() const;
    // Every DMA master, by name: dma0, dma1, then the idle ones of extra TBUs.
    std::vector<std::pair<std::string, traffic::TrafficGen*>> devices();
    // Every pattern generator stops issuing (the software's workload is over).
    void stop_traffic();

    // smmu.tbus: TBUs beyond the two of dma0 and dma1 serve idle DMA masters dma2, dma3, ...
    // (StreamIDs 3, 4, ...): they still take part in every invalidation and sync.
    core::Param<uint32_t> tbus;
    mem::Memory dram;
    std::vector<std::unique_ptr<traffic::DmaMaster>> dma;  // dma<i> behind smmu.tbu<i>
    traffic::CpuTraffic cpu_traffic;
    smmu::Smmu smmu;
    cpu::Cluster cluster;
    noc::Interconnect noc;
};

}  // namespace smmusim::platforms
