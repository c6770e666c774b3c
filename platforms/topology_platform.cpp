// A platform built from a topology (platforms/topology.h): its hardware (platforms/soc.h) and
// the software the topology names on its CPU: the Linux-like SMMU driver with a built-in
// workload or a scenario, or the same host under a pKVM-style hypervisor that owns the SMMU.
// The run ends when the software's workload is over, and the traffic generators stop with it.
//
// Memory-map contract for scenarios: the topology's software.dma_window is free for DMA
// buffers; software tables and queues are allocated in software.memory.

#include <algorithm>
#include <deque>
#include <memory>
#include <ostream>
#include <sstream>

#include "models/core/param_registry.h"
#include "platforms/platform.h"
#include "platforms/soc.h"
#include "platforms/software_host.h"

namespace smmusim::platforms {
namespace {

class TopologyPlatform : public Platform {
public:
    TopologyPlatform(const Topology& t, const PlatformOptions& opts) : soc(t) {
        SoftwareSetup sw;
        for (const Topology::Smmu& s : t.smmus) sw.smmus.push_back({s.name, s.regs});
        sw.buffers_base = t.buffers.base;
        sw.buffers_size = t.buffers.size;
        sw.memory_base = t.sw_memory.base;
        sw.memory_size = t.sw_memory.size;
        sw.dram_base = soc.dram().base;
        sw.dram_size = soc.dram().size;
        for (Soc::Device& d : soc.devices) {
            SoftwareSetup::Device sd;
            sd.name = d.master->name();
            sd.master = d.master.get();
            sd.smmu = d.smmu;
            sd.sid = d.sid;
            if (smmu::ats::AtsFunction* f = d.ats) {
                sd.ats = true;
                sd.set_ats = [f](bool on) { f->set_enabled(on); };
            }
            sw.devices.push_back(std::move(sd));
        }
        sw.scenario = opts.scenario;
        sw.on_finished = [this] { soc.stop_traffic(); };
        if (t.hyp) {
            HypSetup h;
            h.host_base = t.hyp->host.base;
            h.host_size = t.hyp->host.size;
            h.host_tables_base = t.hyp->host_tables.base;
            h.host_tables_size = t.hyp->host_tables.size;
            h.pool_base = t.hyp->pool.base;
            h.pool_size = t.hyp->pool.size;
            h.host_sids = t.hyp->host_sids;
            sw.hyp = h;
        }
        software = std::make_unique<SoftwareHost>(soc.cluster, std::move(sw));
        // Raw traffic (sw.enable=false) has no memory map to check.
        if (software->enabled()) check_layout();
    }

    std::vector<const traffic::TrafficGen*> generators() const override { return soc.generators(); }
    bool ends_itself() const override { return software->enabled(); }
    std::exception_ptr failure() const override { return software->failure(); }
    bool software_unfinished() const override { return software->enabled() && !software->finished(); }

    void print_address_map(std::ostream& os) const override {
        soc.print_wiring(os);
        const Topology& t = soc.topo;
        os << std::hex;
        if (t.hyp)
            os << "  host memory [0x" << t.hyp->host.base << ", 0x" << t.hyp->host.end() << "), hypervisor [0x"
               << t.sw_memory.base << ", 0x" << t.sw_memory.end() << "); host IOMMU tables at 0x"
               << t.hyp->host_tables.base << ", donation pool at 0x" << t.hyp->pool.base << "\n";
        else
            os << "  DMA buffers: [0x" << t.dma_window.base << ", 0x" << t.dma_window.end()
               << "); software tables and queues at [0x" << t.sw_memory.base << ", 0x" << t.sw_memory.end() << ")\n";
        os << std::dec;
    }

private:
    // The memory map (DMA window, software tables and queues) must lie in DRAM; otherwise the
    // software's first table store would fail with a bus error that names nothing (issue 19).
    // InputError naming dram.base / dram.size.
    void check_layout() const {
        const Topology& t = soc.topo;
        const mem::Memory& dram = soc.dram();
        const uint64_t lo = std::min({t.buffers.base, t.dma_window.base, t.sw_memory.base});
        const uint64_t hi = std::max(t.dma_window.end(), t.sw_memory.end());
        const uint64_t base = dram.base, end = dram.base + dram.size;
        if (lo >= base && hi <= end) return;
        std::ostringstream m;
        m << std::hex << dram.basename() << ".base 0x" << base << ", " << dram.basename() << ".size 0x"
          << dram.size.value() << ": the memory map needs DRAM over [0x" << lo << ", 0x" << hi
          << ") (DMA buffers from 0x" << t.buffers.base << ", software tables and queues at [0x" << t.sw_memory.base
          << ", 0x" << t.sw_memory.end() << "))";
        (lo < base ? dram.base : dram.size).fail(m.str());
    }

    Soc soc;
    std::unique_ptr<SoftwareHost> software;
};

PlatformInfo info_of(const Topology& t) {
    return {t.name, t.description, [t](const PlatformOptions& opts) -> std::unique_ptr<Platform> {
                // The topology's parameter defaults hold while its modules are built.
                core::ParamRegistry::instance().set_defaults(t.params);
                return std::make_unique<TopologyPlatform>(t, opts);
            }};
}

bool is_file_name(const std::string& name) {
    return name.find('/') != std::string::npos || (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0);
}

}  // namespace

const std::vector<PlatformInfo>& platform_list() {
    static const std::vector<PlatformInfo> list = [] {
        std::vector<PlatformInfo> v;
        for (const Topology& t : builtin_topologies()) v.push_back(info_of(t));
        return v;
    }();
    return list;
}

const PlatformInfo* find_platform(const std::string& name) {
    for (const PlatformInfo& p : platform_list())
        if (p.name == name) return &p;
    if (!is_file_name(name)) return nullptr;
    static std::deque<std::pair<std::string, PlatformInfo>> loaded;  // stable addresses
    for (const auto& [file, info] : loaded)
        if (file == name) return &info;
    loaded.emplace_back(name, info_of(load_topology(name)));
    return &loaded.back().second;
}

}  // namespace smmusim::platforms
