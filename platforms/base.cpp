// The `base` platform: dma0 and dma1, each behind its SMMU TBU (smmu.tbu0, smmu.tbu1), the
// CPU running the software (`cpu`: the SMMU driver and a built-in workload or a scenario),
// cpu_traffic (background), the SMMU's TCU (registers at 0x2B40_0000, memory port on the
// interconnect), the interconnect and DRAM.
//
// Memory-map contract for scenarios: [0x8000_0000, 0x8000_0000 + 2 GiB) is free for DMA
// buffers; software tables and queues are allocated above it. The DMA masters are driven by
// the software (their own pattern traffic is off unless enabled); the run ends when the
// software's workload is over.

#include <ostream>

#include "models/cpu/cpu.h"
#include "models/mem/memory.h"
#include "models/noc/interconnect.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/smmu.h"
#include "models/traffic/cpu_traffic.h"
#include "models/traffic/dma_master.h"
#include "platforms/platform.h"
#include "platforms/software_host.h"

namespace smmusim::platforms {
namespace {

constexpr uint64_t kDramBase = 0x80000000ull;
constexpr uint64_t kSmmuBase = 0x2B400000ull;
constexpr uint64_t kDmaWindow = uint64_t(2) << 30;
constexpr uint64_t kSoftwareMemory = uint64_t(1) << 30;  // tables and queues, above the DMA window
constexpr uint64_t MiB = uint64_t(1) << 20;

traffic::DmaDefaults dma0_defaults() {
    traffic::DmaDefaults d;
    d.enable = false;  // driven by the software; set true for raw pattern traffic
    d.sid = 1;
    d.pattern = traffic::Pattern::Sequential;
    d.base = kDramBase;
    d.region = 16 * MiB;
    d.read_fraction = 0.5;
    d.max_outstanding = 16;
    d.interval = 1;
    d.count = 100000;
    return d;
}

traffic::DmaDefaults dma1_defaults() {
    traffic::DmaDefaults d;
    d.enable = false;
    d.sid = 2;
    d.pattern = traffic::Pattern::Random;
    d.base = kDramBase + 64 * MiB;
    d.region = 64 * MiB;
    d.read_fraction = 0.7;
    d.max_outstanding = 16;
    d.interval = 2;
    d.count = 100000;
    return d;
}

traffic::TrafficDefaults cpu_defaults() {
    traffic::TrafficDefaults d;
    d.pattern = traffic::Pattern::HotSet;
    d.base = kDramBase + 256 * MiB;
    d.region = 256 * MiB;
    d.hot_size = 1 * MiB;
    d.hot_fraction = 0.9;
    d.read_fraction = 0.67;
    d.max_outstanding = 8;
    d.interval = 4;
    d.count = 0;  // background until the software's workload is over
    return d;
}

class BasePlatform : public Platform {
public:
    explicit BasePlatform(const PlatformOptions& opts) {
        dma0.port.socket.bind(smmu.tbu(0).in.socket);
        dma1.port.socket.bind(smmu.tbu(1).in.socket);
        smmu.tbu(0).set_device(dma0.name());  // names the device in --xlate-log lines
        smmu.tbu(1).set_device(dma1.name());
        smmu.tbu(0).out.socket.bind(noc.initiator_socket("dma0"));
        smmu.tbu(1).out.socket.bind(noc.initiator_socket("dma1"));
        cpu_traffic.port.socket.bind(noc.initiator_socket("cpu_traffic"));
        smmu.tcu.mem.socket().bind(noc.initiator_socket("tcu"));
        noc.target_socket("dram").bind(dram.port.socket);
        noc.target_socket("smmu").bind(smmu.tcu.regs.socket);
        cpu.port.socket().bind(noc.initiator_socket("cpu"));
        // Wired in sw::hal::Irq order: event queue, GERROR, CMD_SYNC.
        cpu.connect_irq(0, smmu.tcu.interrupts().eventq_irq.line);
        cpu.connect_irq(1, smmu.tcu.interrupts().gerror_irq.line);
        cpu.connect_irq(2, smmu.tcu.interrupts().cmdq_sync_irq.line);

        SoftwareSetup sw;
        sw.smmu_regs = kSmmuBase;
        sw.memory_base = kDramBase + kDmaWindow;
        sw.memory_size = kSoftwareMemory;
        sw.buffers_base = kDramBase;
        sw.buffers_size = kDmaWindow / 2;
        sw.devices = {{"dma0", &dma0}, {"dma1", &dma1}};
        sw.scenario = opts.scenario;
        sw.on_finished = [this] { cpu_traffic.stop(); };
        software = std::make_unique<SoftwareHost>(cpu, std::move(sw));
    }

    void print_address_map(std::ostream& os) const override {
        os << "address map (" << noc.name() << "):\n";
        noc.address_map().print(os);
        os << "  DMA buffers: [0x80000000, 0x" << std::hex << kDramBase + kDmaWindow << std::dec
           << "); software tables and queues above\n"
           << "  dma0 -> smmu.tbu0, dma1 -> smmu.tbu1 -> noc; smmu.tcu (walks, queues) -> noc; "
              "cpu (software), cpu_traffic -> noc\n";
    }

    std::vector<const traffic::TrafficGen*> generators() const override {
        return {&dma0, &dma1, &cpu_traffic};
    }
    bool ends_itself() const override { return software->enabled(); }
    std::exception_ptr failure() const override { return software->failure(); }

private:
    mem::Memory dram{"dram", {kDramBase, uint64_t(8) << 30}};
    traffic::DmaMaster dma0{"dma0", dma0_defaults()};
    traffic::DmaMaster dma1{"dma1", dma1_defaults()};
    traffic::CpuTraffic cpu_traffic{"cpu_traffic", cpu_defaults()};
    smmu::Smmu smmu{"smmu", 2};
    cpu::Cpu cpu{"cpu"};
    noc::Interconnect noc{"noc",
                          {"dma0", "dma1", "cpu", "cpu_traffic", "tcu"},
                          {noc::AddressRange{"dram", dram.base, dram.size},
                           noc::AddressRange{"smmu", kSmmuBase, smmu::arch::reg::REGION_SIZE}}};
    std::unique_ptr<SoftwareHost> software;
};

}  // namespace

std::unique_ptr<Platform> make_base_platform(const PlatformOptions& opts) {
    return std::make_unique<BasePlatform>(opts);
}

}  // namespace smmusim::platforms
