#pragma once
// What every platform built on the shared hardware (platforms/soc.h) with software on its CPU
// has in common: the Platform answers come from the SoC's generators and the software host;
// the run ends when the software does, and its traffic generators stop with it.

#include <algorithm>
#include <exception>
#include <sstream>
#include <memory>
#include <vector>

#include "platforms/platform.h"
#include "platforms/soc.h"
#include "platforms/software_host.h"

namespace smmusim::platforms {

class SocPlatform : public Platform {
public:
    std::vector<const traffic::TrafficGen*> generators() const override { return soc.generators(); }
    bool ends_itself() const override { return software->enabled(); }
    std::exception_ptr failure() const override { return software->failure(); }
    bool software_unfinished() const override { return software->enabled() && !software->finished(); }

protected:
    explicit SocPlatform(bool dma_patterns) : soc(dma_patterns) {}

    // The parts of the software's setup that follow from the hardware; the platform adds its
    // memory map and starts the host with start_software().
    SoftwareSetup software_setup(const PlatformOptions& opts) {
        SoftwareSetup sw;
        sw.smmu_regs = Soc::kSmmuBase;
        sw.buffers_base = Soc::kDramBase;
        sw.buffers_size = Soc::kDmaWindow / 2;
        sw.dram_base = soc.dram.base;
        sw.dram_size = soc.dram.size;
        sw.devices = soc.devices();
        sw.scenario = opts.scenario;
        sw.on_finished = [this] { soc.stop_traffic(); };
        return sw;
    }
    void start_software(SoftwareSetup sw) {
        const uint64_t memory_base = sw.memory_base, memory_size = sw.memory_size, buffers_base = sw.buffers_base;
        software = std::make_unique<SoftwareHost>(soc.cluster, std::move(sw));
        // Raw traffic (sw.enable=false) has no memory map to check.
        if (software->enabled()) check_layout(memory_base, memory_size, buffers_base);
    }

    // The platform's memory map (DMA buffers below, software tables and queues above) must
    // lie in DRAM; otherwise the software's first table store would fail with a bus error
    // that names nothing (issue 19). InputError naming dram.base / dram.size.
    void check_layout(uint64_t memory_base, uint64_t memory_size, uint64_t buffers_base) const {
        const uint64_t lo = std::min(buffers_base, memory_base);
        const uint64_t hi = std::max(Soc::kDramBase + Soc::kDmaWindow, memory_base + memory_size);
        const uint64_t base = soc.dram.base, end = soc.dram.base + soc.dram.size;
        if (lo >= base && hi <= end) return;
        std::ostringstream m;
        m << std::hex << "dram.base 0x" << base << ", dram.size 0x" << soc.dram.size.value()
          << ": the memory map needs DRAM over [0x" << lo << ", 0x" << hi << ") (DMA buffers from 0x"
          << buffers_base << ", software tables and queues at [0x" << memory_base << ", 0x"
          << memory_base + memory_size << "))";
        (lo < base ? soc.dram.base : soc.dram.size).fail(m.str());
    }

    Soc soc;
    std::unique_ptr<SoftwareHost> software;
};

}  // namespace smmusim::platforms
