#include "platforms/soc.h"

#include "models/smmu/arch/regs.h"

namespace smmusim::platforms {

namespace {

constexpr uint64_t MiB = uint64_t(1) << 20;

traffic::DmaDefaults dma_defaults(unsigned sid, bool patterns) {
    traffic::DmaDefaults d;
    d.enable = patterns;  // otherwise driven by the software; set true for raw pattern traffic
    d.sid = sid;
    d.max_outstanding = 16;
    if (sid == 1) {
        d.pattern = traffic::Pattern::Sequential;
        d.base = Soc::kDramBase;
        d.region = 16 * MiB;
        d.read_fraction = 0.5;
        d.interval = 1;
    } else {
        d.pattern = traffic::Pattern::Random;
        d.base = Soc::kDramBase + 64 * MiB;
        d.region = 64 * MiB;
        d.read_fraction = 0.7;
        d.interval = 2;
    }
    // Unbounded when on by default (the software ends the run); a count when raw.
    d.count = patterns ? 0 : 100000;
    return d;
}

traffic::TrafficDefaults cpu_defaults() {
    traffic::TrafficDefaults d;
    d.pattern = traffic::Pattern::HotSet;
    d.base = Soc::kDramBase + 256 * MiB;
    d.region = 256 * MiB;
    d.hot_size = 1 * MiB;
    d.hot_fraction = 0.9;
    d.read_fraction = 0.67;
    d.max_outstanding = 8;
    d.interval = 4;
    d.count = 0;  // background until the software's workload is over
    return d;
}


std::vector<std::string> initiators(unsigned tbus, unsigned cpus) {
    std::vector<std::string> v;
    for (unsigned i = 0; i < tbus; ++i) v.push_back("dma" + std::to_string(i));
    for (unsigned i = 0; i < cpus; ++i) v.push_back(cpu::Cluster::core_name(i, cpus));
    for (const char* n : {"cpu_traffic", "tcu"}) v.emplace_back(n);
    return v;
}

traffic::DmaDefaults idle_defaults(unsigned sid) {
    traffic::DmaDefaults d;
    d.enable = false;
    d.sid = sid;
    d.count = 0;
    return d;
}

}  // namespace

Soc::Soc(bool dma_patterns)
    : tbus("smmu.tbus", 2, "", "TBUs; beyond 2 they serve idle DMA masters dma2, dma3, ... (StreamIDs 3, 4, ...)",
           {2, 64}),
      dram("dram", {kDramBase, kDramSize}),
      dma([&] {
          std::vector<std::unique_ptr<traffic::DmaMaster>> v;
          for (unsigned i = 0; i < tbus; ++i)
              v.push_back(std::make_unique<traffic::DmaMaster>(
                  ("dma" + std::to_string(i)).c_str(), i < 2 ? dma_defaults(i + 1, dma_patterns) : idle_defaults(i + 1)));
          return v;
      }()),
      cpu_traffic("cpu_traffic", cpu_defaults()),
      smmu("smmu", tbus),
      noc("noc", initiators(tbus, cluster.size()),
          {noc::AddressRange{"dram", dram.base, dram.size},
           noc::AddressRange{"smmu", kSmmuBase, smmu::arch::reg::REGION_SIZE}}) {
    for (unsigned i = 0; i < tbus; ++i) {
        traffic::DmaMaster& d = *dma[i];
        d.port.socket.bind(smmu.tbu(i).in.socket);
        smmu.tbu(i).set_device(d.name());  // names the device in --xlate-log lines
        smmu.tbu(i).out.socket.bind(noc.initiator_socket(d.name()));
    }
    cpu_traffic.port.socket.bind(noc.initiator_socket("cpu_traffic"));
    smmu.tcu.mem.socket().bind(noc.initiator_socket("tcu"));
    noc.target_socket("dram").bind(dram.port.socket);
    noc.target_socket("smmu").bind(smmu.tcu.regs.socket);
    for (unsigned i = 0; i < cluster.size(); ++i)
        cluster.core(i).port.socket().bind(noc.initiator_socket(cluster.core(i).basename()));
    // Wired in sw::hal::Irq order: event queue, GERROR, CMD_SYNC (to core cluster.irq_cpu).
    cluster.connect_irq(0, smmu.tcu.interrupts().eventq_irq.line);
    cluster.connect_irq(1, smmu.tcu.interrupts().gerror_irq.line);
    cluster.connect_irq(2, smmu.tcu.interrupts().cmdq_sync_irq.line);
    // The SMMU's WFE wake-up events (IDR0.SEV) reach every core.
    cluster.connect_sev(smmu.tcu.interrupts().sev_event);
    // Every write to DRAM (a core's store, DMA, an MSI) clears the exclusive monitors on its lines.
    dram.set_write_observer([this](uint64_t addr, uint64_t len) { cluster.memory_written(addr, len); });
}

void Soc::print_wiring(std::ostream& os) const {
    os << "address map (" << noc.name() << "):\n";
    noc.address_map().print(os);
    os << "  dma0 -> smmu.tbu0, dma1 -> smmu.tbu1 -> noc; smmu.tcu (walks, queues) -> noc; "
          "cpu (software; cpu0, cpu1, ... with cpus > 1), cpu_traffic -> noc\n";
}

Soc::~Soc() = default;

std::vector<const traffic::TrafficGen*> Soc::generators() const {
    std::vector<const traffic::TrafficGen*> v;
    for (const auto& d : dma) v.push_back(d.get());
    v.push_back(&cpu_traffic);
    return v;
}

std::vector<std::pair<std::string, traffic::TrafficGen*>> Soc::devices() {
    std::vector<std::pair<std::string, traffic::TrafficGen*>> v;
    for (auto& d : dma) v.emplace_back(d->name(), d.get());
    return v;
}

void Soc::stop_traffic() {
    for (auto& d : dma) d->stop();
    cpu_traffic.stop();
}

}  // namespace smmusim::platforms
