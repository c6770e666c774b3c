#pragma once
// What every platform built on the shared hardware (platforms/soc.h) with software on its CPU
// has in common: the Platform answers come from the SoC's generators and the software host;
// the run ends when the software does, and its traffic generators stop with it.

#include <exception>
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
        sw.devices = soc.devices();
        sw.scenario = opts.scenario;
        sw.on_finished = [this] { soc.stop_traffic(); };
        return sw;
    }
    void start_software(SoftwareSetup sw) { software = std::make_unique<SoftwareHost>(soc.cpu, std::move(sw)); }

    Soc soc;
    std::unique_ptr<SoftwareHost> software;
};

}  // namespace smmusim::platforms
