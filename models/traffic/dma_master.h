#pragma once
// A DMA master: a traffic generator whose every transaction carries a StreamAttr extension
// (StreamID, optional SubstreamID, privileged / instruction / secure attributes), as a device
// behind an SMMU does. In trace mode the StreamID and SubstreamID come from each trace line.

#include <cstdint>

#include "models/core/params.h"
#include "models/core/stream_attr.h"
#include "models/traffic/traffic_gen.h"

namespace smmusim::traffic {

struct DmaDefaults : TrafficDefaults {
    uint32_t sid = 0;
    int64_t ssid = -1;
};

class DmaMaster : public TrafficGen {
public:
    DmaMaster(sc_core::sc_module_name name, const DmaDefaults& d);

    core::Param<uint32_t> sid;
    core::Param<int64_t> ssid;
    core::Param<bool> priv{this, "priv", false, "", "transactions are privileged"};
    core::Param<bool> instr{this, "instr", false, "", "transactions are instruction fetches"};
    core::Param<bool> secure{this, "secure", false, "", "transactions are Secure"};

private:
    void decorate(tlm::tlm_generic_payload& gp, const Op& op) override;
    bool device() const override { return true; }
};

}  // namespace smmusim::traffic
