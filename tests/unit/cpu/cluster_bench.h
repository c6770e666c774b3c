#pragma once
// A CPU cluster bench: `cpus` cores and a device ("dev", another initiator) on an interconnect
// in front of DRAM, whose writes reach the cluster's monitors and which the cores' data caches
// (cluster.cache.size > 0) sit in front of.

#include <string>
#include <vector>

#include "models/core/blocking_port.h"
#include "models/cpu/cluster.h"
#include "models/mem/memory.h"
#include "models/noc/interconnect.h"
#include "sw/hal/timed_bus.h"
#include "tests/common/presets.h"

using namespace smmusim;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

constexpr uint64_t kBase = 0x80000000ull;
constexpr uint64_t kX = kBase + 0x1000;  // a shared variable
constexpr uint64_t kY = kBase + 0x2000;

std::vector<std::string> ports(const cpu::Cluster& c) {
    std::vector<std::string> v;
    for (unsigned i = 0; i < c.size(); ++i) v.push_back(c.core(i).basename());
    v.emplace_back("dev");
    return v;
}

// Another initiator on the interconnect (a device's DMA, the SMMU's MSI writes).
struct Device : sc_core::sc_module {
    core::BlockingPort port{"port"};
    explicit Device(sc_core::sc_module_name n) : sc_module(n) {}
};

// `cpus` cores and a device ("dev", another initiator) on an interconnect in front of DRAM,
// whose writes reach the cluster's monitors. CPU clock 0.5 ns (2 GHz), memory and NoC 1 ns.
struct Bench {
    test::Presets presets;
    cpu::Cluster cluster;
    mem::Memory dram{"dram", {kBase, uint64_t(1) << 20}};
    Device dev{"dev"};
    noc::Interconnect noc;
    sw::hal::TimedBus bus{cluster};

    explicit Bench(const std::vector<std::string>& sets)
        : presets(sets), noc("noc", ports(cluster), {noc::AddressRange{"dram", kBase, uint64_t(1) << 20}}) {
        for (unsigned i = 0; i < cluster.size(); ++i)
            cluster.core(i).port.socket().bind(noc.initiator_socket(cluster.core(i).basename()));
        dev.port.socket().bind(noc.initiator_socket("dev"));
        noc.target_socket("dram").bind(dram.port.socket);
        dram.set_write_observer([this](uint64_t a, uint64_t n) { cluster.memory_written(a, n); });
        cluster.attach_memory(dram);
    }
    uint64_t value(uint64_t pa) {
        uint64_t v = 0;
        dram.store().read(pa, reinterpret_cast<unsigned char*>(&v), 8);
        return v;
    }
    double now_ns() const { return sc_core::sc_time_stamp().to_seconds() * 1e9; }
};

}  // namespace
