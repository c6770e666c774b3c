#pragma once
// A DMA master: a traffic generator whose every transaction carries a StreamAttr extension
// (StreamID, optional SubstreamID, privileged / instruction / secure attributes), as a device
// behind an SMMU does. In trace mode the StreamID and SubstreamID come from each trace line.

#include <cstdint>
#include <functional>
#include <memory>

#include "models/core/params.h"
#include "models/core/stream_attr.h"
#include "models/traffic/traffic_gen.h"

namespace smmusim::traffic {

struct DmaDefaults : TrafficDefaults {
    uint32_t sid = 0;
    int64_t ssid = -1;
    bool ats = false;
};

// Builds the PCIe ATS function a master with `ats` set puts between itself and its SMMU
// (models/smmu/ats/ats_function.h), as the master's child named `ats`: its parameters are
// `<device>.ats.*`. The platform supplies it (the traffic models do not depend on the SMMU's).
using AtsFactory = std::function<std::unique_ptr<sc_core::sc_module>()>;

class DmaMaster : public TrafficGen {
public:
    DmaMaster(sc_core::sc_module_name name, const DmaDefaults& d, const AtsFactory& make_ats = {});

    core::Param<uint32_t> sid;
    core::Param<int64_t> ssid;
    core::Param<bool> priv{this, "priv", false, "", "transactions are privileged"};
    core::Param<bool> instr{this, "instr", false, "", "transactions are instruction fetches"};
    core::Param<bool> secure{this, "secure", false, "", "transactions are Secure"};
    core::Param<bool> ats;
    // The ATS function (`ats` set and a factory given), else null.
    sc_core::sc_module* ats_function() const { return ats_function_.get(); }

private:
    std::unique_ptr<sc_core::sc_module> ats_function_;
    void decorate(tlm::tlm_generic_payload& gp, const Op& op) override;
    bool device() const override { return true; }
};

}  // namespace smmusim::traffic
