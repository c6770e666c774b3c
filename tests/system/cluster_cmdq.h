#pragma once
// What the command-queue tests on the CPU cluster share (test_cmdq_concurrent.cpp,
// test_ecmdq_system.cpp): the built-in base topology, and a TLBI that names its thread (ASID
// thread + 1) and a page, so that the command log shows whose command each was and in what
// order.

#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>
#include <systemc>

#include "models/smmu/arch/command_builders.h"
#include "platforms/soc.h"
#include "platforms/topology.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/page_alloc.h"
#include "sw/hal/timed_bus.h"

namespace smmusim::test {

inline const platforms::Topology* base_topology() {
    for (const auto& t : platforms::builtin_topologies())
        if (t.name == "base") return &t;
    return nullptr;
}

// The base topology's SoC with a driver for its first SMMU on the CPU cluster's timed bus, its
// queues and tables in the topology's software memory. Parameters (`cpus`, ...) are set before.
struct BaseDriver {
    explicit BaseDriver(sw::driver::Observer& obs, bool ecmdq = false)
        : topo(checked(base_topology())),
          soc(topo),
          bus(soc.cluster),
          mem(topo.sw_memory.base, uint64_t(64) << 20),
          cfg(config(topo, ecmdq)),
          drv(bus, mem, cfg, obs) {}

    const platforms::Topology& topo;
    platforms::Soc soc;
    sw::hal::TimedBus bus;
    sw::hal::PageAllocator mem;
    sw::driver::DriverConfig cfg;
    sw::driver::SmmuDriver drv;

private:
    static const platforms::Topology& checked(const platforms::Topology* t) {
        if (!t) throw std::runtime_error("no built-in base topology");
        return *t;
    }
    static sw::driver::DriverConfig config(const platforms::Topology& t, bool ecmdq) {
        sw::driver::DriverConfig c;
        c.regs = t.smmus.at(0).regs;
        c.ecmdq = ecmdq;
        return c;
    }
};

// The pages of each thread's TLBI_NH_VA (by ASID, see thread_tlbi) in a command log, in the
// order the SMMU consumed them; `syncs` (optional) counts the CMD_SYNCs.
inline std::map<uint64_t, std::vector<uint64_t>> thread_pages(const std::string& log, uint64_t* syncs = nullptr) {
    std::map<uint64_t, std::vector<uint64_t>> seen;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j["op"] == "TLBI_NH_VA") seen[j["asid"]].push_back(std::stoull(j["addr"].get<std::string>(), nullptr, 16) >> 12);
        if (syncs && j["op"] == "CMD_SYNC") ++*syncs;
    }
    return seen;
}

inline smmu::arch::Command thread_tlbi(unsigned thread, uint64_t page) {
    using namespace smmu::arch;
    Command c = cmd::tlbi_by_address(op::TLBI_NH_VA, uint16_t(thread + 1), 0);
    cmd::set_range(c, page << 12, true, 0, 0, 0, 0);
    return c;
}

// `threads` software threads, thread t on core t % cores: thread 0 resets the SMMU through
// `drv` (probe_and_reset) while the others wait, then each issues `calls` lists of two
// thread_tlbi and a CMD_SYNC; `failed` counts the issues that returned false.
inline void start_tlbi_threads(platforms::Soc& soc, sw::driver::SmmuDriver& drv, unsigned threads, unsigned cores,
                               unsigned calls, unsigned& failed) {
    struct Ready {
        sc_core::sc_event ev;
        bool done = false;
    };
    auto ready = std::make_shared<Ready>();
    for (unsigned t = 0; t < threads; ++t) {
        soc.cluster.start(t % cores, "t" + std::to_string(t), [&drv, &failed, ready, t, calls] {
            if (t == 0) {
                drv.probe_and_reset(true);
                ready->done = true;
                ready->ev.notify(sc_core::SC_ZERO_TIME);
            } else if (!ready->done) {
                sc_core::wait(ready->ev);
            }
            for (unsigned i = 0; i < calls; ++i) {
                const smmu::arch::Command c[2] = {thread_tlbi(t, 2 * i), thread_tlbi(t, 2 * i + 1)};
                if (!drv.cmdq().issue(c, 2, true)) ++failed;
            }
        });
    }
}

}  // namespace smmusim::test
