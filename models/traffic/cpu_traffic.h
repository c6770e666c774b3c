#pragma once
// Background memory traffic from the CPU cluster: the same knobs as a DMA master, no
// StreamID (it does not go through the SMMU). In trace mode the sid/ssid columns are ignored.

#include "models/traffic/traffic_gen.h"

namespace smmusim::traffic {

class CpuTraffic : public TrafficGen {
public:
    CpuTraffic(sc_core::sc_module_name name, const TrafficDefaults& d) : TrafficGen(name, d) {}

private:
    void decorate(tlm::tlm_generic_payload&, const Op&) override {}
    bool device() const override { return false; }
};

}  // namespace smmusim::traffic
