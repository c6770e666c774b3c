#include "platforms/soc.h"

#include <algorithm>
#include <set>

#include "models/core/errors.h"
#include "models/core/run_control.h"
#include "models/core/value_parse.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/ats/ats_function.h"

namespace smmusim::platforms {

namespace {

// A device of the topology: driven by the software (its own pattern traffic off) unless its
// `params` say otherwise; every other default is the DMA master's own.
traffic::DmaDefaults device_defaults(uint32_t sid, bool idle) {
    traffic::DmaDefaults d;
    d.enable = false;
    d.sid = sid;
    if (idle) d.count = 0;
    return d;
}

std::vector<std::unique_ptr<core::Param<uint32_t>>> tbu_params(const Topology& t) {
    std::vector<std::unique_ptr<core::Param<uint32_t>>> v;
    for (size_t s = 0; s < t.smmus.size(); ++s) {
        uint32_t used = 1;
        for (const Topology::Device& d : t.devices)
            if (d.smmu == s) used = std::max(used, d.tbu + 1);
        auto p = std::make_unique<core::Param<uint32_t>>(
            t.smmus[s].name + ".tbus", t.smmus[s].tbus, "",
            "TBUs of this SMMU (default: the topology's); those no topology device sits behind serve idle DMA "
            "masters (named dma<N> after the devices, StreamIDs above the SMMU's highest)",
            core::Range<uint32_t>{1, 64});
        if (p->value() < used)
            p->fail("the topology " + t.file + " puts devices on " + std::to_string(used) + " TBUs of " +
                    t.smmus[s].name);
        v.push_back(std::move(p));
    }
    return v;
}

}  // namespace

Soc::Soc(const Topology& t)
    : topo(t),
      tbus(tbu_params(t)),
      memories([&] {
          std::vector<std::unique_ptr<mem::Memory>> v;
          for (const Topology::Memory& m : t.memories)
              v.push_back(std::make_unique<mem::Memory>(m.name.c_str(), mem::Memory::Defaults{m.range.base, m.range.size}));
          return v;
      }()),
      devices([&] {
          std::vector<Device> v;
          std::set<std::string> names;
          for (const Topology::Device& d : t.devices) {
              auto m = std::make_unique<traffic::DmaMaster>(d.name.c_str(), device_defaults(d.sid, false), [] {
                  return std::make_unique<smmu::ats::AtsFunction>("ats");
              });
              auto* ats = dynamic_cast<smmu::ats::AtsFunction*>(m->ats_function());
              v.push_back({std::move(m), d.smmu, d.tbu, d.sid, false, ats});
              names.insert(d.name);
          }
          for (size_t s = 0; s < t.smmus.size(); ++s) {
              std::set<unsigned> served;
              uint32_t sid = 0;
              for (const Device& d : v)
                  if (d.smmu == s) served.insert(d.tbu), sid = std::max(sid, d.sid);
              for (unsigned i = 0; i < *tbus[s]; ++i) {
                  if (served.count(i)) continue;
                  std::string name;
                  for (size_t n = v.size(); name.empty() || names.count(name); ++n) name = "dma" + std::to_string(n);
                  names.insert(name);
                  ++sid;
                  v.push_back({std::make_unique<traffic::DmaMaster>(name.c_str(), device_defaults(sid, true)), s, i, sid, true});
              }
          }
          return v;
      }()),
      cpu_traffic(t.cpu_traffic ? std::make_unique<traffic::CpuTraffic>("cpu_traffic", traffic::TrafficDefaults{})
                                : nullptr),
      smmus([&] {
          std::vector<std::unique_ptr<smmu::Smmu>> v;
          for (size_t s = 0; s < t.smmus.size(); ++s)
              v.push_back(std::make_unique<smmu::Smmu>(t.smmus[s].name.c_str(), *tbus[s]));
          return v;
      }()) {
    std::vector<std::string> initiators;
    for (const Device& d : devices) initiators.emplace_back(d.master->name());
    for (unsigned i = 0; i < cluster.size(); ++i) initiators.push_back(cpu::Cluster::core_name(i, cluster.size()));
    if (cpu_traffic) initiators.emplace_back("cpu_traffic");
    for (size_t s = 0; s < smmus.size(); ++s) initiators.push_back(tcu_port(s));
    std::vector<noc::AddressRange> targets;
    for (const auto& m : memories) targets.push_back(noc::AddressRange{m->basename(), m->base, m->size});
    for (size_t s = 0; s < smmus.size(); ++s) {
        // With ECMDQs the frame grows by the control page and is decoded in a 256 KiB window.
        const smmu::Features& f = smmus[s]->features();
        if (f.ecmdqs && t.smmus[s].regs % smmu::arch::reg::REGION_ALIGN_ECMDQ)
            throw InputError(t.smmus[s].name + ".ecmdqs: its registers (" + core::hex(t.smmus[s].regs) +
                                     ") must be 256 KiB aligned for the ECMDQ control page");
        targets.push_back(noc::AddressRange{t.smmus[s].name, t.smmus[s].regs, f.region_size()});
        // DTI-ATS (Translation Requests, Translated transactions, ATC invalidation) is AT only.
        if (f.ats && core::RunControl::instance().loosely_timed())
            throw InputError(t.smmus[s].name + ".ats: PCIe ATS is not modelled in sim.mode=lt (use sim.mode=at)");
        if (f.btm && core::RunControl::instance().loosely_timed())
            throw InputError(t.smmus[s].name +
                             ".btm: broadcast TLB maintenance is not modelled in sim.mode=lt (use sim.mode=at)");
    }
    noc = std::make_unique<noc::Interconnect>(t.interconnect.c_str(), initiators, targets);

    for (Device& d : devices) {
        smmu::Smmu& s = *smmus[d.smmu];
        if (d.ats) {
            // A PCIe endpoint with ATS: its ATS function between it and the TBU, and the
            // TCU's ATC invalidations for its StreamID to its ATC.
            d.master->port.socket.bind(d.ats->in.socket);
            d.ats->out.socket.bind(s.tbu(d.tbu).in.socket);
            s.tcu.attach_ats_endpoint(d.sid, d.ats);
        } else {
            d.master->port.socket.bind(s.tbu(d.tbu).in.socket);
        }
        s.tbu(d.tbu).set_device(d.master->name());  // names the device in --xlate-log lines
        s.tbu(d.tbu).out.socket.bind(noc->initiator_socket(d.master->name()));
    }
    if (cpu_traffic) cpu_traffic->port.socket.bind(noc->initiator_socket("cpu_traffic"));
    for (size_t s = 0; s < smmus.size(); ++s) smmus[s]->tcu.mem.socket().bind(noc->initiator_socket(tcu_port(s)));
    for (const auto& m : memories) noc->target_socket(m->basename()).bind(m->port.socket);
    for (size_t s = 0; s < smmus.size(); ++s) noc->target_socket(t.smmus[s].name).bind(smmus[s]->tcu.regs.socket);
    for (unsigned i = 0; i < cluster.size(); ++i)
        cluster.core(i).port.socket().bind(noc->initiator_socket(cluster.core(i).basename()));
    // Wired in sw::hal::Irq order (event queue, GERROR, CMD_SYNC), SMMU i from line 3i, to
    // core cluster.irq_cpu.
    for (size_t s = 0; s < smmus.size(); ++s) {
        const unsigned base = unsigned(3 * s);
        cluster.connect_irq(base + 0, smmus[s]->tcu.interrupts().eventq_irq.line);
        cluster.connect_irq(base + 1, smmus[s]->tcu.interrupts().gerror_irq.line);
        cluster.connect_irq(base + 2, smmus[s]->tcu.interrupts().cmdq_sync_irq.line);
        // The SMMU's WFE wake-up events (IDR0.SEV) reach every core.
        cluster.connect_sev(smmus[s]->tcu.interrupts().sev_event);
    }
    // Every write to memory (a core's store, DMA, an MSI) clears the exclusive monitors on its lines.
    for (const auto& m : memories)
        m->set_write_observer([this](uint64_t addr, uint64_t len) { cluster.memory_written(addr, len); });
    // The cores' data caches sit in front of every memory (cluster.cache.size > 0).
    for (const auto& m : memories) cluster.attach_memory(*m);
    // Broadcast TLB maintenance: the cores' TLBIs reach every SMMU with IDR0.BTM.
    std::vector<std::string> participants;
    std::vector<size_t> in_domain;
    for (size_t s = 0; s < smmus.size(); ++s)
        if (smmus[s]->features().btm) participants.push_back("to_" + t.smmus[s].name), in_domain.push_back(s);
    if (!participants.empty()) {
        dvm = std::make_unique<noc::DvmNode>("dvm", participants);
        cluster.dvm_port().out.bind(dvm->in);
        for (size_t i = 0; i < in_domain.size(); ++i) dvm->participant(i).bind(smmus[in_domain[i]]->tcu.dvm());
    }
}

std::string Soc::tcu_port(size_t i) const {
    return topo.smmus[i].name == "smmu" ? "tcu" : topo.smmus[i].name + "_tcu";
}

void Soc::print_wiring(std::ostream& os) const {
    os << "address map (" << noc->name() << "):\n";
    noc->address_map().print(os);
    os << " ";
    for (size_t i = 0; i < devices.size(); ++i) {
        const Device& d = devices[i];
        os << (i ? ", " : " ") << d.master->name() << " -> " << (d.ats ? d.ats->name() + std::string(" -> ") : "")
           << smmus[d.smmu]->name() << ".tbu" << d.tbu;
    }
    os << " -> " << noc->name() << ";";
    for (size_t s = 0; s < smmus.size(); ++s) os << " " << smmus[s]->name() << ".tcu (walks, queues) -> " << noc->name() << ";";
    os << " cpu (software; cpu0, cpu1, ... with cpus > 1)" << (cpu_traffic ? ", cpu_traffic" : "") << " -> "
       << noc->name() << "\n";
    if (dvm) {
        os << "  DVM (broadcast TLBIs): cpu -> " << dvm->name() << " ->";
        for (size_t s = 0; s < smmus.size(); ++s)
            if (smmus[s]->features().btm) os << " " << smmus[s]->name() << ".tcu";
        os << "\n";
    }
}

Soc::~Soc() = default;

std::vector<const traffic::TrafficGen*> Soc::generators() const {
    std::vector<const traffic::TrafficGen*> v;
    for (const Device& d : devices) v.push_back(d.master.get());
    if (cpu_traffic) v.push_back(cpu_traffic.get());
    return v;
}

void Soc::stop_traffic() {
    for (Device& d : devices) d.master->stop();
    if (cpu_traffic) cpu_traffic->stop();
}

}  // namespace smmusim::platforms
