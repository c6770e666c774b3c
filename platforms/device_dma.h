#pragma once
// The DMA engines software programs (sw::hal::DmaEngines), as jobs on the platform's DMA
// masters. Starting a job costs the calling core `doorbell` cycles (writing a descriptor and ringing
// the device's doorbell, which this platform does not model as separate accesses).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/cpu/cluster.h"
#include "models/traffic/traffic_gen.h"
#include "sw/hal/dma.h"

namespace smmusim::platforms {

class DeviceDma : public sw::hal::DmaEngines {
public:
    DeviceDma(cpu::Cluster& cpus, std::vector<std::pair<std::string, traffic::TrafficGen*>> devices, uint64_t doorbell);

    bool has_device(const std::string& dev) const override { return devices_.count(dev) != 0; }
    std::string default_device() const override { return default_; }
    uint64_t start(const sw::hal::DmaRequest& r) override;
    std::optional<sw::hal::DmaResult> wait(uint64_t h, uint64_t timeout) override;
    uint64_t pending() const override { return jobs_.size(); }

private:
    struct Job {
        bool done = false;
        sw::hal::DmaResult result;
        sc_core::sc_event finished;
    };
    cpu::Cluster& cpus_;
    std::map<std::string, traffic::TrafficGen*> devices_;
    std::string default_;
    uint64_t doorbell_;
    uint64_t next_ = 1;
    std::map<uint64_t, std::unique_ptr<Job>> jobs_;
};

}  // namespace smmusim::platforms
